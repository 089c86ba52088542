/**
 * A module app on a fresh database, called the way the gateway calls it: a correctly signed
 * identity assertion plus the canonical tenant header. Shared by the module tests.
 */
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { closeComponentContext, createComponentContext, type ComponentContext } from '../../../src/host/context.ts';
import type { ModuleName } from '../../../src/flags/definitions.ts';
import { loadOrCreateIdentitySigningKey } from '../../../src/identity/identity-keys.ts';
import type { IdentitySigningKey } from '../../../src/identity/sign-assertion.ts';
import type { DownstreamIdentity as EnvelopeIdentity } from '../../../src/identity/types.ts';
import { signAssertion } from '../../support/identity.ts';
import { buildModuleApp, type RegisterModuleRoutes } from '../../../src/modules/host.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';

export interface CallOptions {
  /** Tenant in the assertion and the canonical header (null = neither). */
  tenant?: string | null;
  identity?: Partial<EnvelopeIdentity>;
  headers?: Record<string, string | string[]>;
  body?: unknown;
  /** Leave the assertion off (a direct call that bypassed the gateway). */
  unsigned?: boolean;
  remoteAddress?: string;
}

export interface ModuleHarness {
  t: TestDatabase;
  ctx: ComponentContext;
  app: FastifyInstance;
  key: IdentitySigningKey;
  call(method: InjectOptions['method'], url: string, options?: CallOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function createModuleHarness(
  module: ModuleName,
  routesFor: (ctx: ComponentContext) => RegisterModuleRoutes,
  overrides: Record<string, unknown> = {},
  prepare?: (t: TestDatabase) => Promise<void>,
  /** The runtime URL the module connects with (e.g. through a proxy a test can cut). */
  runtimeUrlFor: (url: string) => string = (url) => url,
): Promise<ModuleHarness> {
  const t = await createTestDatabase();
  await prepare?.(t);
  const config = t.config(overrides);
  const ctx = await createComponentContext({ name: module, config, runtimeUrl: runtimeUrlFor(t.runtimeUrl), keyEncryptionKey: t.keyEncryptionKey });
  const key = await loadOrCreateIdentitySigningKey(ctx.db, t.keyEncryptionKey);
  const app = await buildModuleApp(ctx, module, routesFor(ctx));
  await app.ready();
  const profile = ctx.profile;
  return {
    t,
    ctx,
    app,
    key,
    call: (method, url, options = {}) => {
      const tenant = options.tenant === undefined ? 'tenant-alpha' : options.tenant;
      const headers: Record<string, string | string[]> = {};
      if (tenant !== null) headers[profile.canonicalTenantHeader] = tenant;
      if (!options.unsigned) {
        const identity: EnvelopeIdentity = {
          tenant,
          actor: 'alice',
          client: 'stellaops-console',
          scopes: ['platform:read', 'platform:write', 'graph:read', 'graph:query', 'graph:export', 'graph:write', 'scanner:read', 'scanner:write'],
          ...options.identity,
        };
        headers[profile.identityHeader] = signAssertion(key, config, identity, { audience: module, method: String(method), target: url });
      }
      Object.assign(headers, options.headers ?? {});
      const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
      if (payload !== undefined) headers['content-type'] = 'application/json';
      return app.inject({ method, url, headers, payload, remoteAddress: options.remoteAddress });
    },
    close: async () => {
      await app.close();
      await closeComponentContext(ctx);
      await t.drop();
    },
  };
}
