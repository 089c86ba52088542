/** The gateway component: loads the identity signing key, builds the app, listens. */
import type { RunningComponent } from '../host/app.ts';
import { listen } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { buildGatewayApp } from './app.ts';
import { loadOrCreateIdentitySigningKey } from '../identity/identity-keys.ts';

export async function startGateway(ctx: ComponentContext, port?: number): Promise<RunningComponent> {
  const signingKey = await loadOrCreateIdentitySigningKey(ctx.db, ctx.keyEncryptionKey, ctx.config.gateway.identityAlgorithm);
  const gateway = await buildGatewayApp(ctx, signingKey);
  return listen(gateway.app, ctx, port, () => gateway.close());
}
