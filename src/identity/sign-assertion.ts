/**
 * Signs the identity assertion (CONTRACT.md §8) for every request the gateway forwards: a
 * compact JWS with protected header {alg, kid, typ: "identity+jwt"} and the claims
 * iss, aud, iat, exp, jti, htm, htu, the selected-tenant claim, sub, client_id and scope.
 *
 * This is the gateway's hot path, so the JWS is assembled here rather than through jose's
 * (asynchronous, WebCrypto) signer: the private key stays a KeyObject, the encoded protected
 * header is built once per key, the identity part of the claims once per identity and
 * audience, and signing is one synchronous node:crypto call, so a request with a cached token
 * is still forwarded without a promise. What it produces is standard RFC 7515/7519 and
 * verifies with jose's `jwtVerify` (see verify-assertion.ts and test/identity).
 */
import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { IDENTITY_ASSERTION_TYPE, type DownstreamIdentity, type IdentityAlgorithm } from './types.ts';

export interface IdentitySigningKey {
  kid: string;
  algorithm: IdentityAlgorithm;
  privateKey: KeyObject;
}

export interface AssertionSignerOptions {
  /** `iss`: the gateway's public URL. */
  issuer: string;
  /** exp − iat. */
  ttlSeconds: number;
  /** The selected-tenant claim name (the profile's `selectedTenantClaim`). */
  tenantClaim: string;
  now?: () => number;
}

export interface AssertionRequest {
  /** `aud`: the name of the service the route targets. */
  audience: string;
  /** `htm`. */
  method: string;
  /** `htu`: path and query as forwarded. */
  target: string;
}

export class IdentityAssertionSigner {
  private key!: IdentitySigningKey;
  private encodedHeader = '';
  private readonly fragments = new WeakMap<DownstreamIdentity, Map<string, string>>();
  private readonly now: () => number;
  private readonly issuerJson: string;

  constructor(
    key: IdentitySigningKey,
    private readonly options: AssertionSignerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.issuerJson = JSON.stringify(options.issuer);
    this.use(key);
  }

  get kid(): string {
    return this.key.kid;
  }

  /** Switches to another signing key (rotation); the header is encoded once here. */
  use(key: IdentitySigningKey): void {
    if (this.key?.kid === key.kid) return;
    this.key = key;
    this.encodedHeader = Buffer.from(JSON.stringify({ alg: key.algorithm, kid: key.kid, typ: IDENTITY_ASSERTION_TYPE })).toString('base64url');
  }

  sign(identity: DownstreamIdentity, request: AssertionRequest): string {
    const iat = Math.floor(this.now() / 1000);
    const payload =
      `{"iss":${this.issuerJson},"aud":${JSON.stringify(request.audience)},"iat":${iat},"exp":${iat + this.options.ttlSeconds},` +
      `"jti":"${randomUUID()}","htm":${JSON.stringify(request.method.toUpperCase())},"htu":${JSON.stringify(request.target)},${this.fragment(identity, request.audience)}}`;
    const signingInput = this.encodedHeader + '.' + Buffer.from(payload).toString('base64url');
    return signingInput + '.' + this.signature(signingInput);
  }

  private signature(signingInput: string): string {
    const data = Buffer.from(signingInput);
    if (this.key.algorithm === 'ES256') return sign('sha256', data, { key: this.key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return sign(null, data, this.key.privateKey).toString('base64url');
  }

  /** The identity's claims as JSON members, built once per identity and audience. */
  private fragment(identity: DownstreamIdentity, audience: string): string {
    let byAudience = this.fragments.get(identity);
    if (byAudience === undefined) this.fragments.set(identity, (byAudience = new Map()));
    let fragment = byAudience.get(audience);
    if (fragment === undefined) {
      const members: Record<string, unknown> = {};
      if (identity.tenant !== null) members[this.options.tenantClaim] = identity.tenant;
      members.sub = identity.actor;
      if (identity.client !== null) members.client_id = identity.client;
      members.scope = identity.scopes.join(' ');
      fragment = JSON.stringify(members).slice(1, -1);
      byAudience.set(audience, fragment);
    }
    return fragment;
  }
}
