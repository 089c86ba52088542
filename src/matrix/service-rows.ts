/**
 * Isolation rows for every declared external service: reached through the gateway with
 * Alpha's token, the service answers Alpha and shows nothing of Bravo; naming Bravo in the
 * canonical header, a legacy alias or a spoofed identity header never gets Bravo's identity
 * to it (refused, or stripped so the service sees Alpha only); no token gets nothing.
 */
import type { MatrixService } from './declared-services.ts';
import { RowChecks, type MatrixRow } from './matrix-row.ts';

export function serviceRows(services: readonly MatrixService[]): MatrixRow[] {
  return services.flatMap((s, i): MatrixRow[] => {
    const id = (n: number) => `SVC-${i + 1}.${n}`;
    const area = `Service ${s.name}`;
    return [
      {
        id: id(1),
        area,
        column: 'valid tenant',
        title: `${s.name}: Alpha's token reaches the service, which shows nothing of Bravo`,
        async run({ gw, fx }) {
          const res = await gw.call('GET', s.probe, { token: fx.a.token });
          const refused = res.json?.code !== undefined && res.status >= 400 && res.status < 500 && typeof res.json?.type === 'string';
          return new RowChecks().check(res.status < 500 && !refused, `Alpha → ${res.status} ${res.json?.code ?? ''}`.trim()).noLeak(res, fx.b, 'Alpha').done();
        },
      },
      {
        id: id(2),
        area,
        column: 'other tenant',
        title: `${s.name}: the canonical tenant header naming Bravo is refused by the gateway (403)`,
        async run({ gw, fx, profile }) {
          const res = await gw.call('GET', s.probe, { token: fx.a.token, headers: [[profile.canonicalTenantHeader, fx.b.tenant]] });
          return new RowChecks().status(res, 403, 'Alpha token + canonical Bravo').code(res, ['tenant_mismatch', 'tenant_forbidden'], 'mismatch').noLeak(res, fx.b, 'mismatch').done();
        },
      },
      {
        id: id(3),
        area,
        column: 'gateway',
        title: `${s.name}: legacy aliases and spoofed identity headers naming Bravo never reach it`,
        async run({ gw, fx, profile }) {
          const c = new RowChecks();
          // The profile's reserved names: the aliases, the downstream identity headers and the assertion's.
          const spoofed = [...profile.legacyTenantHeaders, profile.actorHeader, profile.clientHeader, profile.projectHeader, ...profile.legacyIdentityHeaders, profile.identityHeader];
          for (const name of spoofed) {
            const res = await gw.call('GET', s.probe, { token: fx.a.token, headers: [[name, fx.b.tenant]] });
            c.check(res.status < 500, `${name}: Bravo → ${res.status}`).noLeak(res, fx.b, name);
          }
          return c.done();
        },
      },
      {
        id: id(4),
        area,
        column: 'missing tenant',
        title: `${s.name}: no token gets 401 from the gateway, with nothing of either tenant`,
        async run({ gw, fx }) {
          const res = await gw.call('GET', s.probe, { headers: [['x-tenant-id', fx.b.tenant]] });
          return new RowChecks().status(res, 401, 'no token').noLeak(res, fx.b, 'no token').noLeak(res, fx.a, 'no token').done();
        },
      },
    ];
  });
}
