/**
 * The signed-in session: tokens and the committed tenant, in memory only. Every request is
 * tagged with the tenant generation it started in; advancing the generation (a tenant
 * switch, a sign-out) aborts everything in flight and makes late answers stale.
 */
import type { TokenSet } from './token-set.ts';

export class ConsoleSession {
  private current: TokenSet | null = null;
  private committedTenant: string | null = null;
  private gen = 0;
  private controller = new AbortController();

  get tokens(): TokenSet | null {
    return this.current;
  }

  get tenant(): string | null {
    return this.committedTenant;
  }

  get generation(): number {
    return this.gen;
  }

  /** Aborted when the generation advances. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  hasScope(scope: string): boolean {
    return this.current?.scopes.includes(scope) ?? false;
  }

  /** New tokens for the same tenant (silent refresh): in-flight requests stay valid. */
  replaceTokens(tokens: TokenSet): void {
    this.current = tokens;
  }

  /** Commits tokens for a tenant; a different tenant than before starts a new generation. */
  commit(tokens: TokenSet, tenant: string): void {
    if (tenant !== this.committedTenant) this.advanceGeneration();
    this.current = tokens;
    this.committedTenant = tenant;
  }

  advanceGeneration(): number {
    this.controller.abort(new DOMException('tenant changed', 'AbortError'));
    this.controller = new AbortController();
    return ++this.gen;
  }

  clear(): void {
    this.advanceGeneration();
    this.current = null;
    this.committedTenant = null;
  }
}
