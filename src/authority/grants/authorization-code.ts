/** authorization_code with PKCE (S256): redeems a one-time code issued by /connect/authorize. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { requiredValue, singleValue } from '../http/form-params.ts';
import { OAuthError } from '../http/oauth-error.ts';
import { findUserById } from '../store/users.ts';
import { redeemAuthorizationCode } from '../tokens/authorization-codes.ts';
import type { GrantHandler } from './grant.ts';
import { scopeRequest } from './token-scope.ts';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const authorizationCodeGrant: GrantHandler = async ({ services, client, body, tenantValues }) => {
  const code = requiredValue(body, 'code');
  const redirectUri = requiredValue(body, 'redirect_uri');
  const verifier = singleValue(body, 'code_verifier');
  const redemption = await redeemAuthorizationCode(services.ctx.db, code);
  if (!redemption.ok) {
    const why = redemption.reason === 'replayed' ? 'the authorization code was already used; tokens issued from it are revoked' : 'the authorization code is invalid or expired';
    throw new OAuthError('invalid_grant', why);
  }
  const record = redemption.code;
  if (record.clientId !== client.clientId) throw new OAuthError('invalid_grant', 'the authorization code was issued to another client');
  if (record.redirectUri !== redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
  if (record.codeChallenge !== null) {
    if (verifier === undefined || !VERIFIER.test(verifier)) throw new OAuthError('invalid_grant', 'a valid code_verifier is required');
    if (!sameText(s256(verifier), record.codeChallenge)) throw new OAuthError('invalid_grant', 'code_verifier does not match the code challenge');
  } else if (client.public) {
    throw new OAuthError('invalid_grant', 'public clients must use PKCE');
  }
  const user = await findUserById(services.ctx.db, record.userId);
  if (!user) throw new OAuthError('invalid_grant', 'the user no longer exists');
  if (user.disabled) throw new OAuthError('invalid_grant', 'the user is disabled');
  // The code carries what the authorization request asked for, within the client's scopes then.
  const request = { ...scopeRequest(record.scopes.join(' '), client.scopes), explicit: false };
  // The tenant chosen on the login page travels in the code; a tenant on the token request takes precedence.
  const requested = tenantValues.length > 0 ? tenantValues : record.requestedTenant ? [record.requestedTenant] : [];
  return { grant: 'authorization_code', user, scopeRequest: request, requested, code: record };
};
