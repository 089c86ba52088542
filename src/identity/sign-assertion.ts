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
 *
 * With `reuseWithinSecond`, a request identical to one already signed in the same second —
 * the same identity, audience, method and target — gets that assertion again: its claims
 * would differ only in `jti` (`iat` has whole-second resolution), so nothing a verifier checks
 * changes, and the signature (most of the gateway's CPU per request) is computed once per
 * distinct request and second instead of once per request. `jti` then names the assertion,
 * not the request (CONTRACT.md §8).
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
  /** Give identical requests within one second the same assertion (see above). Default off. */
  reuseWithinSecond?: boolean;
}

/** Distinct (identity, audience, method, target) assertions remembered within one second. */
const MAX_REUSABLE = 4096;

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
  /** Per identity, a small number naming it in reuse keys. */
  private readonly identityIds = new WeakMap<DownstreamIdentity, number>();
  private nextIdentityId = 0;
  /** This second's assertions by reuse key; emptied when the second (or the key) changes. */
  private readonly reusable = new Map<string, string>();
  private reusableSecond = -1;

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
    this.reusable.clear();
    this.encodedHeader = Buffer.from(JSON.stringify({ alg: key.algorithm, kid: key.kid, typ: IDENTITY_ASSERTION_TYPE })).toString('base64url');
  }

  sign(identity: DownstreamIdentity, request: AssertionRequest): string {
    const iat = Math.floor(this.now() / 1000);
    if (this.options.reuseWithinSecond !== true) return this.fresh(identity, request, iat);
    if (iat !== this.reusableSecond) {
      this.reusable.clear();
      this.reusableSecond = iat;
    }
    let id = this.identityIds.get(identity);
    if (id === undefined) this.identityIds.set(identity, (id = this.nextIdentityId++));
    const key = `${id} ${request.audience} ${request.method} ${request.target}`;
    let jws = this.reusable.get(key);
    if (jws === undefined) {
      jws = this.fresh(identity, request, iat);
      if (this.reusable.size < MAX_REUSABLE) this.reusable.set(key, jws);
    }
    return jws;
  }

  private fresh(identity: DownstreamIdentity, request: AssertionRequest, iat: number): string {
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
