/**
 * The OpenID Connect UserInfo endpoint (Core §5.3): GET or POST with the access token as a
 * Bearer token in the Authorization header (RFC 6750 §2.1). The token must hold `openid`;
 * the answer is the user's `sub`, the selected tenant of the token, and `preferred_username`
 * when the token holds `profile`. Refusals are RFC 6750 challenges: 401 without or with an
 * invalid token, 403 `insufficient_scope` without `openid`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ContractError } from '../../contract/errors.ts';
import type { AuthorityServices } from '../services.ts';
import { currentAssignment } from '../store/current-assignment.ts';
import type { BearerAuthentication } from './authenticate.ts';

export const USERINFO_PATH = '/connect/userinfo';

export function userinfoRoutes(services: AuthorityServices, auth: BearerAuthentication) {
  const { db, profile } = services.ctx;
  const claims = {
    type: 'object',
    properties: { sub: { type: 'string' }, preferred_username: { type: 'string' }, [profile.selectedTenantClaim]: { type: 'string' } },
    required: ['sub'],
  } as const;
  async function userinfo(req: FastifyRequest, reply: FastifyReply) {
    const principal = req.principal!;
    const current = await currentAssignment(db, principal.clientId, principal.subject);
    // `openid` is granted to users only; a token of a client acting for itself has no user to describe.
    if (!current?.user) throw new ContractError('insufficient_scope', 'the UserInfo endpoint needs a user token with the scope openid', { requiredScope: 'openid' });
    const out: Record<string, string> = { sub: principal.subject, [profile.selectedTenantClaim]: principal.tenant };
    if (principal.scopes.includes('profile')) out.preferred_username = current.user.username;
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return out;
  }
  return async (app: FastifyInstance) => {
    for (const method of ['GET', 'POST'] as const) {
      app.route({ method, url: USERINFO_PATH, preHandler: auth.requireScope('openid'), schema: { response: { 200: claims } }, handler: userinfo });
    }
  };
}
