/**
 * HAProxy's own signing material: a P-256 key (HAProxy 2.6 verifies ES256, not EdDSA), the
 * public key as PEM for `jwt_verify`, and tokens carrying the same claims as the gateway's.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';

export interface PeerTokens {
  /** SPKI PEM of the key HAProxy trusts. */
  publicPem: string;
  /** The gateway token's claims, signed ES256 with the trusted key. */
  good: string;
  /** The same claims signed by a P-256 key HAProxy does not know. */
  foreign: string;
  /** The same claims, trusted key, `exp` a minute in the past. */
  expired: string;
}

function sign(claims: Record<string, unknown>, key: KeyObject): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'bench-haproxy' }).sign(key);
}

/** Re-signs the claims of `gatewayToken` (any issuer's JWT) for HAProxy. */
export async function peerTokens(gatewayToken: string): Promise<PeerTokens> {
  const claims = decodeJwt(gatewayToken) as Record<string, unknown>;
  const trusted = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Math.floor(Date.now() / 1000);
  return {
    publicPem: trusted.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    good: await sign(claims, trusted.privateKey),
    foreign: await sign(claims, other.privateKey),
    expired: await sign({ ...claims, iat: now - 120, exp: now - 60 }, trusted.privateKey),
  };
}
