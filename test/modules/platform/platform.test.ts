import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedPlatformDemo } from '../../../src/modules/platform/demo-seed.ts';
import { platformRoutes } from '../../../src/modules/platform/routes.ts';
import { createModuleHarness, type ModuleHarness } from '../tenant-context/harness.ts';

const ALPHA = 'tenant-alpha';
const BRAVO = 'tenant-bravo';
const ENV = '/api/v1/platform/topology/environments';
const PREFS = '/api/v1/platform/context/preferences';

describe('Platform behind the shared tenant context', () => {
  let h: ModuleHarness;
  before(async () => {
    h = await createModuleHarness('platform', platformRoutes, {}, async (t) =>
      seedPlatformDemo({ db: t.db, config: t.config(), keyEncryptionKey: t.keyEncryptionKey, credentials: { clients: {}, users: {} } }),
    );
  });
  after(async () => h.close());

  it('context: the tenant, actor, client and scopes as the module sees them', async () => {
    const res = await h.call('GET', '/api/v1/platform/context', { tenant: BRAVO, identity: { actor: 'bob', client: 'stellaops-console', scopes: ['platform:read'] } });
    assert.equal(res.statusCode, 200);
    // No such user or client in this database: the names are null, the ids stay (test/modules/people-names.test.ts has them resolved).
    assert.deepEqual(res.json(), { tenant: BRAVO, actor: 'bob', actorName: null, client: 'stellaops-console', clientName: null, scopes: ['platform:read'] });
  });

  it('preferences: same user, other tenant = other record', async () => {
    const put = await h.call('PUT', PREFS, { tenant: ALPHA, body: { region: 'eu-west-1', environment: 'prod', timeWindow: '7d', stage: 'prod' } });
    assert.equal(put.statusCode, 200);
    assert.equal(put.json().region, 'eu-west-1');
    const alpha = (await h.call('GET', PREFS, { tenant: ALPHA })).json();
    assert.deepEqual([alpha.tenant, alpha.subject, alpha.region, alpha.environment, alpha.timeWindow, alpha.stage], [ALPHA, 'alice', 'eu-west-1', 'prod', '7d', 'prod']);
    const bravo = await h.call('GET', PREFS, { tenant: BRAVO });
    assert.equal(bravo.statusCode, 200);
    assert.deepEqual([bravo.json().tenant, bravo.json().region, bravo.json().updatedAt], [BRAVO, null, null]);
    await h.call('PUT', PREFS, { tenant: BRAVO, body: { region: 'us-east-1', timeWindow: '24h' } });
    assert.equal((await h.call('GET', PREFS, { tenant: ALPHA })).json().region, 'eu-west-1', 'bravo write left alpha alone');
    const otherUser = (await h.call('GET', PREFS, { tenant: ALPHA, identity: { actor: 'carol' } })).json();
    assert.equal(otherUser.region, null);
    const invalid = await h.call('PUT', PREFS, { tenant: ALPHA, body: { timeWindow: 'forever' } });
    assert.equal(invalid.statusCode, 400);
  });

  it('topology: each tenant lists its own environments; the shared id prod resolves per tenant', async () => {
    const alpha = (await h.call('GET', ENV, { tenant: ALPHA })).json();
    assert.deepEqual(alpha.items.map((e: any) => e.id), ['alpha-lab', 'prod']);
    assert.ok(alpha.items.every((e: any) => e.name.includes('Alpha') && !JSON.stringify(e).includes('Bravo')));
    const bravo = (await h.call('GET', ENV, { tenant: BRAVO })).json();
    assert.deepEqual(bravo.items.map((e: any) => e.id), ['bravo-edge', 'prod']);
    assert.equal((await h.call('GET', `${ENV}/prod`, { tenant: ALPHA })).json().name, 'Alpha Production');
    assert.equal((await h.call('GET', `${ENV}/prod`, { tenant: BRAVO })).json().name, 'Bravo Production');
    const targets = (await h.call('GET', `${ENV}/prod/targets`, { tenant: BRAVO })).json();
    assert.deepEqual(targets.items.map((t: any) => t.name).sort(), ['Bravo production cluster', 'Bravo web frontend']);
    assert.equal((await h.call('GET', `${ENV}/prod/targets/web-1`, { tenant: ALPHA })).json().address, 'https://web.alpha.example');
  });

  it("another tenant's environment is 404 on every verb, and stays untouched", async () => {
    const attempts = [
      ['GET', `${ENV}/bravo-edge`, undefined],
      ['PUT', `${ENV}/bravo-edge`, { name: 'Hijacked' }],
      ['DELETE', `${ENV}/bravo-edge`, undefined],
      ['GET', `${ENV}/bravo-edge/targets`, undefined],
      ['POST', `${ENV}/bravo-edge/targets`, { id: 'evil', name: 'x', kind: 'host' }],
      ['GET', `${ENV}/bravo-edge/targets/registry`, undefined],
      ['PUT', `${ENV}/bravo-edge/targets/registry`, { name: 'Hijacked', kind: 'host' }],
      ['DELETE', `${ENV}/bravo-edge/targets/registry`, undefined],
    ] as const;
    for (const [method, url, body] of attempts) {
      const res = await h.call(method, url, { tenant: ALPHA, body });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.json().code, 'not_found');
      assert.doesNotMatch(res.body, /Bravo/);
    }
    const still = (await h.call('GET', `${ENV}/bravo-edge`, { tenant: BRAVO })).json();
    assert.equal(still.name, 'Bravo Edge');
    assert.equal(still.targetCount, 1);
    // A 404 for "exists elsewhere" is indistinguishable from "exists nowhere".
    const nowhere = await h.call('GET', `${ENV}/nowhere`, { tenant: ALPHA });
    const elsewhere = await h.call('GET', `${ENV}/bravo-edge`, { tenant: ALPHA });
    assert.equal(nowhere.statusCode, elsewhere.statusCode);
    assert.equal(nowhere.json().title, elsewhere.json().title);
  });

  it('ids are tenant-local: alpha can create an environment with an id bravo already uses', async () => {
    const created = await h.call('POST', ENV, { tenant: ALPHA, body: { id: 'bravo-edge', name: 'Alpha copy of an id' } });
    assert.equal(created.statusCode, 201);
    assert.equal(created.json().createdBy, 'alice');
    assert.equal((await h.call('GET', `${ENV}/bravo-edge`, { tenant: BRAVO })).json().name, 'Bravo Edge');
    const dup = await h.call('POST', ENV, { tenant: ALPHA, body: { id: 'bravo-edge', name: 'again' } });
    assert.equal(dup.statusCode, 409);
    assert.equal((await h.call('DELETE', `${ENV}/bravo-edge`, { tenant: ALPHA })).statusCode, 204);
    assert.equal((await h.call('GET', `${ENV}/bravo-edge`, { tenant: BRAVO })).statusCode, 200);
  });

  it('environment and target lifecycle', async () => {
    assert.equal((await h.call('POST', ENV, { tenant: ALPHA, body: { id: 'qa', name: 'Alpha QA', stage: 'qa' } })).statusCode, 201);
    const upd = await h.call('PUT', `${ENV}/qa`, { tenant: ALPHA, body: { name: 'Alpha QA 2', description: 'second', region: 'eu-central-1', stage: 'qa' } });
    assert.equal(upd.json().name, 'Alpha QA 2');
    assert.equal((await h.call('POST', `${ENV}/qa/targets`, { tenant: ALPHA, body: { id: 'db', name: 'Alpha db', kind: 'host', address: '10.0.0.5' } })).statusCode, 201);
    const t = await h.call('PUT', `${ENV}/qa/targets/db`, { tenant: ALPHA, body: { name: 'Alpha db primary', kind: 'service' } });
    assert.deepEqual([t.json().name, t.json().kind, t.json().environmentId], ['Alpha db primary', 'service', 'qa']);
    assert.equal((await h.call('GET', `${ENV}/qa`, { tenant: ALPHA })).json().targetCount, 1);
    assert.equal((await h.call('DELETE', `${ENV}/qa/targets/db`, { tenant: ALPHA })).statusCode, 204);
    assert.equal((await h.call('DELETE', `${ENV}/qa`, { tenant: ALPHA })).statusCode, 204);
    assert.equal((await h.call('GET', `${ENV}/qa`, { tenant: ALPHA })).statusCode, 404);
  });

  it('lists paginate with an opaque cursor', async () => {
    for (const id of ['p1', 'p2', 'p3', 'p4']) await h.call('POST', ENV, { tenant: BRAVO, body: { id, name: `Bravo ${id}` } });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `${ENV}?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: any = (await h.call('GET', url, { tenant: BRAVO })).json();
      seen.push(...page.items.map((e: any) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, ['bravo-edge', 'p1', 'p2', 'p3', 'p4', 'prod']);
    assert.equal(pages, 3);
    assert.equal((await h.call('GET', `${ENV}?cursor=bm90LWEtY3Vyc29y`, { tenant: BRAVO })).statusCode, 400);
    assert.equal((await h.call('GET', `${ENV}?limit=201`, { tenant: BRAVO })).statusCode, 400);
  });

  it('missing tenant → deterministic 400 on every route', async () => {
    const routes = [
      ['GET', '/api/v1/platform/context'],
      ['GET', PREFS],
      ['PUT', PREFS],
      ['GET', ENV],
      ['POST', ENV],
      ['GET', `${ENV}/prod`],
      ['PUT', `${ENV}/prod`],
      ['DELETE', `${ENV}/prod`],
      ['GET', `${ENV}/prod/targets`],
      ['POST', `${ENV}/prod/targets`],
      ['GET', `${ENV}/prod/targets/web-1`],
      ['PUT', `${ENV}/prod/targets/web-1`],
      ['DELETE', `${ENV}/prod/targets/web-1`],
    ] as const;
    for (const [method, url] of routes) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : { id: 'x', name: 'x', kind: 'host' };
      const res = await h.call(method, url, { tenant: null, body });
      assert.equal(res.statusCode, 400, `${method} ${url}`);
      assert.equal(res.json().code, 'tenant_missing', `${method} ${url}`);
      const forged = await h.call(method, url, { unsigned: true, headers: { 'X-StellaOps-Tenant': ALPHA }, body });
      assert.equal(forged.statusCode, 401, `forged ${method} ${url}`);
    }
    assert.equal((await h.call('GET', `${ENV}/prod`, { tenant: ALPHA })).statusCode, 200, 'nothing was deleted');
  });

  it('never takes the tenant from the URL or the body', async () => {
    const viaQuery = await h.call('GET', `${ENV}/prod?tenant=${BRAVO}&tenant_id=${BRAVO}`, { tenant: ALPHA });
    assert.equal(viaQuery.json().name, 'Alpha Production');
    const viaBody = await h.call('POST', ENV, { tenant: ALPHA, body: { id: 'smuggle', name: 'x', tenant_id: BRAVO } });
    assert.equal(viaBody.statusCode, 400);
    const prefsBody = await h.call('PUT', PREFS, { tenant: ALPHA, body: { tenant: BRAVO } });
    assert.equal(prefsBody.statusCode, 400);
    assert.equal((await h.call('GET', `${ENV}/smuggle`, { tenant: BRAVO })).statusCode, 404);
  });

  it('scopes are checked again behind the gateway', async () => {
    const readOnly = { tenant: ALPHA, identity: { scopes: ['platform:read'] } };
    assert.equal((await h.call('GET', ENV, readOnly)).statusCode, 200);
    const write = await h.call('POST', ENV, { ...readOnly, body: { id: 'nope', name: 'x' } });
    assert.equal(write.statusCode, 403);
    assert.equal(write.json().code, 'insufficient_scope');
    assert.equal((await h.call('GET', ENV, { tenant: ALPHA, identity: { scopes: ['graph:read'] } })).statusCode, 403);
  });
});
