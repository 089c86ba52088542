/**
 * The ONE tenant resolver of MODULES.md as a Fastify plugin, shared by Platform, Scanner and
 * Graph. Not encapsulated, so its hooks and decorators reach every route of the module app.
 *
 * Per request: verify the identity assertion (CONTRACT.md §8; a 401 `identity_*` code
 * otherwise) against the key set the gateway publishes — read here from its database copy,
 * `gateway.identity_keys`, so a module needs no route to the gateway and no extra
 * dependency; an unknown kid refreshes it once — resolve the tenant from the canonical
 * header (legacy aliases only while `<module>.acceptLegacyHeaders` is on, each read
 * counted), require it to equal the assertion's tenant, and decorate
 * `request.identity` / `request.requireTenant()`. Routes public at the gateway opt out with
 * route config `{ tenantContext: 'none' }`.
 */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ContractError, TenantgateError, SERVICE_TENANT_MISSING_STATUS, tenantConflictCode, type ErrorCode } from '../../contract/errors.ts';
import type { ModuleName } from '../../flags/definitions.ts';
import { readIdentityKeySet } from '../../identity/identity-keys.ts';
import { IdentityKeySet } from '../../identity/key-set.ts';
import { publicUrl } from '../../config/schema.ts';
import type { ComponentContext } from '../../host/context.ts';
import { RateLimitedLog } from '../../host/rate-limited-log.ts';
import { counter } from '../../telemetry/metrics.ts';
import { signals } from '../../telemetry/signals.ts';
import { authenticateRequest } from './authenticate-request.ts';
import { resolveTenantFromHeaders } from './resolve-tenant.ts';

export interface RequestIdentity {
  tenant: string | null;
  actor: string;
  client: string | null;
  scopes: readonly string[];
  viaEnvelope: boolean;
}

/** `none`: no identity at all (public routes); `optional`: identity required, tenant may be absent. */
export type TenantContextMode = 'required' | 'optional' | 'none';

declare module 'fastify' {
  interface FastifyRequest {
    identity: RequestIdentity;
    /** The resolved tenant; throws the module's `tenant_missing` when there is none. */
    requireTenant(): string;
  }
  interface FastifyContextConfig {
    tenantContext?: TenantContextMode;
  }
}

export interface TenantContextOptions {
  ctx: ComponentContext;
  module: ModuleName;
}

const ANONYMOUS: RequestIdentity = Object.freeze({ tenant: null, actor: 'anonymous', client: null, scopes: [], viaEnvelope: false }) as RequestIdentity;

/** Host routes served by every component regardless of tenant. */
const HOST_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export function tenantMissing(module: ModuleName): ContractError {
  return new ContractError('tenant_missing', `${module} received no tenant context`, { status: SERVICE_TENANT_MISSING_STATUS });
}

async function tenantContext(app: FastifyInstance, options: TenantContextOptions): Promise<void> {
  const { ctx, module } = options;
  const profile = ctx.profile;
  // Refreshes fail once per cooldown for as long as the database is away: one line per cause per 10 s.
  const keyLog = new RateLimitedLog(10_000, Date.now, 'identity key set not refreshed; verifying with the keys in memory');
  const keys = new IdentityKeySet({
    load: () => readIdentityKeySet(ctx.db),
    onError: (err) => keyLog.failure(ctx.logger, err),
  });
  const expect = { keys, issuer: publicUrl(ctx.config), audience: module, maxLifetimeSeconds: ctx.config.gateway.envelopeTtlSeconds };
  // Keys retired after a rotation leave the set without waiting for an unknown kid.
  const keyTimer = setInterval(() => void keys.refresh(), Math.max(ctx.config.gateway.identityKeyRefreshMs, 1_000));
  keyTimer.unref();
  app.addHook('onClose', async () => clearInterval(keyTimer));
  const flagName = `${module}.acceptLegacyHeaders` as const;
  const rejections = counter(ctx.metrics, 'tenantgate_module_rejections_total', 'Module requests rejected, by error code', ['module', 'code', 'tenant']);
  const denied = counter(ctx.metrics, 'tenantgate_module_denied_total', 'Module 403/404 answers', ['module', 'status', 'tenant']);
  const legacyReads = counter(ctx.metrics, 'tenantgate_module_legacy_header_total', 'Legacy tenant header aliases read by the module', ['module', 'alias']);
  // The tenant a rejection is labelled with: only ever a verified one (bounded cardinality).
  const labelTenant = new WeakMap<FastifyRequest, string>();

  app.decorateRequest('identity', null as unknown as RequestIdentity);
  app.decorateRequest('requireTenant', function requireTenant(this: FastifyRequest): string {
    const tenant = this.identity?.tenant;
    if (!tenant) throw tenantMissing(module);
    return tenant;
  });

  app.addHook('onRequest', async (req) => {
    const mode: TenantContextMode = req.routeOptions.config?.tenantContext ?? 'required';
    const routeUrl = req.routeOptions.url;
    if (mode === 'none' || req.is404 || (routeUrl !== undefined && HOST_ROUTES.has(routeUrl))) {
      req.identity = ANONYMOUS;
      return;
    }
    const auth = await authenticateRequest(
      { headers: req.headers, method: req.method, url: req.url, peerAddress: req.socket.remoteAddress },
      profile,
      expect,
      { trustLoopbackWithoutEnvelope: ctx.config.modules.trustLoopbackWithoutEnvelope, now: ctx.clock.now() },
    );
    if (!auth.ok) throw new ContractError(auth.code, `identity assertion rejected: ${auth.detail}`);
    if (auth.viaEnvelope && auth.identity.tenant) labelTenant.set(req, auth.identity.tenant);

    const resolved = resolveTenantFromHeaders(req.headers, profile, ctx.flags.get(flagName));
    if (!resolved.ok) {
      throw resolved.reason === 'conflict' ? new ContractError(tenantConflictCode(module), resolved.detail) : new ContractError('tenant_invalid', resolved.detail);
    }
    const tenant = resolved.tenant;
    if (auth.viaEnvelope && tenant !== auth.identity.tenant) {
      throw new ContractError('identity_tenant_mismatch', 'the tenant header does not equal the tenant in the identity assertion');
    }
    if (tenant === null && mode === 'required') throw tenantMissing(module);
    for (const alias of resolved.aliasesRead) {
      legacyReads.inc({ module, alias });
      ctx.counters.increment(signals.moduleLegacyHeader, { alias, client: auth.identity.client ?? '', tenant: tenant ?? '', detail: module });
    }
    req.identity = { tenant, actor: auth.identity.actor, client: auth.identity.client, scopes: auth.identity.scopes, viaEnvelope: auth.viaEnvelope };
  });

  app.addHook('onError', async (req, _reply, error: FastifyError | TenantgateError) => {
    const code: ErrorCode | null = error instanceof TenantgateError ? error.code : (error as FastifyError).validation ? 'validation_failed' : null;
    const status = error instanceof TenantgateError ? error.status : (error as FastifyError).statusCode ?? 500;
    if (code === null || status >= 500) return;
    const tenant = req.identity?.tenant ?? labelTenant.get(req) ?? '';
    rejections.inc({ module, code, tenant });
    ctx.counters.increment(signals.moduleRejection, { tenant, detail: `${module}:${code}` });
  });

  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode !== 403 && reply.statusCode !== 404) return;
    const tenant = req.identity?.tenant ?? labelTenant.get(req) ?? '';
    denied.inc({ module, status: String(reply.statusCode), tenant });
    ctx.counters.increment(signals.moduleDenied, { tenant, detail: `${module}:${reply.statusCode}` });
  });
}

/** Not encapsulated: the hooks and decorators must apply to every route of the module app. */
export const tenantContextPlugin = fastifyPlugin(tenantContext, { fastify: '5.x', name: 'tenantgate-tenant-context' });
