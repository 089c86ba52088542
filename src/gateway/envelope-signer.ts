/**
 * Signs identity envelopes for the hot path. An Ed25519 signature costs tens of
 * microseconds, so identical envelopes (same identity, method, target and issue second) are
 * signed once and reused within that second; validity, key id and binding are unchanged.
 *
 * Identities are long-lived objects (one per verified token and effective tenant, see
 * rewrite.ts), so the reuse table hangs off the identity itself: a lookup is one weak-map
 * step and one short string key, not a key built from every identity field. At most
 * `maxEntries` envelopes are kept, all from the current second: every table filled in a
 * second is emptied when the next one begins.
 */
import { signEnvelope, type EnvelopeIdentity, type EnvelopeSigningKey, type SignedEnvelope } from '../identity/envelope.ts';

export class EnvelopeSigner {
  private readonly tables = new WeakMap<EnvelopeIdentity, Map<string, SignedEnvelope>>();
  private second = -1;
  /** Tables holding envelopes of the current second. */
  private filled: Map<string, SignedEnvelope>[] = [];
  private kept = 0;

  constructor(
    private readonly key: EnvelopeSigningKey,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 10_000,
  ) {}

  /** Envelopes kept for reuse right now. */
  get cachedEnvelopes(): number {
    return this.kept;
  }

  sign(identity: EnvelopeIdentity, method: string, target: string): SignedEnvelope {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      for (const table of this.filled) table.clear();
      this.filled = [];
      this.kept = 0;
      this.second = second;
    }
    let table = this.tables.get(identity);
    if (table === undefined) this.tables.set(identity, (table = new Map()));
    const key = method + ' ' + target;
    const hit = table.get(key);
    if (hit !== undefined) return hit;
    const envelope = signEnvelope(this.key, identity, { method, path: target }, { now: new Date(second * 1000), ttlSeconds: this.ttlSeconds });
    if (this.kept < this.maxEntries) {
      if (table.size === 0) this.filled.push(table);
      table.set(key, envelope);
      this.kept++;
    }
    return envelope;
  }
}
