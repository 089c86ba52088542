/** Mints the RFC 9068 access token of CONTRACT.md §4. */
import { SignJWT } from 'jose';
import type { ContractProfile } from '../../contract/profile.ts';
import { formatTenantSet } from '../../contract/tenant.ts';
import { SYNTHETIC_CLAIM } from '../../identity/access-token-claims.ts';
import { newTokenId } from '../../identity/token-id.ts';
import type { SigningKey } from '../keys/signing-keys.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface AccessTokenInput {
  issuer: string;
  audience: string;
  subject: string;
  clientId: string;
  scopes: readonly string[];
  tenant: string;
  /** The assigned set A; null when the client opted out of the claim. */
  allowedTenants: readonly string[] | null;
  ttlSeconds: number;
  now: Date;
  profile: ContractProfile;
  /** The client is synthetic (the acceptance matrix): the token carries `tenantgate:synthetic`. */
  synthetic?: boolean;
}

export interface MintedAccessToken {
  token: string;
  jti: string;
  iat: number;
  exp: number;
  claims: Record<string, unknown>;
}

export function accessTokenClaims(input: AccessTokenInput, jti: string): Record<string, unknown> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    client_id: input.clientId,
    scope: input.scopes.join(' '),
    iat,
    exp: iat + input.ttlSeconds,
    jti,
    [input.profile.selectedTenantClaim]: input.tenant,
  };
  if (input.allowedTenants !== null) claims[input.profile.allowedTenantsClaim] = formatTenantSet(input.allowedTenants);
  if (input.synthetic) claims[SYNTHETIC_CLAIM] = true;
  return claims;
}

export async function mintAccessToken(key: SigningKey, input: AccessTokenInput): Promise<MintedAccessToken> {
  const jti = newTokenId(input.now.getTime());
  const claims = accessTokenClaims(input, jti);
  const token = await new SignJWT(claims).setProtectedHeader({ alg: key.algorithm, typ: ACCESS_TOKEN_TYPE, kid: key.kid }).sign(key.privateKey);
  return { token, jti, iat: claims.iat as number, exp: claims.exp as number, claims };
}
