/**
 * When an Authority is ready: its database answers, and its tokens are accepted by the live
 * gateways (it issues the issuer they accept); otherwise every token it issues would be
 * rejected with 401, and a load balancer should send token requests elsewhere.
 */
import { databaseReadiness, type ReadinessCheck } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { FleetIdentityView } from '../telemetry/fleet-identity.ts';

export function authorityReadiness(ctx: ComponentContext): ReadinessCheck {
  const database = databaseReadiness(ctx);
  const fleet = new FleetIdentityView(ctx.db, ctx.instance.instanceId, () => ctx.clock.now());
  return async (timeoutMs) => {
    const [db, disagreement] = await Promise.all([database(timeoutMs), fleet.blockingProblem(timeoutMs / 2)]);
    const checks = { ...db.checks, issuer: disagreement ? disagreement.detail : 'accepted by the live gateways' };
    if (!db.ready) return { ...db, checks };
    if (disagreement) return { ready: false, detail: `this Authority ${disagreement.detail}: set authority.issuer the same on every instance`, checks };
    return { ready: true, checks };
  };
}
