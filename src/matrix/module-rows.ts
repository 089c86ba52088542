/**
 * The MODULES.md acceptance matrix through the gateway: for every area, valid tenant (own
 * data only), missing tenant (no tenant context: nothing served) and another tenant's
 * resource (404 or empty, never the other's data) — with overlapping ids in both tenants.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { rawRequest } from './raw-http.ts';
import { RowChecks, type MatrixRow } from './matrix-row.ts';

const enc = encodeURIComponent;

/** Headers of a webhook delivery signed the way docs/scanner.md describes (id and timestamp signed with the body). */
function signedDelivery(secret: string, body: string): [string, string][] {
  const id = randomUUID();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const sig = `sha256=${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex')}`;
  return [
    ['content-type', 'application/json'],
    ['x-hub-signature-256', sig],
    ['webhook-id', id],
    ['webhook-timestamp', timestamp],
  ];
}

/** The module answers when no tenant context reaches it, called directly (no gateway, no envelope). */
function missingTenantRow(id: string, area: string, module: 'platform' | 'scanner' | 'graph', path: string): MatrixRow {
  return {
    id,
    area,
    column: 'missing tenant',
    title: `${path} without any tenant context is refused deterministically`,
    async run(ctx) {
      const c = new RowChecks();
      const through = await ctx.gw.call('GET', path);
      c.status(through, 401, 'through the gateway without a token').noLeak(through, ctx.fx.a, 'gateway').noLeak(through, ctx.fx.b, 'gateway');
      const direct = ctx.modules[module];
      if (direct) {
        const url = direct.replace(/\/$/, '') + path;
        const res = await rawRequest(url, { headers: [['accept', 'application/json']] });
        c.status(res, [400, 401], `direct to ${module} without tenant`).code(res, ['tenant_missing', 'unauthorized', 'identity_assertion_missing'], `direct to ${module}`);
        const again = await rawRequest(url, { headers: [['accept', 'application/json']] });
        c.check(again.status === res.status && again.json?.code === res.json?.code, `deterministic: same answer twice (${res.status} ${res.json?.code ?? ''})`);
      }
      return c.done();
    },
  };
}

export const moduleRows: MatrixRow[] = [
  {
    id: 'PC-1',
    area: 'Platform context',
    column: 'valid tenant',
    title: 'preferences: each tenant reads its own record for the same caller',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        const res = await gw.call('GET', '/api/v1/platform/context/preferences', { token: me.token });
        c.status(res, 200, `${me.marker} GET preferences`);
        c.check(res.json?.tenant === me.tenant && res.json?.stage === me.marker, `${me.marker} sees tenant ${res.json?.tenant}, stage ${res.json?.stage}`);
        c.noLeak(res, other, `${me.marker} preferences`);
      }
      return c.done();
    },
  },
  missingTenantRow('PC-2', 'Platform context', 'platform', '/api/v1/platform/context/preferences'),
  {
    id: 'PC-3',
    area: 'Platform context',
    column: 'other tenant',
    title: "a write in one tenant never changes the other's record",
    async run({ gw, fx }) {
      const c = new RowChecks();
      const put = await gw.call('PUT', '/api/v1/platform/context/preferences', { token: fx.b.token, body: { region: 'bravo-moved', stage: fx.b.marker } });
      c.status(put, 200, 'Bravo PUT preferences');
      const a = await gw.call('GET', '/api/v1/platform/context/preferences', { token: fx.a.token });
      c.check(a.json?.region === 'alpha-region', `Alpha region still ${a.json?.region}`).noLeak(a, fx.b, 'Alpha preferences');
      return c.done();
    },
  },
  {
    id: 'PT-1',
    area: 'Platform topology',
    column: 'valid tenant',
    title: 'environment "prod" exists in both tenants; each reads its own',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        const one = await gw.call('GET', `/api/v1/platform/topology/environments/${fx.sharedEnvironment}`, { token: me.token });
        c.status(one, 200, `${me.marker} GET prod`).check(one.json?.name === `${me.marker} Production`, `${me.marker} prod is "${one.json?.name}"`).noLeak(one, other, `${me.marker} prod`);
        const list = await gw.call('GET', '/api/v1/platform/topology/environments?limit=200', { token: me.token });
        const ids: string[] = (list.json?.items ?? []).map((e: any) => e.id);
        c.status(list, 200, `${me.marker} list`).check(ids.includes(me.onlyEnvironment) && !ids.includes(other.onlyEnvironment), `${me.marker} list: ${ids.join(', ')}`).noLeak(list, other, `${me.marker} list`);
      }
      return c.done();
    },
  },
  missingTenantRow('PT-2', 'Platform topology', 'platform', '/api/v1/platform/topology/environments'),
  {
    id: 'PT-3',
    area: 'Platform topology',
    column: 'other tenant',
    title: "another tenant's environment: 404 on read, replace and delete; it survives",
    async run({ gw, fx }) {
      const c = new RowChecks();
      const path = `/api/v1/platform/topology/environments/${fx.a.onlyEnvironment}`;
      const get = await gw.call('GET', path, { token: fx.b.token });
      c.status(get, 404, 'Bravo GET alpha-only').noLeak(get, fx.a, 'Bravo GET');
      c.status(await gw.call('PUT', path, { token: fx.b.token, body: { name: 'Bravo takeover' } }), 404, 'Bravo PUT alpha-only');
      c.status(await gw.call('DELETE', path, { token: fx.b.token }), 404, 'Bravo DELETE alpha-only');
      const still = await gw.call('GET', path, { token: fx.a.token });
      c.status(still, 200, 'Alpha still has alpha-only').check(still.json?.name === 'Alpha Only', `Alpha's name "${still.json?.name}"`);
      return c.done();
    },
  },
  {
    id: 'SS-1',
    area: 'Scanner scans',
    column: 'valid tenant',
    title: 'each tenant reads its own scan of the same image digest',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        const one = await gw.call('GET', `/api/v1/scans/${enc(me.scanId)}`, { token: me.token });
        c.status(one, 200, `${me.marker} GET own scan`).noLeak(one, other, `${me.marker} scan`);
        const list = await gw.call('GET', '/api/v1/scans?limit=200', { token: me.token });
        const ids: string[] = (list.json?.items ?? []).map((s: any) => s.id);
        c.status(list, 200, `${me.marker} list`).check(ids.includes(me.scanId) && (me.scanId === other.scanId || !ids.includes(other.scanId)), `${me.marker} list holds own scan only`).noLeak(list, other, `${me.marker} list`);
      }
      return c.done();
    },
  },
  missingTenantRow('SS-2', 'Scanner scans', 'scanner', '/api/v1/scans'),
  {
    id: 'SS-3',
    area: 'Scanner scans',
    column: 'other tenant',
    title: "another tenant's scan and its findings: 404",
    async run({ gw, fx }) {
      const c = new RowChecks();
      const alphaOnly = fx.a.only!.scanId;
      const one = await gw.call('GET', `/api/v1/scans/${enc(alphaOnly)}`, { token: fx.b.token });
      c.status(one, 404, "Bravo GET Alpha's scan").noLeak(one, fx.a, 'Bravo GET');
      const findings = await gw.call('GET', `/api/v1/scans/${enc(alphaOnly)}/findings`, { token: fx.b.token });
      c.status(findings, 404, "Bravo GET Alpha's findings").noLeak(findings, fx.a, 'Bravo findings');
      return c.done();
    },
  },
  {
    id: 'ST-1',
    area: 'Scanner triage',
    column: 'valid tenant',
    title: 'triage lists and reads own findings only',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        c.check(me.findingId !== null, `${me.marker} scan produced a finding`);
        const list = await gw.call('GET', '/api/v1/triage/findings?limit=200', { token: me.token });
        const scans = new Set((list.json?.items ?? []).map((f: any) => f.scanId));
        const own = new Set([me.scanId, me.only?.scanId].filter(Boolean));
        c.status(list, 200, `${me.marker} triage list`).check(scans.size > 0 && [...scans].every((s) => own.has(s as string)), `${me.marker} findings from own scans only`).noLeak(list, other, `${me.marker} triage list`);
        if (me.findingId) c.status(await gw.call('GET', `/api/v1/triage/findings/${enc(me.findingId)}`, { token: me.token }), 200, `${me.marker} GET own finding`);
      }
      return c.done();
    },
  },
  missingTenantRow('ST-2', 'Scanner triage', 'scanner', '/api/v1/triage/findings'),
  {
    id: 'ST-3',
    area: 'Scanner triage',
    column: 'other tenant',
    title: "another tenant's finding: 404 on read and on status change; its status is unchanged",
    async run({ gw, fx }) {
      const c = new RowChecks();
      const alphaOnly = fx.a.only?.findingId;
      if (!alphaOnly) return c.check(false, 'Alpha has no finding id that Bravo lacks').done();
      const path = `/api/v1/triage/findings/${enc(alphaOnly)}`;
      const get = await gw.call('GET', path, { token: fx.b.token });
      c.status(get, 404, "Bravo GET Alpha's finding").noLeak(get, fx.a, 'Bravo GET');
      c.status(await gw.call('PATCH', path, { token: fx.b.token, body: { status: 'false_positive', note: 'cross-tenant attempt' } }), 404, "Bravo PATCH Alpha's finding");
      const mine = await gw.call('GET', path, { token: fx.a.token });
      c.check(mine.json?.status === 'open', `Alpha's finding status ${mine.json?.status}`);
      return c.done();
    },
  },
  {
    id: 'SW-1',
    area: 'Scanner webhooks',
    column: 'valid tenant',
    title: 'a delivery signed with one tenant’s secret creates a scan in that tenant only (shared sourceName)',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        const body = JSON.stringify({ imageDigest: `sha256:${createHmac('sha256', me.webhookSecret).update('image').digest('hex')}`, imageName: `registry.example/${me.marker.toLowerCase()}/hooked` });
        const res = await gw.call('POST', `/api/v1/webhooks/${fx.sharedSource.provider}/${fx.sharedSource.sourceName}`, { rawBody: body, headers: signedDelivery(me.webhookSecret, body) });
        c.status(res, [200, 202], `${me.marker}-signed delivery`);
        const scanId = res.json?.scanId;
        if (typeof scanId === 'string') {
          c.status(await gw.call('GET', `/api/v1/scans/${enc(scanId)}`, { token: me.token }), 200, `${me.marker} sees the dispatched scan`);
          const theirs = await gw.call('GET', `/api/v1/scans/${enc(scanId)}`, { token: other.token });
          c.check(theirs.status === 404 || theirs.json?.imageName?.includes(other.marker.toLowerCase()), `${other.marker} does not see it (${theirs.status})`);
        } else c.check(false, 'delivery answered without scanId');
      }
      return c.done();
    },
  },
  {
    id: 'SW-2',
    area: 'Scanner webhooks',
    column: 'missing tenant',
    title: 'shared sourceName without a signature, or with a bad one: 401, the same answer as for a name one tenant registered',
    async run({ gw, fx }) {
      const c = new RowChecks();
      const path = `/api/v1/webhooks/${fx.sharedSource.provider}/${fx.sharedSource.sourceName}`;
      const body = JSON.stringify({ imageDigest: `sha256:${'0'.repeat(64)}` });
      const unsigned = await gw.call('POST', path, { rawBody: body, headers: [['content-type', 'application/json']] });
      c.status(unsigned, 401, 'unsigned delivery').code(unsigned, ['unauthorized'], 'unsigned delivery');
      const forged = await gw.call('POST', path, { rawBody: body, headers: signedDelivery('not-the-registered-secret', body) });
      c.status(forged, 401, 'wrongly signed delivery');
      return c.done();
    },
  },
  {
    id: 'SW-3',
    area: 'Scanner webhooks',
    column: 'other tenant',
    title: 'no cross-dispatch: a delivery never lands in both tenants or in a guessed one',
    async run({ gw, fx }) {
      const c = new RowChecks();
      const before = async (t: typeof fx.a) => ((await gw.call('GET', '/api/v1/scans?limit=200', { token: t.token })).json?.items ?? []).length as number;
      const [a0, b0] = [await before(fx.a), await before(fx.b)];
      const body = JSON.stringify({ imageDigest: `sha256:${'1'.repeat(64)}`, imageName: 'registry.example/alpha/only-once' });
      const res = await gw.call('POST', `/api/v1/webhooks/${fx.sharedSource.provider}/${fx.sharedSource.sourceName}`, { rawBody: body, headers: signedDelivery(fx.a.webhookSecret, body) });
      c.status(res, [200, 202], 'Alpha-signed delivery');
      const [a1, b1] = [await before(fx.a), await before(fx.b)];
      c.check(a1 === a0 + 1 && b1 === b0, `Alpha scans ${a0}→${a1}, Bravo scans ${b0}→${b1}`);
      return c.done();
    },
  },
  {
    id: 'SU-1',
    area: 'Scanner unknowns',
    column: 'valid tenant',
    title: 'unknowns: own list, detail, evidence and history',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        if (!me.unknownId) {
          c.check(false, `${me.marker} scan produced no unknown`);
          continue;
        }
        for (const suffix of ['', '/evidence', '/history']) {
          const res = await gw.call('GET', `/api/v1/unknowns/${enc(me.unknownId)}${suffix}`, { token: me.token });
          c.status(res, 200, `${me.marker} GET unknown${suffix}`).noLeak(res, other, `${me.marker} unknown${suffix}`);
        }
      }
      return c.done();
    },
  },
  missingTenantRow('SU-2', 'Scanner unknowns', 'scanner', '/api/v1/unknowns'),
  {
    id: 'SU-3',
    area: 'Scanner unknowns',
    column: 'other tenant',
    title: "another tenant's unknown: 404 on detail, evidence and history",
    async run({ gw, fx }) {
      const c = new RowChecks();
      const alphaOnly = fx.a.only?.unknownId;
      if (!alphaOnly) return c.check(false, 'Alpha has no unknown id that Bravo lacks').done();
      for (const suffix of ['', '/evidence', '/history']) {
        const res = await gw.call('GET', `/api/v1/unknowns/${enc(alphaOnly)}${suffix}`, { token: fx.b.token });
        c.status(res, 404, `Bravo GET Alpha's unknown${suffix}`).noLeak(res, fx.a, `Bravo unknown${suffix}`);
      }
      return c.done();
    },
  },
  {
    id: 'G-1',
    area: 'Graph',
    column: 'valid tenant',
    title: 'graph: own nodes by id and search, with the route scopes',
    async run({ gw, fx }) {
      const c = new RowChecks();
      for (const [me, other] of [
        [fx.a, fx.b],
        [fx.b, fx.a],
      ]) {
        if (!me.onlyNodeId) {
          c.check(false, `${me.marker}: search found no node for ${me.onlyNodeQuery}`);
          continue;
        }
        const node = await gw.call('GET', `/api/v1/graph/nodes/${enc(me.onlyNodeId)}`, { token: me.token });
        c.status(node, 200, `${me.marker} GET own node`).noLeak(node, other, `${me.marker} node`);
        const search = await gw.call('GET', `/api/v1/graph/search?q=${enc('lodash')}`, { token: me.token });
        c.status(search, 200, `${me.marker} search lodash`).check((search.json?.items ?? []).length > 0, `${me.marker} finds its lodash`);
        const q = await gw.call('POST', '/api/v1/graph/query', { token: me.token, body: { kind: 'neighbours', node: me.onlyNodeId, direction: 'both', depth: 2 } });
        c.status(q, 200, `${me.marker} neighbours query`).noLeak(q, other, `${me.marker} query`);
      }
      return c.done();
    },
  },
  missingTenantRow('G-2', 'Graph', 'graph', '/api/v1/graph/search?q=lodash'),
  {
    id: 'G-3',
    area: 'Graph',
    column: 'other tenant',
    title: "another tenant's node: 404; search and export show none of it",
    async run({ gw, fx }) {
      const c = new RowChecks();
      if (fx.a.onlyNodeId) {
        const node = await gw.call('GET', `/api/v1/graph/nodes/${enc(fx.a.onlyNodeId)}`, { token: fx.b.token });
        c.status(node, 404, "Bravo GET Alpha's node").noLeak(node, fx.a, 'Bravo node');
        const q = await gw.call('POST', '/api/v1/graph/query', { token: fx.b.token, body: { kind: 'neighbours', node: fx.a.onlyNodeId, depth: 1 } });
        c.check(q.status === 404 || (q.status === 200 && (q.json?.nodes ?? []).length === 0), `Bravo query from Alpha's node → ${q.status}`).noLeak(q, fx.a, 'Bravo query');
      } else c.check(false, 'Alpha has no node to probe');
      const search = await gw.call('GET', `/api/v1/graph/search?q=${enc(fx.a.onlyNodeQuery)}`, { token: fx.b.token });
      c.status(search, 200, 'Bravo search for Alpha-only name').check((search.json?.items ?? []).length === 0, `Bravo search results ${(search.json?.items ?? []).length}`);
      const exp = await gw.call('GET', '/api/v1/graph/export', { token: fx.b.token });
      c.status(exp, 200, 'Bravo export').check(!exp.text.includes(fx.a.onlyNodeQuery), 'Bravo export has no Alpha-only node').noLeak(exp, fx.a, 'Bravo export');
      return c.done();
    },
  },
];
