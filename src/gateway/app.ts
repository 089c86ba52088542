/**
 * The gateway app: `classify → authenticate → decide → rewrite → proxy → record` for every
 * routed request, the console SPA for browser navigation, 404 problem+json for the rest.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { issuer, componentUrl } from '../config/schema.ts';
import { tenantConflictCode } from '../contract/errors.ts';
import { loadPolicy } from '../rollout/policy/load.ts';
import { createApp, sendProblem } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { classifyHeaders } from './classify.ts';
import { ClientAgeLookup } from './client-age.ts';
import { registerConsole, serveConsole } from './console.ts';
import { decide, needsClientAge, type GatewayFlags, type TokenIdentity } from './decide.ts';
import type { EnvelopeSigningKey } from './envelope.ts';
import { EnvelopeSigner } from './envelope-signer.ts';
import { compileHeaderCatalogue } from './header-catalogue.ts';
import { JwksCache } from './jwks-cache.ts';
import { registerProxy, answerUpstreamFailure } from './proxy.ts';
import { GatewayRecorder } from './record.ts';
import { ANONYMOUS_ACTOR, rewriteHeaders, type DownstreamIdentity } from './rewrite.ts';
import { compileRoutes, isCanonicalPath, type CompiledRoute } from './routes.ts';
import { TokenVerifier } from './verify-token.ts';

interface Forward {
  route: CompiledRoute;
  identity: DownstreamIdentity;
  emitLegacy: boolean;
  target: string;
}

export interface GatewayApp {
  app: FastifyInstance;
  recorder: GatewayRecorder;
  keys: JwksCache;
  verifier: TokenVerifier;
  close(): Promise<void>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
/** Characters the WHATWG URL parser leaves untouched in a path: no re-encoding to predict. */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

export async function buildGatewayApp(ctx: ComponentContext, signingKey: EnvelopeSigningKey): Promise<GatewayApp> {
  const { config } = ctx;
  const app = createApp(ctx, { customNotFound: true });
  const catalogue = compileHeaderCatalogue(ctx.profile);
  const table = compileRoutes(config);
  const recorder = new GatewayRecorder(ctx);
  const signer = new EnvelopeSigner(signingKey, config.gateway.envelopeTtlSeconds, () => ctx.clock.now().getTime());
  const authorityBase = (config.gateway.authorityUrl ?? componentUrl(config, 'authority')).replace(/\/$/, '');
  const keys = new JwksCache({
    url: `${authorityBase}/.well-known/jwks.json`,
    cooldownMs: config.gateway.jwksCooldownMs,
    onRefresh: (result, err) => {
      recorder.jwksRefreshes.inc({ result });
      if (err) ctx.logger.warn({ err: (err as Error).message }, 'JWKS fetch failed; verifying with cached keys');
    },
  });
  const verifier = new TokenVerifier({
    keys,
    issuer: issuer(config),
    audience: config.authority.audience,
    clockSkewSeconds: config.gateway.clockSkewSeconds,
    cacheSize: config.gateway.tokenCacheSize,
    profile: ctx.profile,
    now: () => ctx.clock.now().getTime(),
  });
  const clientAge = new ClientAgeLookup({
    pool: ctx.db.pool,
    // One source for the cut-over: the rollout policy document in force.
    cutover: loadPolicy(config).strictRollout.newClientsCutover,
    onError: (err) => ctx.logger.warn({ err: (err as Error).message }, 'client creation lookup failed'),
  });

  await registerProxy(app, config);
  const consoleRoot = await registerConsole(app, config.gateway.consoleDir);

  const flags = (): GatewayFlags => ({
    legacyHeaders: ctx.flags.get('gateway.legacyHeaders'),
    strictMode: ctx.flags.get('gateway.strictMode'),
    tenantOverride: ctx.flags.get('gateway.tenantOverride'),
    allowScopeHeader: ctx.flags.get('gateway.allowScopeHeader'),
  });

  type Authentication = { token: TokenIdentity | null; reason: string };

  /** Answers without a promise when it can (no or malformed credentials, a cached token). */
  function authenticateSync(authorization: string[]): Authentication | string {
    if (authorization.length === 0) return { token: null, reason: 'no bearer token' };
    // Two credentials on one request are ambiguous: neither is trusted.
    if (authorization.length > 1) return { token: null, reason: 'more than one Authorization header' };
    const m = BEARER.exec(authorization[0]);
    if (!m) return { token: null, reason: 'Authorization is not a bearer token' };
    const hit = verifier.cached(m[1]);
    return hit?.ok ? { token: hit.identity, reason: '' } : m[1];
  }

  async function authenticate(authorization: string[]): Promise<Authentication> {
    const quick = authenticateSync(authorization);
    if (typeof quick !== 'string') return quick;
    const result = await verifier.verify(quick);
    return result.ok ? { token: result.identity, reason: '' } : { token: null, reason: `token rejected (${result.reason})` };
  }

  async function handle(req: FastifyRequest, reply: FastifyReply, route: CompiledRoute, path: string, query: string) {
    const classification = classifyHeaders(req.raw.rawHeaders, catalogue);
    const flagValues = flags();
    let auth: Authentication | null = null;
    if (route.access === 'protected') {
      const quick = authenticateSync(classification.authorization);
      auth = typeof quick === 'string' ? await authenticate(classification.authorization) : quick;
    }
    const token = auth?.token ?? null;
    const clientIsNew = token && needsClientAge(flagValues, token, classification.requested) ? await clientAge.isNew(token.clientId) : null;
    const decision = decide({
      route: { access: route.access, requiredScopes: route.scopesFor(req.method), conflictCode: tenantConflictCode(route.module) },
      token,
      requested: classification.requested,
      invalidTenantHeaders: classification.invalidTenantHeaders,
      scopeOverride: classification.scopeOverride,
      hopByHop: classification.hopByHop,
      flags: flagValues,
      clientIsNew,
    });
    recorder.record({ classification, decision, token, method: req.method, path, requestId: req.id });
    if (!decision.pass) return sendProblem(reply, req, decision.code, decision.code === 'unauthorized' && auth ? `${decision.detail}: ${auth.reason}` : decision.detail);

    const identity: DownstreamIdentity =
      token && decision.tenant !== null
        ? { tenant: decision.tenant, actor: token.subject, client: token.clientId, scopes: decision.scopes }
        : { tenant: null, actor: ANONYMOUS_ACTOR, client: null, scopes: [] };
    const target = (PLAIN_PATH.test(path) ? path : new URL(path, route.origin).pathname) + query;
    const emitLegacy = route.emitLegacyFlag !== null && ctx.flags.get(route.emitLegacyFlag) === true;
    forwards.set(req, { route, identity, emitLegacy, target });
    return reply.from(path, fromOptions);
  }

  // One options object for every forward (no per-request closures); the per-request part
  // travels in `forwards`.
  const forwards = new WeakMap<object, Forward>();
  const fromOptions: FastifyReplyFromHooks = {
    getUpstream: (req) => forwards.get(req)!.route.origin,
    retryDelay: () => null,
    rewriteRequestHeaders: (req, headers) => {
      const f = forwards.get(req)!;
      return rewriteHeaders({
        headers: headers as IncomingHttpHeaders,
        catalogue,
        identity: f.identity,
        emitLegacy: f.emitLegacy,
        forwardAuthorization: f.route.forwardAuthorization,
        signer,
        method: req.method,
        target: f.target,
      });
    },
    onError: (r, { error }) => {
      const reply = r as unknown as FastifyReply;
      const failure = answerUpstreamFailure(reply, error as { statusCode?: number; code?: string; cause?: unknown });
      const route = forwards.get(reply.request)?.route;
      recorder.upstreamErrors.inc({ upstream: route?.module ?? route?.prefix ?? 'unknown', code: failure.code });
    },
  };

  await app.register(async (proxied) => {
    // Bodies pass through untouched (webhook signatures cover the exact bytes).
    proxied.removeAllContentTypeParsers();
    proxied.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    proxied.route({
      method: [...METHODS],
      url: '/*',
      handler: async (req, reply) => {
        const q = req.url.indexOf('?');
        const path = q === -1 ? req.url : req.url.slice(0, q);
        const query = q === -1 ? '' : req.url.slice(q);
        const route = table.match(path);
        if (route === null) {
          if (consoleRoot && (req.method === 'GET' || req.method === 'HEAD')) {
            const served = serveConsole(consoleRoot, req, reply, path);
            if (served) return served;
          }
          return sendProblem(reply, req, 'not_found', `no route for ${req.method} ${path}`);
        }
        if (!isCanonicalPath(path)) return sendProblem(reply, req, 'validation_failed', 'the request path is not canonical (dot segments, encoded separators or backslashes)');
        return handle(req, reply, route, path, query);
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
    close: async () => {
      clearInterval(jwksTimer);
      await recorder.close();
    },
  };
}
