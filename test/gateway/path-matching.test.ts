/**
 * Route and scope matching sees the path the service sees: a percent-encoded unreserved
 * character (`%61` for `a`) cannot move a request to another route or scope — the gateway
 * either matches the encoded path to the same route as its decoded form, or refuses it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateConfig } from '../../src/config/load.ts';
import { compileRoutes, defaultRoutes, pathRefusal } from '../../src/gateway/routes.ts';

const table = compileRoutes(validateConfig({}));
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

const hex = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16).padStart(2, '0');
  return `%${upper ? h.toUpperCase() : h}`;
};

/** A request path under a default route prefix, and some percent-encoding of it. */
const encodedRoutePath = fc
  .record({
    prefix: fc.constantFrom(...defaultRoutes().map((r) => r.prefix)),
    suffix: fc.stringMatching(/^[a-z0-9\-_~/]{0,16}$/),
    // Per character: leave it, or encode it in upper- or lower-case hex.
    choices: fc.array(fc.constantFrom('plain', 'plain', 'upper', 'lower'), { minLength: 48, maxLength: 48 }),
    // Sometimes an encoded reserved or non-ASCII character the service decodes too.
    extra: fc.option(fc.constantFrom('%20', '%3A', '%3a', '%40', '%C3%A9', '%2B'), { nil: undefined }),
  })
  .map(({ prefix, suffix, choices, extra }) => {
    const decoded = (prefix + suffix).replace(/\/{2,}/g, '/');
    let encoded = '';
    let encodedUnreserved = false;
    [...decoded].forEach((c, i) => {
      const choice = choices[i % choices.length];
      if (choice === 'plain' || c === '/') encoded += c;
      else {
        encoded += hex(c, choice === 'upper');
        if (UNRESERVED.test(c)) encodedUnreserved = true;
      }
    });
    if (extra) encoded += extra;
    return { encoded, decoded: extra ? decoded + decodeURIComponent(extra) : decoded, encodedUnreserved };
  });

describe('gateway path matching', () => {
  it('property: an encoded route path matches the route and scopes of its decoded form, or is refused', () => {
    fc.assert(
      fc.property(encodedRoutePath, ({ encoded, decoded, encodedUnreserved }) => {
        const asked = table.match(encoded);
        const seen = table.match(decoded);
        const refused = asked === null || pathRefusal(table, asked, encoded) !== null;
        if (encodedUnreserved) assert.ok(refused, `${encoded} encodes an unreserved character and was not refused`);
        if (refused) return;
        assert.equal(asked?.prefix, seen?.prefix, `${encoded} → ${asked?.prefix}, decoded ${decoded} → ${seen?.prefix}`);
        for (const m of METHODS) assert.deepEqual(asked!.scopesFor(m), seen!.scopesFor(m), `${m} ${encoded}`);
      }),
      { numRuns: 5000 },
    );
  });

  it('an encoded letter cannot reach the export route under the graph read scope', () => {
    const path = '/api/v1/graph/%65xport';
    const asked = table.match(path)!;
    assert.equal(asked.prefix, '/api/v1/graph/');
    assert.deepEqual(table.match('/api/v1/graph/export')!.scopesFor('GET'), ['graph:export']);
    assert.match(pathRefusal(table, asked, path) ?? '', /unreserved/);
    assert.match(pathRefusal(table, table.match('/api/v1/sc%61ns')!, '/api/v1/sc%61ns') ?? 'no route', /unreserved|no route/);
  });

  it('normal-form paths with encoded reserved or non-ASCII characters still pass', () => {
    for (const p of ['/api/v1/scans/a%20b', '/api/v1/graph/nodes/pkg%3Anpm%2Bx', '/api/v1/graph/search', '/api/v1/platform/caf%C3%A9']) {
      const r = table.match(p)!;
      assert.equal(pathRefusal(table, r, p), null, p);
    }
  });
});
