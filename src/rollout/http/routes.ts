/**
 * The rollout controller's HTTP face, mounted inside the Authority (which already verifies
 * bearer tokens): /admin/rollout/* for the console's Rollout page (rollout:read |
 * rollout:write) and POST /console/telemetry for the console's interceptor (any valid token).
 */
import type { ComponentExtension } from '../../host/extension.ts';
import { scopes } from '../../contract/scopes.ts';
import { join } from 'node:path';
import { publicUrl } from '../../config/schema.ts';
import { stateDir } from '../../db/connect.ts';
import { matrixServices } from '../../matrix/declared-services.ts';
import { matrixRerun } from '../playbook/matrix-rerun.ts';
import { startMonitorLoop } from '../playbook/monitor-loop.ts';
import { loadPolicy } from '../policy/load.ts';
import type { RolloutEnv } from '../rollout-env.ts';
import { consoleTelemetryRoute } from './console-telemetry-route.ts';
import { rolloutReadRoutes } from './rollout-read-routes.ts';
import { rolloutWriteRoutes } from './rollout-write-routes.ts';

export const rolloutExtension: ComponentExtension = async (app, { ctx, requireScope }) => {
  const policy = loadPolicy(ctx.config);
  const secret = ctx.config.rollout.matrixSecret;
  const env: RolloutEnv = {
    db: ctx.db,
    policy,
    clock: ctx.clock,
    config: ctx.config,
    ...(secret
      ? { matrix: matrixRerun({ gateway: ctx.config.rollout.matrixGateway ?? publicUrl(ctx.config), clientId: ctx.config.rollout.matrixClientId, secret, profile: ctx.profile, services: matrixServices(ctx.config), outDir: join(stateDir(ctx.config), 'evidence') }) }
      : {}),
  };
  if (ctx.config.rollout.monitorIntervalMs > 0) {
    const stop = startMonitorLoop(env, ctx.config.rollout.monitorIntervalMs, ctx.logger);
    app.addHook('onClose', stop);
  }
  await app.register(rolloutReadRoutes, { db: ctx.db, policy, clock: ctx.clock, read: requireScope(scopes.rolloutRead), flags: ctx.flags.catalogue });
  await app.register(rolloutWriteRoutes, { env, write: requireScope(scopes.rolloutWrite) });
  await app.register(consoleTelemetryRoute, { ctx, authenticated: requireScope(null), perMinute: ctx.config.rollout.telemetryPerMinute });
};
