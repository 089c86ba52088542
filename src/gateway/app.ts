/**
 * The gateway app: the pipeline (src/gateway/pipeline.ts) for every routed request, the
 * console SPA for browser navigation, 404 problem+json for the rest.
 */
import type { FastifyInstance } from 'fastify';
import { issuer, componentUrl, publicUrl } from '../config/schema.ts';
import { createApp, sendProblem } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { IdentityAssertionSigner, type IdentitySigningKey } from '../identity/sign-assertion.ts';
import { Authenticator } from './authenticate.ts';
import { LiveRevocations } from './revocations.ts';
import { RateLimitedLog } from '../host/rate-limited-log.ts';
import { outageCause } from '../db/unavailable.ts';
import { legacyWindowFlags } from '../contract/legacy-window.ts';
import { ClientAgeLookup } from './client-age.ts';
import { registerConsole, serveConsole } from './console.ts';
import { GatewayIdentityKeys, IDENTITY_JWKS_PATH } from './identity-keys.ts';
import { compileHeaderCatalogue } from './header-catalogue.ts';
import { JwksCache } from './jwks-cache.ts';
import { readPublishedKeySet } from '../identity/published-keys.ts';
import { gatewayReadiness } from './readiness.ts';
import { UpstreamProbe } from './upstream-probe.ts';
import { FleetIdentityView } from '../telemetry/fleet-identity.ts';
import { createPipeline } from './pipeline.ts';
import { registerProxy } from './proxy.ts';
import { GatewayRecorder } from './record.ts';
import { Rewriter } from './rewrite.ts';
import { compileRoutes, pathRefusal } from './routes.ts';
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

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export async function buildGatewayApp(ctx: ComponentContext, signingKey: IdentitySigningKey): Promise<GatewayApp> {
  const { config } = ctx;
  const catalogue = compileHeaderCatalogue(ctx.profile);
  const table = compileRoutes(config, undefined, (flag) => ctx.flags.catalogue.has(flag));
  const recorder = new GatewayRecorder(ctx);
  const signer = new IdentityAssertionSigner(signingKey, {
    issuer: publicUrl(config),
    ttlSeconds: config.gateway.envelopeTtlSeconds,
    tenantClaim: ctx.profile.selectedTenantClaim,
    now: () => ctx.clock.now().getTime(),
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
  const upstreams = new UpstreamProbe(table.routes.map((r) => ({ name: r.upstreamName, origin: r.origin })));
  const app = createApp(ctx, { customNotFound: true, readiness: gatewayReadiness(keys, upstreams, config.gateway.readyUpstreams, fleet) });
  const verifier = new TokenVerifier({
    keys,
    issuer: issuer(config),
    audience: config.authority.audience,
    clockSkewSeconds: config.gateway.clockSkewSeconds,
    cacheSize: config.gateway.tokenCacheSize,
    profile: ctx.profile,
    now: () => ctx.clock.now().getTime(),
  });
  const revocationLogs = {
    fetch: new RateLimitedLog(10_000, Date.now, 'revocations not refreshed; applying the ones held'),
    listen: new RateLimitedLog(10_000, Date.now, `no revocation notifications; polling every ${config.gateway.revocationPollMs} ms`),
  };
  const revocations = new LiveRevocations({
    db: ctx.db,
    listenUrl: config.database.listenUrl ?? ctx.runtimeUrl,
    pollIntervalMs: config.gateway.revocationPollMs,
    now: () => ctx.clock.now().getTime(),
    onError: (err, what) => revocationLogs[what].record(ctx.logger, outageCause(err) ?? 'error', (err as Error).message),
  });
  await revocations.start();
  const clientAge = new ClientAgeLookup({
    db: ctx.db,
    // Filled from the rollout policy in force by the startup code (withPolicyDefaults).
    cutover: config.rollout.newClientsCutover,
    onError: (err) => ctx.logger.warn({ err: (err as Error).message }, 'client creation lookup failed'),
  });

  const tracing = activeTracing();
  await registerProxy(app, config);
  const consoleRoot = await registerConsole(app, config.gateway.consoleDir);

  const authenticator = new Authenticator(verifier, () => ctx.clock.now().getTime(), revocations.list);
  const pipeline = createPipeline({
    catalogue,
    authenticator,
    clientAge,
    rewriter: new Rewriter(catalogue, signer, { dropTraceContext: tracing !== null, trustedProxies: config.server.trustedProxies }),
    recorder,
    flags: () => ({
      legacyHeaders: ctx.flags.get('gateway.legacyHeaders'),
      strictMode: ctx.flags.get('gateway.strictMode'),
      tenantOverride: ctx.flags.get('gateway.tenantOverride'),
      allowScopeHeader: ctx.flags.get('gateway.allowScopeHeader'),
      legacyWindow: legacyWindowFlags(config.rollout, ctx.clock.now().getTime()),
    }),
    emitsLegacy: (flag) => ctx.flags.value(flag) === true,
  });
  app.decorateRequest('gatewayForward', null);

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

  await app.register(async (proxied) => {
    // Bodies pass through untouched (webhook signatures cover the exact bytes).
    proxied.removeAllContentTypeParsers();
    proxied.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    proxied.route({
      method: [...METHODS],
      url: '/*',
      // Not async: a request with a cached token is forwarded without a promise; `handle`
      // returns one only when a stage waits, and Fastify awaits it.
      handler: (req, reply) => {
        const q = req.url.indexOf('?');
        const path = q === -1 ? req.url : req.url.slice(0, q);
        const query = q === -1 ? '' : req.url.slice(q);
        const route = table.match(path);
        if (route === null) {
          if (consoleRoot && (req.method === 'GET' || req.method === 'HEAD') && serveConsole(consoleRoot, req, reply, path)) {
            req.metricsRoute = CONSOLE_ROUTE;
            return undefined;
          }
          sendProblem(reply, req, 'not_found', `no route for ${req.method} ${path}`);
          return undefined;
        }
        // The route table's prefix: bounded by the configuration, whatever path was asked for.
        req.metricsRoute = route.prefix;
        // The span is named after the route's prefix: bounded, and never the raw URL.
        tracing?.nameRequest(req.method, `${route.prefix}*`, { 'tenantgate.upstream': route.upstreamName });
        const refusal = pathRefusal(table, route, path);
        if (refusal !== null) {
          sendProblem(reply, req, 'validation_failed', refusal);
          return undefined;
        }
        const handled = pipeline.handle(req, reply, route, path, query);
        // A reply is thenable: returning it would make Fastify wait on it through a promise.
        return handled instanceof Promise ? handled : undefined;
      },
    });
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, req, 'not_found', `no route for ${req.method} ${req.url.split('?')[0]}`));

  void keys.refresh();
  // Keys the Authority pre-publishes arrive without waiting for an unknown kid.
  const jwksTimer = setInterval(() => void keys.refresh(), Math.max(config.gateway.jwksCooldownMs * 10, 60_000));
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
      await recorder.close();
    },
  };
}
