/**
 * The gateway pipeline for one routed request: classify → authenticate → decide → rewrite →
 * proxy → record. A request with a cached token runs through synchronously; a promise
 * appears only when a stage has to wait (a token not yet verified, a client-age lookup).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tenantConflictCode } from '../contract/errors.ts';
import { sendProblem } from '../host/app.ts';
import type { Authenticator } from './authenticate.ts';
import { classifyHeaders } from './classify.ts';
import type { ClientAgeLookup } from './client-age.ts';
import { decide, needsClientAge, type GatewayFlags } from './decide.ts';
import type { HeaderCatalogue } from './header-catalogue.ts';
import { answerUpstreamFailure } from './proxy.ts';
import type { GatewayRecorder } from './record.ts';
import type { Rewriter } from './rewrite.ts';
import type { CompiledRoute } from './routes.ts';
import type { InFlight } from './stages.ts';

export interface PipelineStages {
  catalogue: HeaderCatalogue;
  authenticator: Authenticator;
  clientAge: ClientAgeLookup;
  rewriter: Rewriter;
  recorder: GatewayRecorder;
  /** The live gateway flags (read once per request). */
  flags(): GatewayFlags;
  /** Whether the route's module still gets the legacy headers written. */
  emitsLegacy(flag: string): boolean;
}

export interface Pipeline {
  /** Runs the pipeline; returns the reply, or a promise of it when a stage waits. */
  handle(req: FastifyRequest, reply: FastifyReply, route: CompiledRoute, path: string, query: string): FastifyReply | Promise<FastifyReply>;
  /** The proxy hooks: one object for every forward, the per-request part on `req.gatewayForward`. */
  fromOptions: FastifyReplyFromHooks;
}

/** Characters the WHATWG URL parser leaves untouched in a path: no re-encoding to predict. */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

export function createPipeline(stages: PipelineStages): Pipeline {
  const { catalogue, authenticator, clientAge, rewriter, recorder } = stages;

  function handle(req: FastifyRequest, reply: FastifyReply, route: CompiledRoute, path: string, query: string): FastifyReply | Promise<FastifyReply> {
    const classification = classifyHeaders(req.raw.rawHeaders, catalogue);
    const r: InFlight = { req, reply, route, path, query, classification, flags: stages.flags(), auth: null };
    if (route.access === 'public') return decideAndForward(r, null);
    const connection = req.raw.socket;
    const quick = authenticator.quick(classification.authorization, connection);
    if (typeof quick !== 'string') {
      r.auth = quick;
      return withClientAge(r);
    }
    return authenticator.verify(quick, classification.authorization[0], connection).then((auth) => {
      if (auth.unavailable) {
        return sendProblem(reply, req, 'unavailable', 'the gateway holds no token verification keys: the Authority and its published key set are unreachable');
      }
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
    if (!decision.pass) {
      const detail = decision.code === 'unauthorized' && auth ? `${decision.detail}: ${auth.reason}` : decision.detail;
      return sendProblem(reply, req, decision.code, detail, undefined, {}, decision.code === 'insufficient_scope' ? route.scopesFor(req.method).join(' ') : undefined);
    }
    const identity = token && decision.tenant !== null ? rewriter.identityFor(token, decision.tenant, decision.scopes) : rewriter.anonymous;
    const target = (PLAIN_PATH.test(r.path) ? r.path : new URL(r.path, route.origin).pathname) + r.query;
    const emitLegacy = route.emitLegacyFlag !== null && stages.emitsLegacy(route.emitLegacyFlag);
    req.gatewayForward = { route, identity, emitLegacy, target };
    return reply.from(r.path, fromOptions);
  }

  const fromOptions: FastifyReplyFromHooks = {
    getUpstream: (req) => req.gatewayForward!.route.origin,
    retryDelay: () => null,
    rewriteRequestHeaders: (req, headers) => {
      const f = req.gatewayForward!;
      const inbound = headers as IncomingHttpHeaders;
      // `Expect` is hop-by-hop: the gateway's server already answered 100 Continue and holds
      // the body, and undici refuses to send the header (which answered 502).
      if (inbound.expect !== undefined) delete inbound.expect;
      return rewriter.headers({
        headers: inbound,
        identity: f.identity,
        emitLegacy: f.emitLegacy,
        forwardAuthorization: f.route.forwardAuthorization,
        method: req.method,
        target: f.target,
        audience: f.route.upstreamName,
        peerAddress: req.raw.socket.remoteAddress,
      });
    },
    onError: (r, { error }) => {
      const reply = r as unknown as FastifyReply;
      const failure = answerUpstreamFailure(reply, error as { statusCode?: number; code?: string; cause?: unknown });
      const route = reply.request.gatewayForward?.route;
      recorder.upstreamErrors.inc({ upstream: route?.module ?? route?.prefix ?? 'unknown', code: failure.code });
    },
  };

  return { handle, fromOptions };
}
