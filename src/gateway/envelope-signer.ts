/**
 * Signs identity envelopes for the hot path. An Ed25519 signature costs tens of
 * microseconds, so identical envelopes (same identity, method, target and issue second) are
 * signed once and reused within that second; validity, key id and binding are unchanged.
 *
 * Identities are long-lived objects (one per verified token and effective tenant, see
 * rewrite.ts), so the reuse table hangs off the identity itself: a lookup is one weak-map
 * step and one short string key, not a key built from every identity field.
 */
import { signEnvelope, type EnvelopeIdentity, type EnvelopeSigningKey, type SignedEnvelope } from './envelope.ts';

interface Signed {
  second: number;
  byTarget: Map<string, SignedEnvelope>;
}

export class EnvelopeSigner {
  private readonly signed = new WeakMap<EnvelopeIdentity, Signed>();

  constructor(
    private readonly key: EnvelopeSigningKey,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly maxTargetsPerIdentity = 1_000,
  ) {}

  sign(identity: EnvelopeIdentity, method: string, target: string): SignedEnvelope {
    const second = Math.floor(this.now() / 1000);
    let entry = this.signed.get(identity);
    if (entry === undefined) this.signed.set(identity, (entry = { second, byTarget: new Map() }));
    else if (entry.second !== second) {
      entry.second = second;
      entry.byTarget.clear();
    }
    const key = method + ' ' + target;
    const hit = entry.byTarget.get(key);
    if (hit !== undefined) return hit;
    const envelope = signEnvelope(this.key, identity, { method, path: target }, { now: new Date(second * 1000), ttlSeconds: this.ttlSeconds });
    if (entry.byTarget.size < this.maxTargetsPerIdentity) entry.byTarget.set(key, envelope);
    return envelope;
  }
}
