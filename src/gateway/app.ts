/**
 * The gateway app: the pipeline (src/gateway/pipeline.ts) for every routed request, the
 * console SPA for browser navigation, 404 problem+json for the rest.
 */
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { issuer, componentUrl, publicUrl } from '../config/schema.ts';
import { createApp, sendProblem } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { IdentityAssertionSigner, type IdentitySigningKey } from '../identity/sign-assertion.ts';
import { Authenticator } from './authenticate.ts';
import { LiveRevocations } from './revocations.ts';
import { RateLimitedLog } from '../host/rate-limited-log.ts';
import { legacyWindowFlags, windowClosesAtMs } from '../contract/legacy-window.ts';
import { ClientAgeLookup } from './client-age.ts';
import { registerConsole, serveConsole } from './console.ts';
import { GatewayIdentityKeys, IDENTITY_JWKS_PATH } from './identity-keys.ts';
import { compileHeaderCatalogue } from './header-catalogue.ts';
import { JwksCache, jwksRefreshIntervalMs } from './jwks-cache.ts';
import { readPublishedKeySet } from '../identity/published-keys.ts';
import { gatewayReadiness } from './readiness.ts';
import { UpstreamProbe } from './upstream-probe.ts';
import { FleetIdentityView } from '../telemetry/fleet-identity.ts';
import { epochMs } from '../telemetry/clock.ts';
import { createPipeline } from './pipeline.ts';
import { dataPlane } from './data-plane.ts';
import { Upstreams } from './forward.ts';
import { GatewayRecorder } from './record.ts';
import { Rewriter } from './rewrite.ts';
import type { GatewayFlags } from './decide.ts';
import { compileRoutes } from './routes.ts';
import { registerLegacyReportRoute } from './legacy-report.ts';
import { externalServices } from '../config/services.ts';
import { TokenVerifier } from './verify-token.ts';
import { activeTracing } from '../telemetry/tracing/active.ts';

export interface GatewayApp {
  app: FastifyInstance;
  recorder: GatewayRecorder;
  keys: JwksCache;
  verifier: TokenVerifier;
  identityKeys: GatewayIdentityKeys;
  close(): Promise<void>;
}

/** The `route` label of the console's pages and assets. */
const CONSOLE_ROUTE = 'console';

export async function buildGatewayApp(ctx: ComponentContext, signingKey: IdentitySigningKey): Promise<GatewayApp> {
  const { config } = ctx;
  const catalogue = compileHeaderCatalogue(ctx.profile);
  const table = compileRoutes(config, undefined, (flag) => ctx.flags.catalogue.has(flag));
  const recorder = new GatewayRecorder(ctx);
  const nowMs = epochMs(ctx.clock);
  const signer = new IdentityAssertionSigner(signingKey, {
    issuer: publicUrl(config),
    ttlSeconds: config.gateway.envelopeTtlSeconds,
    tenantClaim: ctx.profile.selectedTenantClaim,
    now: nowMs,
    reuseWithinSecond: config.gateway.identityAssertionReuse,
  });
  const identityKeys = new GatewayIdentityKeys({
    db: ctx.db,
    keyEncryptionKey: ctx.keyEncryptionKey,
    signer,
    refreshMs: config.gateway.identityKeyRefreshMs,
    onError: (err) => ctx.logger.warn({ err: (err as Error).message }, 'identity keys not refreshed; signing and publishing the keys in memory'),
    onRetired: (kids) => ctx.logger.info({ kids }, 'identity keys retired: their rotation overlap has passed'),
  });
  await identityKeys.start();
  const authorityBase = (config.gateway.authorityUrl ?? componentUrl(config, 'authority')).replace(/\/$/, '');
  const keys = new JwksCache({
    url: `${authorityBase}/.well-known/jwks.json`,
    cooldownMs: config.gateway.jwksCooldownMs,
    fallback: () => readPublishedKeySet(ctx.db),
    onRefresh: (result, err, source) => {
      recorder.jwksRefreshes.inc({ result, source: source ?? 'http' });
      if (result === 'ok') void ctx.instance.reportIdentity(identity).catch(() => undefined);
      if (err) ctx.logger.warn({ err: (err as Error).message }, 'verification keys not refreshed; verifying with cached keys');
      else if (source === 'database') ctx.logger.warn('the Authority is unreachable: verifying with the keys it published in PostgreSQL');
    },
  });
  const identity = { issuer: issuer(config), keyIds: () => keys.state.kids };
  await ctx.instance.reportIdentity(identity);
  const fleet = new FleetIdentityView(ctx.db, ctx.instance.instanceId, () => ctx.clock.now());
  const probe = new UpstreamProbe(table.routes.map((r) => ({ name: r.upstreamName, origin: r.origin })));
  const verifier = new TokenVerifier({
    keys,
    issuer: issuer(config),
    audience: config.authority.audience,
    clockSkewSeconds: config.gateway.clockSkewSeconds,
    cacheSize: config.gateway.tokenCacheSize,
    profile: ctx.profile,
    now: nowMs,
  });
  const revocationLogs = {
    fetch: new RateLimitedLog(10_000, Date.now, 'revocations not refreshed; applying the ones held'),
    listen: new RateLimitedLog(10_000, Date.now, `no revocation notifications; polling every ${config.gateway.revocationPollMs} ms`),
  };
  const revocations = new LiveRevocations({
    db: ctx.db,
    listenUrl: config.database.listenUrl ?? ctx.runtimeUrl,
    pollIntervalMs: config.gateway.revocationPollMs,
    now: nowMs,
    onError: (err, what) => revocationLogs[what].failure(ctx.logger, err),
  });
  await revocations.start();
  const clientAge = new ClientAgeLookup({
    db: ctx.db,
    // Filled from the rollout policy in force by the startup code (withPolicyDefaults).
    cutover: config.rollout.newClientsCutover,
    onError: (err) => ctx.logger.warn({ err: (err as Error).message }, 'client creation lookup failed'),
  });

  const tracing = activeTracing();
  const authenticator = new Authenticator(verifier, () => ctx.clock.now().getTime(), revocations.list);
  const upstreams = new Upstreams({ timeoutMs: config.gateway.upstreamTimeoutMs, tracing });
  // The window's two states, built once: a request only compares the clock with its end.
  const windowOpen = legacyWindowFlags(config.rollout, Number.NEGATIVE_INFINITY);
  const windowClosed = legacyWindowFlags(config.rollout, Number.POSITIVE_INFINITY);
  const windowEnd = config.rollout.legacyAliasesUntil ? windowClosesAtMs(config.rollout.legacyAliasesUntil) : Number.POSITIVE_INFINITY;
  const legacyWindow = (atMs: number) => (atMs >= windowEnd ? windowClosed : windowOpen);
  let liveFlags: { values: unknown; flags: GatewayFlags } | null = null;
  const stages = {
    catalogue,
    authenticator,
    clientAge,
    rewriter: new Rewriter(catalogue, signer, { dropTraceContext: tracing !== null, trustedProxies: config.server.trustedProxies }),
    upstreams,
    recorder,
    flags: () => {
      // One object per flag snapshot and window state, not one per request.
      const values = ctx.flags.values;
      const window = legacyWindow(nowMs());
      if (liveFlags === null || liveFlags.values !== values || liveFlags.flags.legacyWindow !== window) {
        liveFlags = {
          values,
          flags: {
            legacyHeaders: values['gateway.legacyHeaders'],
            strictMode: values['gateway.strictMode'],
            tenantOverride: values['gateway.tenantOverride'],
            allowScopeHeader: values['gateway.allowScopeHeader'],
            legacyWindow: window,
          },
        };
      }
      return liveFlags.flags;
    },
    emitsLegacy: (flag: string) => ctx.flags.value(flag) === true,
    failed: (err: unknown, requestId: string) => ctx.logger.error({ err, reqId: requestId }, 'unhandled error'),
  };
  // Routed requests take the data plane before Fastify sees them; the app serves the rest,
  // including its own paths inside a routed prefix (the identity key set under /.well-known/).
  let ownPaths: Set<string> | null = null;
  const own = () => (ownPaths ??= new Set(app.declaredRoutes.map((r) => r.url).filter((url) => !url.includes('*') && !url.includes(':'))));
  const app: FastifyInstance = createApp(ctx, {
    customNotFound: true,
    readiness: gatewayReadiness(keys, probe, config.gateway.readyUpstreams, fleet),
    front: (host) =>
      dataPlane({ table, tracing, ownPaths: own, pipeline: createPipeline({ ...stages, answered: (r, status) => host.metrics.observe(r.route.prefix, r.req.method ?? 'GET', status, (performance.now() - r.started) / 1000) }) }, host),
  });
  const consoleRoot = await registerConsole(app, config.gateway.consoleDir);

  // The identity assertion's published key set: public, cacheable, served from memory.
  const jwksCacheControl = `public, max-age=${config.gateway.identityJwksMaxAgeSeconds}`;
  app.get(IDENTITY_JWKS_PATH, (req, reply) => {
    req.metricsRoute = IDENTITY_JWKS_PATH;
    return reply.header('cache-control', jwksCacheControl).type('application/jwk-set+json').send(identityKeys.jwks);
  });

  // Legacy-use reports of the declared external services, which must report on every day they are declared.
  const external = externalServices(config);
  await ctx.instance.declareServices(external.map((s) => s.name));
  registerLegacyReportRoute(app, { ctx, authenticator, services: new Map(external.map((s) => [s.name, s])) });

  // What the route table does not cover: the console's pages and assets, else 404.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    handler: (req, reply) => {
      const path = req.url.split('?')[0];
      if (consoleRoot && serveConsole(consoleRoot, req, reply, path)) {
        req.metricsRoute = CONSOLE_ROUTE;
        return undefined;
      }
      sendProblem(reply, req, 'not_found', `no route for ${req.method} ${path}`);
      return undefined;
    },
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, req, 'not_found', `no route for ${req.method} ${req.url.split('?')[0]}`));

  void keys.refresh();
  // Keys the Authority pre-publishes arrive without waiting for an unknown kid.
  const jwksTimer = setInterval(() => void keys.refresh(), jwksRefreshIntervalMs(config.gateway.jwksCooldownMs));
  jwksTimer.unref();
  return {
    app,
    recorder,
    keys,
    verifier,
    identityKeys,
    close: async () => {
      clearInterval(jwksTimer);
      identityKeys.stop();
      await revocations.stop();
      await upstreams.close();
      await recorder.close();
    },
  };
}
