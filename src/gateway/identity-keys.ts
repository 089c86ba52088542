/**
 * The gateway's side of the identity keys: the assertion signer holds the newest key whose
 * publish lead has passed (a rotated-in key is published first, signs later), and the published key set (`GET /.well-known/identity-jwks.json`) is served
 * from memory — one serialized body, no database read per request. Both are refreshed in
 * the background every `gateway.identityKeyRefreshMs`, which also retires keys whose
 * rotation overlap has passed (src/identity/identity-keys.ts).
 */
import type { Database } from '../db/database.ts';
import { loadIdentitySigningKey, readIdentityKeySet, retireExpiredIdentityKeys } from '../identity/identity-keys.ts';
import type { IdentityAssertionSigner } from '../identity/sign-assertion.ts';

export const IDENTITY_JWKS_PATH = '/.well-known/identity-jwks.json';

export interface GatewayIdentityKeysOptions {
  db: Database;
  keyEncryptionKey: string;
  signer: IdentityAssertionSigner;
  refreshMs: number;
  onError: (err: unknown) => void;
  onRetired?: (kids: string[]) => void;
}

export class GatewayIdentityKeys {
  private body = '{"keys":[]}';
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;

  constructor(private readonly options: GatewayIdentityKeysOptions) {}

  /** The published key set, serialized. */
  get jwks(): string {
    return this.body;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Re-reads the keys (coalesced); a failure keeps the keys in memory. */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    const { db, keyEncryptionKey, signer } = this.options;
    try {
      const retired = await retireExpiredIdentityKeys(db);
      if (retired.length > 0) this.options.onRetired?.(retired);
      // The key set first: a verifier fetching it never misses the key the gateway signs with.
      const jwks = await readIdentityKeySet(db);
      const active = await loadIdentitySigningKey(db, keyEncryptionKey);
      if (active && !jwks.keys.some((k) => k.kid === active.kid)) return;
      this.body = JSON.stringify(jwks);
      if (active) signer.use(active);
    } catch (err) {
      this.options.onError(err);
    }
  }
}
