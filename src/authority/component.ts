/**
 * The Authority component: discovery and JWKS, the OAuth endpoints, the console and admin
 * APIs, and the route plugins other areas mount behind its bearer authentication.
 */
import formbody from '@fastify/formbody';
import { createApp, listen, type RunningComponent } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import type { NamedExtension } from '../host/extension.ts';
import { mountExtensions } from './extensions.ts';
import { adminRoutes } from './http/admin-routes.ts';
import { bearerAuthentication } from './http/authenticate.ts';
import { authorizeRoutes } from './http/authorize-route.ts';
import { consoleRoutes } from './http/console-routes.ts';
import { discoveryRoutes } from './http/discovery-routes.ts';
import { introspectRevokeRoutes } from './http/introspect-revoke-routes.ts';
import { bruteForceGuard } from './http/brute-force.ts';
import { userinfoRoutes } from './http/userinfo-route.ts';
import { oauthRateLimit } from './http/rate-limit.ts';
import { tokenRoute } from './http/token-route.ts';
import { createAuthorityServices } from './services.ts';
import { authorityReadiness } from './readiness.ts';

export interface AuthorityOptions {
  /** Route plugins mounted behind the bearer authentication (src/components.ts names them). */
  extensions?: readonly NamedExtension[];
}

export async function startAuthority(ctx: ComponentContext, port?: number, options: AuthorityOptions = {}): Promise<RunningComponent> {
  const services = await createAuthorityServices(ctx);
  try {
    const app = createApp(ctx, { readiness: authorityReadiness(ctx) });
    await app.register(formbody);
    app.decorateRequest('principal', null);
    const guard = await bruteForceGuard(services);
    const withinLimits = await oauthRateLimit(app, ctx.config, guard.addressOf);
    const auth = bearerAuthentication(services);
    app.addHook('onClose', (_app, done) => {
      guard.stop();
      done();
    });

    await app.register(discoveryRoutes(services));
    await app.register(tokenRoute(services, withinLimits, guard));
    await app.register(authorizeRoutes(services, withinLimits, guard));
    await app.register(introspectRevokeRoutes(services, withinLimits, guard));
    await app.register(userinfoRoutes(services, auth));
    await app.register(consoleRoutes(services, auth));
    await app.register(adminRoutes(services, auth));
    await mountExtensions(app, options.extensions ?? [], { ctx, requireScope: auth.requireScope });
    return await listen(app, ctx, port, async () => services.stop());
  } catch (err) {
    services.stop();
    throw err;
  }
}
