/**
 * The gateway pipeline for one routed request: classify → authenticate → decide → rewrite →
 * proxy → record, on Node's own request and response (the data plane, data-plane.ts, hands
 * them over before any framework sees them). A request with a cached token runs through
 * synchronously up to the upstream dispatch; a promise appears only when a stage has to wait
 * (a token not yet verified, a client-age lookup).
 */
import { tenantConflictCode } from '../contract/errors.ts';
import { DatabaseUnavailableError } from '../db/unavailable.ts';
import { writeProblem, type RawProblem } from '../host/problem-response.ts';
import type { Authenticator } from './authenticate.ts';
import { classifyHeaders } from './classify.ts';
import type { ClientAgeLookup } from './client-age.ts';
import { decide, needsClientAge, type GatewayFlags } from './decide.ts';
import type { Upstreams } from './forward.ts';
import type { HeaderCatalogue } from './header-catalogue.ts';
import type { GatewayRecorder } from './record.ts';
import type { Rewriter } from './rewrite.ts';
import type { InFlight } from './stages.ts';

export interface PipelineStages {
  catalogue: HeaderCatalogue;
  authenticator: Authenticator;
  clientAge: ClientAgeLookup;
  rewriter: Rewriter;
  upstreams: Upstreams;
  recorder: GatewayRecorder;
  /** The live gateway flags (read once per request). */
  flags(): GatewayFlags;
  /** Whether the route's module still gets the legacy headers written. */
  emitsLegacy(flag: string): boolean;
  /** Runs once per request, when its answer is complete (or the client left: 499). */
  answered(r: InFlight, status: number): void;
  /** A stage failed unexpectedly (not an outage): logged with the request id. */
  failed(err: unknown, requestId: string): void;
}

export interface Pipeline {
  handle(r: Omit<InFlight, 'classification' | 'flags' | 'auth'>): void;
}

/** Characters the WHATWG URL parser leaves untouched in a path: no re-encoding to predict. */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;

export function createPipeline(stages: PipelineStages): Pipeline {
  const { catalogue, authenticator, clientAge, rewriter, recorder, upstreams } = stages;

  function refuse(r: InFlight, p: RawProblem): void {
    const authorization = r.classification.authorization.length === 1 ? r.classification.authorization[0] : r.req.headers.authorization;
    stages.answered(r, writeProblem(r.res, r.requestId, authorization, p));
  }

  /** A waiting stage that failed: an outage is a 503, anything else a 500 (logged). */
  function waitFailed(r: InFlight, err: unknown): void {
    if (err instanceof DatabaseUnavailableError) return refuse(r, { code: 'unavailable', detail: err.message });
    stages.failed(err, r.requestId);
    refuse(r, { code: 'internal_error', detail: 'an internal error occurred; see the server log for the trace id' });
  }

  function handle(start: Omit<InFlight, 'classification' | 'flags' | 'auth'>): void {
    const r = start as InFlight;
    r.classification = classifyHeaders(r.req.rawHeaders, catalogue);
    r.flags = stages.flags();
    r.auth = null;
    if (r.route.access === 'public') return decideAndForward(r, null);
    const connection = r.req.socket;
    const quick = authenticator.quick(r.classification.authorization, connection);
    if (typeof quick !== 'string') {
      r.auth = quick;
      return withClientAge(r);
    }
    authenticator.verify(quick, r.classification.authorization[0], connection).then(
      (auth) => {
        if (auth.unavailable) {
          return refuse(r, { code: 'unavailable', detail: 'the gateway holds no token verification keys: the Authority and its published key set are unreachable' });
        }
        r.auth = auth;
        withClientAge(r);
      },
      (err: unknown) => waitFailed(r, err),
    );
  }

  function withClientAge(r: InFlight): void {
    const token = r.auth?.token ?? null;
    if (token && needsClientAge(r.flags, token, r.classification.requested)) {
      clientAge.isNew(token.clientId).then(
        (isNew) => decideAndForward(r, isNew),
        (err: unknown) => waitFailed(r, err),
      );
      return;
    }
    decideAndForward(r, null);
  }

  function decideAndForward(r: InFlight, clientIsNew: boolean | null): void {
    const { req, route, classification, auth } = r;
    const method = req.method ?? 'GET';
    const token = auth?.token ?? null;
    const decision = decide({
      route: { access: route.access, requiredScopes: route.scopesFor(method), conflictCode: tenantConflictCode(route.module) },
      token,
      requested: classification.requested,
      invalidTenantHeaders: classification.invalidTenantHeaders,
      scopeOverride: classification.scopeOverride,
      hopByHop: classification.hopByHop,
      flags: r.flags,
      clientIsNew,
    });
    recorder.record({ classification, decision, token, method, path: r.path, requestId: r.requestId });
    if (!decision.pass) {
      const detail = decision.code === 'unauthorized' && auth ? `${decision.detail}: ${auth.reason}` : decision.detail;
      return refuse(r, { code: decision.code, detail, ...(decision.code === 'insufficient_scope' ? { requiredScope: route.scopesFor(method).join(' ') } : {}) });
    }
    const identity = token && decision.tenant !== null ? rewriter.identityFor(token, decision.tenant, decision.scopes) : rewriter.anonymous;
    const target = (PLAIN_PATH.test(r.path) ? r.path : new URL(r.path, route.origin).pathname) + r.query;
    const headers = rewriter.headerList({
      headers: req.headers,
      identity,
      emitLegacy: route.emitLegacyFlag !== null && stages.emitsLegacy(route.emitLegacyFlag),
      forwardAuthorization: route.forwardAuthorization,
      method,
      target,
      audience: route.upstreamName,
      peerAddress: req.socket.remoteAddress,
      host: route.host,
    });
    upstreams.forward({ req, res: r.res, origin: route.origin, method, target, headers, requestId: r.requestId }, (outcome) => {
      if (outcome.failure === undefined) return stages.answered(r, outcome.status);
      recorder.upstreamErrors.inc({ upstream: route.module ?? route.prefix, code: outcome.failure.code });
      if (outcome.status === 0) return refuse(r, { code: outcome.failure.code, detail: outcome.failure.detail });
      stages.answered(r, outcome.status);
    });
  }

  return { handle };
}
