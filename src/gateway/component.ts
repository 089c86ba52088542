/** The gateway component: loads the envelope signing key, builds the app, listens. */
import type { RunningComponent } from '../host/app.ts';
import { listen } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { buildGatewayApp } from './app.ts';
import { loadOrCreateEnvelopeSigningKey } from '../identity/envelope.ts';

export async function startGateway(ctx: ComponentContext, port?: number): Promise<RunningComponent> {
  const signingKey = await loadOrCreateEnvelopeSigningKey(ctx.db, ctx.keyEncryptionKey);
  const gateway = await buildGatewayApp(ctx, signingKey);
  return listen(gateway.app, ctx, port, () => gateway.close());
}
