/**
 * GET/POST /connect/authorize: the authorization-code flow's login page. The redirect URI
 * must match a registered one exactly; public clients must send a PKCE S256 challenge. When
 * the user's tenant would be ambiguous the page asks which tenant; the answer travels in a
 * short-lived sealed ticket, never in a stored preference. The ticket is single-use and bound
 * to the browser's sign-in session, and every form POST carries that session's CSRF token
 * (login-session.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TenantgateError, type ErrorCode } from '../../contract/errors.ts';
import { selectTenant } from '../../contract/selection.ts';
import { seal, unseal } from '../../crypto/sealed.ts';
import { scopeRequest } from '../grants/token-scope.ts';
import { verifyAgainstDecoy, verifyPassword } from '../secrets/password.ts';
import type { AuthorityServices } from '../services.ts';
import type { ClientRecord } from '../store/clients.ts';
import { tenantDisplayNames } from '../store/tenants.ts';
import { findUserById, findUserByName, type UserRecord } from '../store/users.ts';
import { createAuthorizationCode } from '../tokens/authorization-codes.ts';
import { consumeLoginTicket } from '../tokens/login-tickets.ts';
import { renderErrorPage, renderLoginPage, renderTenantChoice } from './authorize-page.ts';
import { allValues, formBodySchema, singleValue, type FormBody } from './form-params.ts';
import { CSRF_FIELD, LoginSessions } from './login-session.ts';
import { OAuthError, type OAuthErrorName } from './oauth-error.ts';
import type { RateLimitCheck } from './rate-limit.ts';
import type { BruteForceGuard } from './brute-force.ts';
import type { ThrottleSubject } from '../throttle/authentication-throttle.ts';

const PARAMS = ['response_type', 'client_id', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'] as const;
const TICKET_CONTEXT = 'tenantgate:authorize-ticket';
const TICKET_TTL_MS = 5 * 60_000;
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** What the sealed tenant-choice ticket carries. */
interface Ticket {
  /** The ticket's id, recorded when it is used. */
  n: string;
  /** The sign-in session it belongs to (LoginSessions.ticketBinding). */
  s: string;
  u: string;
  p: Record<string, string | undefined>;
  t: string[];
  exp: number;
}

interface AuthorizeRequest {
  client: ClientRecord;
  redirectUri: string;
  params: Record<string, string | undefined>;
  tenantValues: string[];
}

/** An error that must not be redirected (unknown client or redirect URI): shown on the page. */
class PageError extends TenantgateError {
  constructor(message: string) {
    super('invalid_request', message);
  }
}

async function readRequest(services: AuthorityServices, source: FormBody): Promise<AuthorizeRequest> {
  const params: Record<string, string | undefined> = {};
  try {
    for (const name of PARAMS) params[name] = singleValue(source, name);
  } catch {
    throw new PageError('a parameter was sent more than once');
  }
  if (!params.client_id) throw new PageError('client_id is missing');
  const client = await services.clients.get(params.client_id);
  if (!client) throw new PageError('the client is unknown');
  if (client.disabled) throw new PageError('the client is disabled');
  if (!params.redirect_uri || !client.redirectUris.includes(params.redirect_uri)) throw new PageError('redirect_uri is not registered for this client');
  const tenantParameter = services.ctx.profile.tenantParameter;
  const tenantValues = allValues(source, tenantParameter);
  const request = { client, redirectUri: params.redirect_uri, params, tenantValues };
  if (params.response_type !== 'code') throw redirectError('unsupported_response_type', 'only response_type=code is supported');
  if (!client.grantTypes.includes('authorization_code')) throw redirectError('unauthorized_client', 'this client may not use the authorization-code flow');
  if (params.code_challenge !== undefined || client.public) {
    if (params.code_challenge === undefined) throw redirectError('invalid_request', 'code_challenge (PKCE S256) is required');
    if ((params.code_challenge_method ?? 'plain') !== 'S256') throw redirectError('invalid_request', 'code_challenge_method must be S256');
    if (!CHALLENGE.test(params.code_challenge)) throw redirectError('invalid_request', 'code_challenge is malformed');
  }
  return request;
}

function redirectError(error: OAuthErrorName, description: string, errorCode: ErrorCode = error) {
  return Object.assign(new OAuthError('invalid_request', description, errorCode), { redirectErrorName: error });
}

function redirectTo(reply: FastifyReply, services: AuthorityServices, redirectUri: string, values: Record<string, string | undefined>) {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(values)) if (v !== undefined) url.searchParams.set(k, v);
  url.searchParams.set('iss', services.issuer);
  return reply.code(302).header('location', url.toString()).header('cache-control', 'no-store').send();
}

function sendPage(reply: FastifyReply, html: string, status = 200) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    // No script at all; the form posts to this origin and its answer may redirect to the client.
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(html);
}

export function authorizeRoutes(services: AuthorityServices, withinLimits: RateLimitCheck, guard: BruteForceGuard) {
  const kek = services.ctx.keyEncryptionKey;
  const tenantParameter = services.ctx.profile.tenantParameter;
  const sessions = new LoginSessions(kek, services.issuer.startsWith('https:'));

  /** `retry`: the user answered a tenant choice already (a wrong answer shows the choice again). */
  async function finish(reply: FastifyReply, request: AuthorizeRequest, user: UserRecord, requested: string[], session: string, retry: boolean) {
    const { client, params } = request;
    let scopes: string[];
    try {
      // Roles narrow the scopes at the token endpoint, once the tenant is final.
      scopes = scopeRequest(params.scope, client.scopes).wanted;
    } catch (err) {
      return redirectTo(reply, services, request.redirectUri, { error: 'invalid_scope', error_description: (err as Error).message, state: params.state });
    }
    const selection = selectTenant({
      grant: 'authorization_code',
      client: { tenant: client.tenant, tenants: client.tenants },
      user: { tenant: user.tenant, tenants: user.tenants },
      requested,
    });
    if (!selection.ok) {
      if (selection.code === 'tenant_ambiguous' || (retry && selection.code !== 'duplicate_parameter')) {
        // A fresh ticket each time: the one just answered is used up.
        const state: Ticket = { n: randomUUID(), s: sessions.ticketBinding(session), u: user.id, p: params, t: request.tenantValues, exp: Date.now() + TICKET_TTL_MS };
        const ticket = seal(JSON.stringify(state), kek, TICKET_CONTEXT);
        const tenants = await tenantDisplayNames(services.ctx.db, selection.assigned);
        return sendPage(reply, renderTenantChoice({ ticket, csrf: sessions.csrfToken(session), tenants, error: retry ? 'Choose one of the listed tenants.' : null, parameter: tenantParameter }));
      }
      await services.audit.write({
        type: 'authority.token.tenant_rejected',
        outcome: 'denied',
        actor: user.id,
        client: client.clientId,
        properties: { code: selection.code, grant: 'authorization_code', subject: user.id, requested: selection.requested, assigned: selection.assigned, stage: 'authorize' },
      });
      services.metrics.tenantRejected('authorization_code', selection.code, client.clientId);
      return redirectTo(reply, services, request.redirectUri, { error: 'invalid_request', error_description: selection.detail, error_code: selection.code, state: params.state });
    }
    const code = await createAuthorizationCode(services.ctx.db, {
      clientId: client.clientId,
      userId: user.id,
      redirectUri: request.redirectUri,
      scopes,
      requestedTenant: selection.how === 'requested' ? selection.tenant : null,
      codeChallenge: params.code_challenge ?? null,
      nonce: params.nonce ?? null,
      ttlSeconds: services.ctx.config.authority.authorizationCodeTtlSeconds,
    });
    return redirectTo(reply, services, request.redirectUri, { code, state: params.state });
  }

  async function handle(reply: FastifyReply, source: FormBody, render: (request: AuthorizeRequest) => Promise<unknown>) {
    let request: AuthorizeRequest;
    try {
      request = await readRequest(services, source);
    } catch (err) {
      if (err instanceof PageError) return sendPage(reply, renderErrorPage(err.message), 400);
      if (err instanceof OAuthError) {
        const redirectUri = singleValue(source, 'redirect_uri') as string;
        const name = (err as OAuthError & { redirectErrorName?: string }).redirectErrorName ?? err.error;
        return redirectTo(reply, services, redirectUri, { error: name, error_description: err.description, state: singleValue(source, 'state') });
      }
      throw err;
    }
    return render(request);
  }

  return async (app: FastifyInstance) => {
    app.get('/connect/authorize', { schema: { querystring: formBodySchema } }, async (req, reply) =>
      handle(reply, req.query as FormBody, async (request) => {
        const session = sessions.ensure(req.headers.cookie);
        const params = { ...request.params };
        const carried = request.tenantValues.length ? { [tenantParameter]: request.tenantValues[0] } : {};
        if (request.tenantValues.length > 1) {
          return redirectTo(reply, services, request.redirectUri, { error: 'invalid_request', error_description: 'the tenant parameter was sent more than once', error_code: 'duplicate_parameter', state: params.state });
        }
        if (session.setCookie) reply.header('set-cookie', session.setCookie);
        return sendPage(reply, renderLoginPage({ clientName: request.client.displayName, params: { ...params, ...carried }, csrf: sessions.csrfToken(session.id), error: null }));
      }),
    );

    app.post(
      '/connect/authorize',
      {
        schema: { body: formBodySchema },
        preHandler: async (req, reply) => {
          if (!(await withinLimits(req, reply))) return reply;
        },
      },
      async (req, reply) => {
        const body = (req.body ?? {}) as FormBody;
        let csrf: string | undefined;
        try {
          csrf = singleValue(body, CSRF_FIELD);
        } catch {
          csrf = undefined;
        }
        const session = sessions.verify(req.headers.cookie, csrf);
        if (session === null) {
          return sendPage(reply, renderErrorPage('the sign-in form did not come from this browser session (missing or stale CSRF token); start again from the application'), 403);
        }
        if (singleValue(body, 'step') === 'tenant') {
          const ticket = singleValue(body, 'ticket') ?? '';
          let state: Ticket;
          try {
            state = JSON.parse(unseal(ticket, kek, TICKET_CONTEXT));
          } catch {
            return sendPage(reply, renderErrorPage('the sign-in form is invalid; start again from the application'), 400);
          }
          if (state.exp < Date.now()) return sendPage(reply, renderErrorPage('the sign-in took too long; start again from the application'), 400);
          if (state.s !== sessions.ticketBinding(session)) return sendPage(reply, renderErrorPage('the sign-in form belongs to another browser session; start again from the application'), 400);
          if (typeof state.n !== 'string' || !(await consumeLoginTicket(services.ctx.db, state.n, new Date(state.exp)))) {
            return sendPage(reply, renderErrorPage('the sign-in form was already used; start again from the application'), 400);
          }
          return handle(reply, state.p as FormBody, async (request) => {
            const user = await findUserById(services.ctx.db, state.u);
            if (!user || user.disabled) return sendPage(reply, renderErrorPage('the account no longer exists or is disabled'), 400);
            const choice = allValues(body, tenantParameter);
            return finish(reply, request, user, choice.length === 1 ? choice : [], session, true);
          });
        }
        return handle(reply, body, async (request) => {
          const username = singleValue(body, 'username') ?? '';
          const password = singleValue(body, 'password') ?? '';
          const carried = request.tenantValues.length ? { [tenantParameter]: request.tenantValues[0] } : {};
          const subjects: ThrottleSubject[] = [{ scope: 'user', value: username }, { scope: 'address', value: await guard.addressOf(req) }];
          const wait = guard.throttle.retryAfter(subjects);
          if (wait > 0) {
            // A browser gets the form back with the reason; any other caller problem+json.
            if (!(req.headers.accept ?? '').includes('text/html')) return guard.refuse(req, reply, wait);
            reply.header('retry-after', String(wait));
            const error = `Too many failed sign-ins. Try again in ${Math.ceil(wait / 60)} minute(s).`;
            return sendPage(reply, renderLoginPage({ clientName: request.client.displayName, params: { ...request.params, ...carried }, csrf: sessions.csrfToken(session), error, username }), 429);
          }
          const user = await findUserByName(services.ctx.db, username);
          const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDecoy(password);
          if (!user || !valid || user.disabled) {
            // A disabled account's sign-in counts as a failure too (as at the password grant): only a sign-in resets the count.
            await guard.failed(subjects, 'password', request.client.clientId);
            return sendPage(reply, renderLoginPage({ clientName: request.client.displayName, params: { ...request.params, ...carried }, csrf: sessions.csrfToken(session), error: 'The username or password is wrong, or the account is disabled.', username }), 401);
          }
          await guard.throttle.succeeded(subjects);
          return finish(reply, request, user, request.tenantValues, session, false);
        });
      },
    );
  };
}
