/**
 * Signs identity envelopes for the hot path. An Ed25519 signature costs tens of
 * microseconds, so identical envelopes (same identity, method, target and issue second) are
 * signed once and reused within that second; validity, key id and binding are unchanged.
 */
import { signEnvelope, type EnvelopeIdentity, type EnvelopeSigningKey, type SignedEnvelope } from './envelope.ts';

export class EnvelopeSigner {
  private second = -1;
  private readonly cache = new Map<string, SignedEnvelope>();

  constructor(
    private readonly key: EnvelopeSigningKey,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  sign(identity: EnvelopeIdentity, method: string, target: string): SignedEnvelope {
    const nowMs = this.now();
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      this.cache.clear();
      this.second = second;
    }
    const cacheKey = `${method}\u0000${target}\u0000${identity.tenant ?? ''}\u0000${identity.actor}\u0000${identity.client ?? ''}\u0000${identity.scopes.join(' ')}`;
    const hit = this.cache.get(cacheKey);
    if (hit) return hit;
    const signed = signEnvelope(this.key, identity, { method, path: target }, { now: new Date(second * 1000), ttlSeconds: this.ttlSeconds });
    if (this.cache.size < this.maxEntries) this.cache.set(cacheKey, signed);
    return signed;
  }
}
