/**
 * Bearer authentication for the Authority's own routes (/console/*, /admin/* and the
 * extensions mounted there). The Authority verifies the token again itself even behind the
 * gateway, and additionally refuses revoked tokens and tokens whose caller is no longer
 * assigned to the token's tenant.
 */
import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { cutoverStartMs, strictModeApplies, strictModeNeedsClientAge } from '../../contract/strict-mode.ts';
import { sendProblem } from '../../host/app.ts';
import { signals } from '../../telemetry/signals.ts';
import { roleAllowedScopes } from '../grants/token-scope.ts';
import type { AuthorityServices } from '../services.ts';
import { currentAssignment } from '../store/current-assignment.ts';
import { isAccessTokenRevoked } from '../tokens/revoked-access-tokens.ts';
import { validateAccessToken, type TokenValidation } from '../tokens/validate-access-token.ts';

export interface Principal {
  subject: string;
  clientId: string;
  tenant: string;
  scopes: string[];
  allowedTenants: string[] | null;
  tokenId: string;
  expiresAt: number;
  claims: Record<string, unknown>;
  /** The raw bearer token (for self-introspection). */
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Whether a legacy tenant claim may stand in for the selected-tenant claim for this client
 * right now: the same strict-mode rule the gateway applies (src/contract/strict-mode.ts).
 */
export async function legacyTenantClaimAllowed(services: AuthorityServices, clientId: string): Promise<boolean> {
  const { flags, config } = services.ctx;
  const mode = { legacyHeaders: flags.get('gateway.legacyHeaders'), strictMode: flags.get('gateway.strictMode') };
  let clientIsNew: boolean | null = null;
  const cutover = config.rollout.newClientsCutover;
  if (strictModeNeedsClientAge(mode) && cutover !== undefined) {
    const client = await services.clients.get(clientId);
    clientIsNew = client ? Date.parse(client.createdAt) >= cutoverStartMs(cutover) : null;
  }
  return !strictModeApplies(mode, clientIsNew);
}

/** Validates a token against this Authority's keys and settings (no database checks). */
export function validateOwnToken(services: AuthorityServices, token: string): Promise<TokenValidation> {
  const { config, profile } = services.ctx;
  return validateAccessToken(token, {
    issuer: services.issuer,
    audience: services.audience,
    profile,
    clockSkewSeconds: config.gateway.clockSkewSeconds,
    keyFor: (kid) => services.keys.verifier(kid),
    legacyTenantClaimAllowed: (clientId) => legacyTenantClaimAllowed(services, clientId),
    now: services.ctx.clock.now(),
  });
}

export function bearerAuthentication(services: AuthorityServices) {
  async function authenticate(req: FastifyRequest): Promise<Principal | null> {
    if (req.principal) return req.principal;
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) return null;
    const validation = await validateOwnToken(services, match[1]);
    if (!validation.ok) {
      req.log.debug({ reason: validation.reason }, 'bearer token rejected');
      return null;
    }
    const t = validation.token;
    if (await isAccessTokenRevoked(services.ctx.db, t)) return null;
    // The Authority can see the database, so it applies introspection's rule too: still assigned.
    const current = await currentAssignment(services.ctx.db, t.clientId, t.subject);
    if (!current || !current.assigned.includes(t.tenant)) return null;
    if (t.legacyTenantClaim) services.ctx.counters.increment(signals.authorityLegacyTidClaim, { client: t.clientId, tenant: t.tenant });
    // Roles as they are now: a lowered role or a removed fleet role takes effect at once on the Authority's routes.
    const allowed = roleAllowedScopes(current.user ?? current.client, t.tenant, current.user !== null, services.roles);
    req.principal = {
      subject: t.subject,
      clientId: t.clientId,
      tenant: t.tenant,
      scopes: t.scopes.filter((s) => allowed.has(s)),
      allowedTenants: t.allowedTenants,
      tokenId: t.tokenId,
      expiresAt: t.expiresAt,
      claims: t.claims,
      token: match[1],
    };
    return req.principal;
  }

  /** preHandler: 401 without a valid token; 403 `insufficient_scope` unless it holds one of `anyOf` (any valid token when empty). */
  function requireAnyScope(anyOf: readonly string[]): preHandlerHookHandler {
    return async (req: FastifyRequest, reply: FastifyReply) => {
      const principal = await authenticate(req);
      if (!principal) return sendProblem(reply, req, 'unauthorized', 'a valid bearer token is required');
      if (anyOf.length > 0 && !anyOf.some((s) => principal.scopes.includes(s))) {
        return sendProblem(reply, req, 'insufficient_scope', `this route requires the scope ${anyOf.join(' or ')}`, undefined, {}, anyOf[0]);
      }
    };
  }

  function requireScope(scope: string | null): preHandlerHookHandler {
    return requireAnyScope(scope === null ? [] : [scope]);
  }

  return { authenticate, requireScope, requireAnyScope };
}

export type BearerAuthentication = ReturnType<typeof bearerAuthentication>;
