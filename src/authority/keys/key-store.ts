/**
 * The Authority's in-memory view of its keys: the signing key objects (the access-token key
 * and the RS256 ID-token key, so issuance never touches the database for them) and the
 * published JWKS, refreshed periodically so a rotation made by the CLI or another instance
 * is picked up.
 */
import { importJWK, type JWK } from 'jose';
import type { Database } from '../../db/database.ts';
import { loadOrCreateIdTokenKey, loadOrCreateSigningKey, loadPublishedKeys, type KeyAlgorithm, type PublishedKey, type SigningAlgorithm, type SigningKey } from './signing-keys.ts';

export class KeyStore {
  private signing: SigningKey | null = null;
  private idTokenSigning: SigningKey<'RS256'> | null = null;
  private published: PublishedKey[] = [];
  private verifiers = new Map<string, { algorithm: SigningAlgorithm; key: CryptoKey }>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    private readonly kek: string,
    private readonly algorithm: SigningAlgorithm,
    private readonly refreshMs: number,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => this.refresh().catch(this.onError), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async refresh(): Promise<void> {
    const signing = await loadOrCreateSigningKey(this.db, this.kek, this.algorithm);
    const idTokenSigning = await loadOrCreateIdTokenKey(this.db, this.kek);
    const published = await loadPublishedKeys(this.db);
    const verifiers = new Map<string, { algorithm: SigningAlgorithm; key: CryptoKey }>();
    for (const k of published) {
      // Only access-token keys verify access tokens: the ID-token key is published for relying parties.
      if (k.purpose !== 'access') continue;
      const existing = this.verifiers.get(k.kid);
      verifiers.set(k.kid, existing ?? { algorithm: k.algorithm as SigningAlgorithm, key: (await importJWK(k.jwk, k.algorithm)) as CryptoKey });
    }
    this.signing = this.signing?.kid === signing.kid ? this.signing : signing;
    this.idTokenSigning = this.idTokenSigning?.kid === idTokenSigning.kid ? this.idTokenSigning : idTokenSigning;
    this.published = published;
    this.verifiers = verifiers;
  }

  get signingKey(): SigningKey {
    if (!this.signing) throw new Error('key store not started');
    return this.signing;
  }

  /** The current RS256 ID-token key. */
  get idTokenKey(): SigningKey<'RS256'> {
    if (!this.idTokenSigning) throw new Error('key store not started');
    return this.idTokenSigning;
  }

  /** The algorithms ID tokens can be signed with now: RS256 and the current access-token key's. */
  idTokenAlgorithms(): KeyAlgorithm[] {
    return ['RS256', this.signingKey.algorithm];
  }

  /** The key that signs an ID token with `algorithm`, or null when no current key has it. */
  idTokenKeyFor(algorithm: KeyAlgorithm): SigningKey<KeyAlgorithm> | null {
    if (algorithm === 'RS256') return this.idTokenKey;
    return this.signingKey.algorithm === algorithm ? this.signingKey : null;
  }

  /** The key ids the JWKS publishes (what the fleet compares across instances). */
  publishedKids(): string[] {
    return this.published.map((k) => k.kid);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published.map((k) => k.jwk) };
  }

  /** The public key for `kid` with its algorithm, or null when the JWKS does not hold it. */
  verifier(kid: string): { algorithm: SigningAlgorithm; key: CryptoKey } | null {
    return this.verifiers.get(kid) ?? null;
  }
}
