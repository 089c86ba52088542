/**
 * No 500 from bad input: for every route every component declares (collected by the host's
 * onRoute hook), malformed values for each path parameter, query parameter and body field —
 * wrong types, huge strings, unicode, NUL, null, arrays, malformed cursors — are answered
 * below 500, and every refusal carries a stable code from the error table. The OAuth form
 * routes are also driven from valid requests with hostile fields swapped in (a registered
 * client's credentials; a real sign-in session and a real tenant-choice ticket), so the
 * grants, the sign-in throttle and the single-use ticket see bad input too, not only the
 * first check that refuses it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { errorTable } from '../../src/contract/errors.ts';
import { compileRoutes } from '../../src/gateway/routes.ts';
import type { DeclaredRoute } from '../../src/host/app.ts';
import { publicUrl } from '../../src/config/schema.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { formFields, submitLogin } from '../authority/authority-stack.ts';

const b64 = (v: string) => Buffer.from(v).toString('base64url');

/** Values a careless client or an attacker sends. */
const hostile = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'null',
    '[]',
    '{}',
    '%',
    '%ZZ',
    '\u0000',
    'a\u0000b',
    '../../etc/passwd',
    '2026-13-45T99:99:99Z',
    '00000000-0000-0000-0000-00000000000g',
    '\ud800',
    '😀'.repeat(500),
    'x'.repeat(70_000),
    b64('["not-a-date"]'),
    b64('["not-a-date","x"]'),
    b64('[99999999999999999999]'),
    b64('[1.5]'),
    b64('[null]'),
    b64('[{"a":1}]'),
    b64(`["${'x'.repeat(600)}"]`),
    b64('["\\u0000"]'),
    b64('not json'),
    '!!!',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
);

const SKIPPED = new Set(['/healthz', '/readyz', '/metrics', '*', '/*']);
const OAUTH_FIELDS = ['grant_type', 'client_id', 'client_secret', 'token', 'username', 'password', 'scope', 'tenant', 'code', 'redirect_uri', 'refresh_token', 'code_verifier', 'step', 'ticket'];

/** Percent-encodes a path segment byte by byte (a lone surrogate goes as U+FFFD, where encodeURIComponent throws). */
function encodeSegment(v: string): string {
  let out = '';
  for (const byte of Buffer.from(v, 'utf8')) out += /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

function fieldNames(schema: any): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const names = new Set<string>(Object.keys(schema.properties ?? {}));
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) for (const n of fieldNames(alt)) names.add(n);
  return [...names];
}

function appendAll(form: URLSearchParams, fields: Record<string, unknown>) {
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, asText(one));
}

/** A failure description when the answer is a 5xx, or a 4xx without a code from the error table; else null. */
async function judge(res: Response, label: string): Promise<string | null> {
  const text = await res.text();
  const described = `${label} → ${res.status}: ${text.slice(0, 300)}`;
  if (res.status >= 500) return described;
  if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json') && text) {
    const parsed = JSON.parse(text);
    const code = parsed.code ?? parsed.error_code ?? parsed.error;
    if (!(code in errorTable)) return `unstable code ${String(code)}: ${described}`;
  }
  return null;
}

interface Target {
  component: string;
  base: string;
  route: DeclaredRoute;
}

describe('no 500 from bad input, on every route of every component', () => {
  let ts: TestStack;
  let token: string;
  let targets: Target[] = [];
  let gatewayUrl: string;
  let adminSecret: string;
  const chooserPassword = `pw-${Date.now().toString(36)}-fuzz`;
  before(async () => {
    ts = await startTestStack({ overrides: { 'authority.bruteForce.maxFailures': 1_000_000, 'authority.bruteForce.maxFailuresPerAddress': 1_000_000 } });
    const gateway = ts.stack.components.find((c) => c.name === 'gateway')!;
    const secret = ts.credentials.clients['tenantgate-admin'].secret;
    const res = await fetch(`${gateway.url}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'tenantgate-admin', client_secret: secret }),
    });
    token = (await res.json()).access_token;
    assert.ok(token, 'an admin token');
    gatewayUrl = gateway.url;
    adminSecret = secret;
    // A user in two tenants: signing in asks which tenant, with a sealed single-use ticket.
    const created = await fetch(`${gateway.url}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'fuzz-chooser', tenants: ['tenant-alpha', 'tenant-bravo'], role: 'viewer', password: chooserPassword }),
    });
    assert.ok(created.status === 200 || created.status === 201, await created.text());
    const table = compileRoutes(ts.config);
    for (const c of ts.stack.components) {
      for (const route of c.app.declaredRoutes) {
        if (route.method === 'HEAD' || SKIPPED.has(route.url) || route.url.endsWith('*')) continue;
        // Through the gateway when it routes the path (a real client's way), else straight to the component.
        const concrete = route.url.replace(/:[A-Za-z0-9_]+/g, 'x');
        targets.push({ component: c.name, base: c.name === 'gateway' || table.match(concrete) ? gateway.url : c.url, route });
      }
    }
    targets = targets.filter((t, i) => targets.findIndex((o) => o.route.method === t.route.method && o.route.url === t.route.url) === i);
  });
  after(async () => ts?.stop());

  it('enumerates the routes of every component', () => {
    const components = new Set(targets.map((t) => t.component));
    for (const name of ['gateway', 'authority', 'platform', 'scanner', 'graph']) assert.ok(components.has(name), `${name} routes: ${[...components].join(' ')}`);
    assert.ok(targets.length > 20, `${targets.length} routes`);
    const declared = new Set(targets.map((t) => `${t.route.method} ${t.route.url}`));
    for (const route of [
      'GET /.well-known/identity-jwks.json',
      'POST /gateway/v1/legacy-use',
      'POST /connect/authorize',
      'POST /connect/introspect',
      'POST /connect/revoke',
      'GET /console/token/introspect',
      'PATCH /admin/users/:username',
      'PUT /admin/tenants/:id/members/users/:username',
      'DELETE /admin/tenants/:id/members/clients/:clientId',
      'GET /admin/tenants/:id/members',
      'POST /api/v1/webhooks/:provider/:sourceName',
    ]) {
      assert.ok(declared.has(route), `${route} is among the routes tried`);
    }
  });

  it('refusals before any route (router, HTTP parser) and out-of-range numbers are problem+json validation_failed; the longest valid id is routed', async () => {
    const admin = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    // A tenant id of the longest valid length (128) reaches its route, through the gateway and at the Authority.
    const longest = `t${'x'.repeat(127)}`;
    const created = await fetch(`${gatewayUrl}/admin/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ id: longest, displayName: 'Longest' }) });
    assert.equal(created.status, 201, await created.text());
    const fetched = await fetch(`${gatewayUrl}/admin/tenants/${longest}`, { headers: admin });
    assert.equal(fetched.status, 200);
    assert.equal((await fetched.json()).id, longest);
    const authority = ts.stack.components.find((c) => c.name === 'authority')!.url;
    const cases: [string, Promise<Response>, number][] = [
      ['a path segment past the limit', fetch(`${authority}/admin/tenants/${'x'.repeat(600)}`, { headers: admin }), 414],
      ['a path segment past the limit, through the gateway', fetch(`${gatewayUrl}/admin/tenants/${'x'.repeat(600)}`, { headers: admin }), 414],
      ['headers past the parser limit', fetch(`${gatewayUrl}/admin/tenants?cursor=${'x'.repeat(20_000)}`, { headers: admin }), 431],
      ['a header past the parser limit at a component', fetch(`${authority}/admin/tenants`, { headers: { ...admin, 'x-padding': 'x'.repeat(20_000) } }), 431],
      // Coerced to Infinity by schema validation, past minimum/maximum: refused all the same.
      ['an integer query value of 1e309', fetch(`${gatewayUrl}/admin/rollout/gates/strict?days=1e309`, { headers: admin }), 400],
      ['an integer query value of -1e309', fetch(`${gatewayUrl}/admin/audit?limit=-1e309`, { headers: admin }), 400],
    ];
    for (const [label, pending, status] of cases) {
      const res = await pending;
      assert.equal(res.status, status, label);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/, label);
      const body = await res.json();
      assert.equal(body.code, 'validation_failed', label);
      assert.equal(body.status, status, label);
    }
  });

  it('every paginated list answers a malformed cursor 400 validation_failed', async () => {
    // Not cursors any list issues: refused. Well-formed keys of the wrong type: never a 500.
    const malformed = ['[99999999999999999999]', '[1.5]', '[null]', '[{"a":1}]', '["\\u0000"]', `["${'x'.repeat(600)}"]`, '[]', 'not json', 'a:99999999999999999999999'].map(b64);
    const mistyped = ['["not-a-date"]', '["not-a-date","x"]', '[1]', '["x",1]', 'a:1'].map(b64);
    const lists = targets.filter((t) => t.route.method === 'GET' && fieldNames(t.route.schema?.querystring).includes('cursor') && !t.route.url.includes(':'));
    assert.ok(lists.length >= 3, `${lists.length} paginated lists`);
    const failures: string[] = [];
    for (const t of lists) {
      for (const cursor of [...malformed, ...mistyped]) {
        const res = await fetch(`${t.base}${t.route.url}?cursor=${cursor}`, { headers: { authorization: `Bearer ${token}` } });
        const body = await res.json();
        const refused = res.status === 400 && body.code === 'validation_failed';
        const ok = malformed.includes(cursor) ? refused : refused || res.status < 400;
        if (!ok) failures.push(`${t.route.url} cursor ${Buffer.from(cursor, 'base64url').toString().slice(0, 40)} → ${res.status} ${body.code}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('malformed path, query and body values never answer 500', { timeout: 120_000 }, async () => {
    const failures: string[] = [];
    for (const t of targets) {
      const { route } = t;
      const params = (route.url.match(/:[A-Za-z0-9_]+/g) ?? []).map((p) => p.slice(1));
      const query = [...new Set([...fieldNames(route.schema?.querystring), 'cursor', 'limit'])];
      const form = route.url.startsWith('/connect/');
      const body = form ? OAUTH_FIELDS : fieldNames(route.schema?.body);
      const hasBody = !['GET', 'DELETE', 'OPTIONS'].includes(route.method);
      // Client-authenticated form routes: half the runs start from a registered client's valid request.
      const clientBase = form && route.url !== '/connect/authorize' ? validClientRequests(adminSecret) : [{}];
      const record = fc.record({
        params: fc.tuple(...params.map(() => hostile)),
        query: fc.dictionary(fc.constantFrom(...query), hostile, { maxKeys: 3 }),
        base: fc.constantFrom<Record<string, string>>({}, ...clientBase),
        body: body.length > 0 ? fc.dictionary(fc.constantFrom(...body), hostile, { maxKeys: 4 }) : fc.constant({}),
        rawBody: fc.constantFrom<unknown>(undefined, undefined, undefined, 'null', '[]', '"x"', '{', '{"a":'),
      });
      const known = failures.length;
      await fc.assert(
        fc.asyncProperty(record, async (input) => {
          let path = route.url;
          params.forEach((p, i) => {
            const v = asText(input.params[i]) || 'x';
            path = path.replace(`:${p}`, encodeSegment(v.slice(0, 2000)));
          });
          const qs = new URLSearchParams();
          for (const [k, v] of Object.entries(input.query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, asText(one).slice(0, 4000));
          const url = `${t.base}${path}${qs.size ? `?${qs}` : ''}`;
          const fromClient = Object.keys(input.base).length > 0;
          // A client that authenticates in the body sends no bearer token beside it.
          const headers: Record<string, string> = { accept: 'application/json', ...(fromClient ? {} : { authorization: `Bearer ${token}` }) };
          let payload: string | undefined;
          if (hasBody) {
            if (form) {
              headers['content-type'] = 'application/x-www-form-urlencoded';
              const f = new URLSearchParams();
              appendAll(f, { ...input.base, ...input.body });
              payload = f.toString();
            } else {
              headers['content-type'] = 'application/json';
              payload = typeof input.rawBody === 'string' ? input.rawBody : JSON.stringify(input.body);
            }
          }
          const res = await fetch(url, { method: route.method, headers, body: payload, redirect: 'manual' });
          const failure = await judge(res, `${route.method} ${route.url} (${url.slice(0, 200)} ${payload?.slice(0, 200) ?? ''})`);
          if (failure !== null) failures.push(failure);
          return failure === null;
        }),
        // The form routes get more runs: their valid starting requests reach the grants.
        { numRuns: form ? 40 : 6, seed: 1313, endOnFailure: true },
      ).catch((err: unknown) => {
        // A run that threw (rather than answering badly) is a failure too.
        if (failures.length === known) failures.push(`${route.method} ${route.url}: ${String(err).slice(0, 500)}`);
      });
    }
    assert.deepEqual(failures, []);
  });

  it('the sign-in form and the tenant-choice ticket, from a real browser session, never answer 500', { timeout: 120_000 }, async () => {
    const redirectUri = `${publicUrl(ts.config)}/auth/callback`;
    const authorizeUrl = new URL(`${gatewayUrl}/connect/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'stellaops-console', redirect_uri: redirectUri, scope: 'openid', state: 's', code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' })) {
      authorizeUrl.searchParams.set(k, v);
    }
    const fields = ['username', 'password', 'tenant', 'step', 'ticket', 'csrf', 'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'];
    const failures: string[] = [];
    let choices = 0;
    const post = (cookie: string | null, form: Record<string, unknown>, accept: string) =>
      fetch(`${gatewayUrl}/connect/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept, ...(cookie ? { cookie } : {}) },
        body: (() => {
          const f = new URLSearchParams();
          appendAll(f, form);
          return f;
        })(),
      });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('login', 'tenant'),
        fc.dictionary(fc.constantFrom(...fields), hostile, { minKeys: 1, maxKeys: 3 }),
        fc.constantFrom('application/json', 'text/html'),
        async (step, overrides, accept) => {
          let cookie: string | null;
          let form: Record<string, unknown>;
          if (step === 'login') {
            // The login page's own form (session cookie, CSRF token, authorize parameters), then hostile fields.
            const page = await fetch(authorizeUrl, { redirect: 'manual' });
            cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] || null;
            form = { ...formFields(await page.text()).hidden, username: 'fuzz-chooser', password: chooserPassword, ...overrides };
          } else {
            // A real ticket from signing in as a user of two tenants, answered with hostile fields.
            const out = await submitLogin(authorizeUrl, 'fuzz-chooser', chooserPassword);
            assert.equal(out.kind, 'choice', 'a user of two tenants is asked which tenant');
            if (out.kind !== 'choice') return false;
            choices++;
            cookie = out.session.cookie;
            form = { step: 'tenant', ticket: out.ticket, csrf: out.session.csrf, tenant: 'tenant-alpha', ...overrides };
          }
          const res = await post(cookie, form, accept);
          const failure = await judge(res, `POST /connect/authorize ${step} ${JSON.stringify(overrides).slice(0, 300)}`);
          if (failure !== null) failures.push(failure);
          return failure === null;
        },
      ),
      { numRuns: 40, seed: 2718, endOnFailure: true },
    ).catch((err: unknown) => {
      // A run that threw (rather than answering badly) is a failure too.
      if (failures.length === 0) failures.push(String(err).slice(0, 500));
    });
    assert.ok(choices > 0, 'some runs answered a real tenant-choice ticket');
    assert.deepEqual(failures, []);
  });
});

/** Valid client-authenticated form requests of the registered admin client, to swap hostile fields into. */
function validClientRequests(secret: string): Record<string, string>[] {
  const client = { client_id: 'tenantgate-admin', client_secret: secret };
  return [
    { ...client, grant_type: 'client_credentials' },
    { ...client, grant_type: 'refresh_token', refresh_token: 'rt_x' },
    { ...client, grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://x/cb', code_verifier: 'v'.repeat(43) },
    { ...client, grant_type: 'password', username: 'alice', password: 'x' },
    { ...client, token: 'x' },
  ];
}

