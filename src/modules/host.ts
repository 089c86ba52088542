/**
 * The module host: a component app with the shared tenant context in front of the module's
 * routes. Platform, Scanner and Graph start through here, so none can skip the resolver.
 */
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { ContractError } from '../contract/errors.ts';
import type { ModuleName } from '../flags/definitions.ts';
import { createApp, listen, type HostOptions, type RunningComponent } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { tenantContextPlugin } from './tenant-context/plugin.ts';

export type RegisterModuleRoutes = (app: FastifyInstance) => Promise<void>;

/** Builds the module app without listening (tests inject into it). */
export async function buildModuleApp(ctx: ComponentContext, module: ModuleName, registerRoutes: RegisterModuleRoutes, options: HostOptions = {}): Promise<FastifyInstance> {
  const app = createApp(ctx, options);
  await app.register(tenantContextPlugin, { ctx, module });
  await registerRoutes(app);
  return app;
}

export async function startModule(
  ctx: ComponentContext,
  module: ModuleName,
  registerRoutes: RegisterModuleRoutes,
  port?: number,
  options: HostOptions & { onClose?: () => Promise<void> } = {},
): Promise<RunningComponent> {
  const app = await buildModuleApp(ctx, module, registerRoutes, options);
  return listen(app, ctx, port, options.onClose);
}

/**
 * Defense in depth behind the gateway (which enforces route scopes first): a preHandler that
 * answers 403 `insufficient_scope` unless the verified identity holds `scope`.
 */
export function requireScope(scope: string): preHandlerAsyncHookHandler {
  return async (req) => {
    if (!req.identity?.scopes.includes(scope)) throw new ContractError('insufficient_scope', `this route requires the scope ${scope}`, { requiredScope: scope });
  };
}

/** GET/HEAD need `read`, every other method `write` (the gateway's per-method route scopes). */
export function requireScopeByMethod(read: string, write: string): preHandlerAsyncHookHandler {
  const readCheck = requireScope(read);
  const writeCheck = requireScope(write);
  return async function scopeByMethod(this: unknown, req, reply) {
    const check = req.method === 'GET' || req.method === 'HEAD' ? readCheck : writeCheck;
    await check.call(this as never, req, reply);
  };
}

/** JSON Schema of the problem+json body, for the error statuses of module routes (every field kept). */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code', 'traceId'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    traceId: { type: 'string' },
  },
  additionalProperties: true,
} as const;
