/**
 * The OpenID Connect ID token issued with the authorization-code grant when `openid` is
 * granted, signed with the algorithm the client registered (`id_token_signed_response_alg`),
 * RS256 when it registered none.
 */
import { SignJWT } from 'jose';
import type { ContractProfile } from '../../contract/profile.ts';
import type { KeyAlgorithm, SigningKey } from '../keys/signing-keys.ts';

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  subject: string;
  username: string | null;
  tenant: string;
  nonce: string | null;
  ttlSeconds: number;
  now: Date;
  profile: ContractProfile;
}

export async function mintIdToken(key: SigningKey<KeyAlgorithm>, input: IdTokenInput): Promise<string> {
  const iat = Math.floor(input.now.getTime() / 1000);
  const claims: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    iat,
    exp: iat + input.ttlSeconds,
    auth_time: iat,
    [input.profile.selectedTenantClaim]: input.tenant,
  };
  if (input.nonce) claims.nonce = input.nonce;
  if (input.username) claims.preferred_username = input.username;
  return new SignJWT(claims).setProtectedHeader({ alg: key.algorithm, typ: 'JWT', kid: key.kid }).sign(key.privateKey);
}
