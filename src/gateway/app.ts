/**
 * The gateway app: `classify → authenticate → decide → rewrite → proxy → record` for every
 * routed request, the console SPA for browser navigation, 404 problem+json for the rest.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { issuer, componentUrl } from '../config/schema.ts';
import { tenantConflictCode } from '../contract/errors.ts';
import { createApp, sendProblem } from '../host/app.ts';
import type { ComponentContext } from '../host/context.ts';
import { Authenticator, type Authentication } from './authenticate.ts';
import { classifyHeaders, type Classification } from './classify.ts';
import { ClientAgeLookup } from './client-age.ts';
import { registerConsole, serveConsole } from './console.ts';
import { decide, needsClientAge, type GatewayFlags } from './decide.ts';
import type { EnvelopeSigningKey } from '../identity/envelope.ts';
import { EnvelopeSigner } from './envelope-signer.ts';
import { compileHeaderCatalogue } from './header-catalogue.ts';
import { JwksCache } from './jwks-cache.ts';
import { registerProxy, answerUpstreamFailure } from './proxy.ts';
import { GatewayRecorder } from './record.ts';
import { Rewriter, type DownstreamIdentity } from './rewrite.ts';
import { compileRoutes, isCanonicalPath, type CompiledRoute } from './routes.ts';
import { TokenVerifier } from './verify-token.ts';

interface Forward {
  route: CompiledRoute;
  identity: DownstreamIdentity;
  emitLegacy: boolean;
  target: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the pipeline for a request it forwards: what the proxy hooks need. */
    gatewayForward: Forward | null;
  }
}

export interface GatewayApp {
  app: FastifyInstance;
  recorder: GatewayRecorder;
  keys: JwksCache;
  verifier: TokenVerifier;
  close(): Promise<void>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
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
    // Filled from the rollout policy in force by the startup code (withPolicyDefaults).
    cutover: config.rollout.newClientsCutover,
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

  const authenticator = new Authenticator(verifier, () => ctx.clock.now().getTime());
  const rewriter = new Rewriter(catalogue, signer);

  /** One request between stages; the parts that may wait (token, client age) chain on it. */
  interface InFlight {
    req: FastifyRequest;
    reply: FastifyReply;
    route: CompiledRoute;
    path: string;
    query: string;
    classification: Classification;
    flags: GatewayFlags;
    auth: Authentication | null;
  }

  /**
   * Runs the pipeline. Returns a promise only when a stage has to wait (a token not yet
   * verified, a client-age lookup); a request with a cached token runs through synchronously.
   * The promise resolves to the reply, which Fastify awaits until the response is finished.
   */
  function handle(req: FastifyRequest, reply: FastifyReply, route: CompiledRoute, path: string, query: string): FastifyReply | Promise<FastifyReply> {
    const classification = classifyHeaders(req.raw.rawHeaders, catalogue);
    const r: InFlight = { req, reply, route, path, query, classification, flags: flags(), auth: null };
    if (route.access === 'public') return decideAndForward(r, null);
    const connection = req.raw.socket;
    const quick = authenticator.quick(classification.authorization, connection);
    if (typeof quick !== 'string') {
      r.auth = quick;
      return withClientAge(r);
    }
    return authenticator.verify(quick, classification.authorization[0], connection).then((auth) => {
      r.auth = auth;
      return withClientAge(r);
    });
  }

  function withClientAge(r: InFlight): FastifyReply | Promise<FastifyReply> {
    const token = r.auth?.token ?? null;
    if (token && needsClientAge(r.flags, token, r.classification.requested)) return clientAge.isNew(token.clientId).then((isNew) => decideAndForward(r, isNew));
    return decideAndForward(r, null);
  }

  function decideAndForward(r: InFlight, clientIsNew: boolean | null): FastifyReply {
    const { req, reply, route, classification, auth } = r;
    const token = auth?.token ?? null;
    const decision = decide({
      route: { access: route.access, requiredScopes: route.scopesFor(req.method), conflictCode: tenantConflictCode(route.module) },
      token,
      requested: classification.requested,
      invalidTenantHeaders: classification.invalidTenantHeaders,
      scopeOverride: classification.scopeOverride,
      hopByHop: classification.hopByHop,
      flags: r.flags,
      clientIsNew,
    });
    recorder.record({ classification, decision, token, method: req.method, path: r.path, requestId: req.id });
    if (!decision.pass) return sendProblem(reply, req, decision.code, decision.code === 'unauthorized' && auth ? `${decision.detail}: ${auth.reason}` : decision.detail);
    const identity = token && decision.tenant !== null ? rewriter.identityFor(token, decision.tenant, decision.scopes) : rewriter.anonymous;
    const target = (PLAIN_PATH.test(r.path) ? r.path : new URL(r.path, route.origin).pathname) + r.query;
    const emitLegacy = route.emitLegacyFlag !== null && ctx.flags.get(route.emitLegacyFlag) === true;
    req.gatewayForward = { route, identity, emitLegacy, target };
    return reply.from(r.path, fromOptions);
  }

  // One options object for every forward (no per-request closures); the per-request part
  // travels on the request (`gatewayForward`).
  app.decorateRequest('gatewayForward', null);
  const fromOptions: FastifyReplyFromHooks = {
    getUpstream: (req) => req.gatewayForward!.route.origin,
    retryDelay: () => null,
    rewriteRequestHeaders: (req, headers) => {
      const f = req.gatewayForward!;
      return rewriter.headers({
        headers: headers as IncomingHttpHeaders,
        identity: f.identity,
        emitLegacy: f.emitLegacy,
        forwardAuthorization: f.route.forwardAuthorization,
        method: req.method,
        target: f.target,
      });
    },
    onError: (r, { error }) => {
      const reply = r as unknown as FastifyReply;
      const failure = answerUpstreamFailure(reply, error as { statusCode?: number; code?: string; cause?: unknown });
      const route = reply.request.gatewayForward?.route;
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
      // Not async: a request with a cached token is forwarded without a promise; `handle`
      // returns one only when a stage waits, and Fastify awaits it.
      handler: (req, reply) => {
        const q = req.url.indexOf('?');
        const path = q === -1 ? req.url : req.url.slice(0, q);
        const query = q === -1 ? '' : req.url.slice(q);
        const route = table.match(path);
        if (route === null) {
          if (consoleRoot && (req.method === 'GET' || req.method === 'HEAD') && serveConsole(consoleRoot, req, reply, path)) return undefined;
          sendProblem(reply, req, 'not_found', `no route for ${req.method} ${path}`);
          return undefined;
        }
        if (!isCanonicalPath(path)) {
          sendProblem(reply, req, 'validation_failed', 'the request path is not canonical (dot segments, encoded separators or backslashes)');
          return undefined;
        }
        const handled = handle(req, reply, route, path, query);
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
    close: async () => {
      clearInterval(jwksTimer);
      await recorder.close();
    },
  };
}
