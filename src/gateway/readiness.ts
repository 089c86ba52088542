/**
 * When a gateway is ready: it holds token verification keys (from the Authority or the copy
 * the Authority publishes in PostgreSQL) and reaches its routes' upstreams — `any` of them by
 * default, `all` with `gateway.readyUpstreams` — and accepts the issuer the live Authorities
 * issue (tokens would otherwise all answer 401). The database is not part of it: a gateway
 * keeps forwarding during a database outage, so a load balancer must keep sending to it.
 */
import type { ReadinessCheck } from '../host/app.ts';
import type { FleetIdentityView } from '../telemetry/fleet-identity.ts';
import type { JwksCache } from './jwks-cache.ts';
import type { UpstreamProbe } from './upstream-probe.ts';

export function gatewayReadiness(keys: JwksCache, upstreams: UpstreamProbe, mode: 'any' | 'all', fleet: FleetIdentityView): ReadinessCheck {
  return async (timeoutMs) => {
    const [states, disagreement] = await Promise.all([upstreams.check(timeoutMs / 2), fleet.blockingProblem(timeoutMs / 2)]);
    const key = keys.state;
    const checks = {
      verificationKeys: { count: key.kids.length, source: key.source },
      upstreams: Object.fromEntries(states.map((s) => [s.name, s.reachable ? 'ok' : `unreachable: ${s.error}`])),
      issuer: disagreement ? disagreement.detail : 'agrees with the live Authorities',
    };
    if (!keys.loaded) {
      void keys.refresh();
      return { ready: false, detail: 'no token verification keys: the Authority and its published key set are unreachable', checks };
    }
    const down = states.filter((s) => !s.reachable);
    const failed = states.length > 0 && (mode === 'all' ? down.length > 0 : down.length === states.length);
    if (failed) return { ready: false, detail: `upstreams unreachable: ${down.map((s) => s.name).join(', ')}`, checks };
    if (disagreement) return { ready: false, detail: `this gateway ${disagreement.detail}: set authority.issuer the same on every instance`, checks };
    return { ready: true, checks };
  };
}
