/**
 * No 500 from bad input: for every route every component declares (collected by the host's
 * onRoute hook), malformed values for each path parameter, query parameter and body field —
 * wrong types, huge strings, unicode, NUL, null, arrays, malformed cursors — are answered
 * below 500, and every refusal carries a stable code from the error table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { errorTable } from '../../src/contract/errors.ts';
import { compileRoutes } from '../../src/gateway/routes.ts';
import type { DeclaredRoute } from '../../src/host/app.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

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

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

function fieldNames(schema: any): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const names = new Set<string>(Object.keys(schema.properties ?? {}));
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) for (const n of fieldNames(alt)) names.add(n);
  return [...names];
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
    const table = compileRoutes(ts.config);
    for (const c of ts.stack.components) {
      if (c.name === 'gateway') continue;
      for (const route of c.app.declaredRoutes) {
        if (route.method === 'HEAD' || SKIPPED.has(route.url) || route.url.endsWith('*')) continue;
        // Through the gateway when it routes the path (a real client's way), else straight to the component.
        const concrete = route.url.replace(/:[A-Za-z0-9_]+/g, 'x');
        targets.push({ component: c.name, base: table.match(concrete) ? gateway.url : c.url, route });
      }
    }
    targets = targets.filter((t, i) => targets.findIndex((o) => o.route.method === t.route.method && o.route.url === t.route.url) === i);
  });
  after(async () => ts?.stop());

  it('enumerates the routes of every component', () => {
    const components = new Set(targets.map((t) => t.component));
    for (const name of ['authority', 'platform', 'scanner', 'graph']) assert.ok(components.has(name), `${name} routes: ${[...components].join(' ')}`);
    assert.ok(targets.length > 20, `${targets.length} routes`);
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
      const record = fc.record({
        params: fc.tuple(...params.map(() => hostile)),
        query: fc.dictionary(fc.constantFrom(...query), hostile, { maxKeys: 3 }),
        body: body.length > 0 ? fc.dictionary(fc.constantFrom(...body), hostile, { maxKeys: 4 }) : fc.constant({}),
        rawBody: fc.constantFrom<unknown>(undefined, undefined, undefined, 'null', '[]', '"x"', '{', '{"a":'),
      });
      await fc.assert(
        fc.asyncProperty(record, async (input) => {
          let path = route.url;
          params.forEach((p, i) => {
            const v = asText(input.params[i]) || 'x';
            path = path.replace(`:${p}`, encodeURIComponent(v.slice(0, 2000)));
          });
          const qs = new URLSearchParams();
          for (const [k, v] of Object.entries(input.query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, asText(one).slice(0, 4000));
          const url = `${t.base}${path}${qs.size ? `?${qs}` : ''}`;
          const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
          let payload: string | undefined;
          if (hasBody) {
            if (form) {
              headers['content-type'] = 'application/x-www-form-urlencoded';
              const f = new URLSearchParams();
              for (const [k, v] of Object.entries(input.body)) for (const one of Array.isArray(v) ? v : [v]) f.append(k, asText(one));
              payload = f.toString();
            } else {
              headers['content-type'] = 'application/json';
              payload = typeof input.rawBody === 'string' ? input.rawBody : JSON.stringify(input.body);
            }
          }
          const res = await fetch(url, { method: route.method, headers, body: payload, redirect: 'manual' });
          const text = await res.text();
          const label = `${route.method} ${route.url} → ${res.status} (${url.slice(0, 200)} ${payload?.slice(0, 200) ?? ''}): ${text.slice(0, 300)}`;
          if (res.status >= 500) {
            failures.push(label);
            return false;
          }
          if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json') && text) {
            const parsed = JSON.parse(text);
            const code = parsed.code ?? parsed.error_code ?? parsed.error;
            if (!(code in errorTable)) {
              failures.push(`unstable code ${String(code)}: ${label}`);
              return false;
            }
          }
          return true;
        }),
        { numRuns: 6, seed: 1313, endOnFailure: true },
      ).catch(() => undefined);
    }
    assert.deepEqual(failures, []);
  });
});
