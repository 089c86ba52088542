/**
 * Strict-mode applicability (GATEWAY.md §3, ROLLOUT.md §2): whether a client still gets
 * legacy tenant aliases (headers, the legacy `tid` claim). The gateway and the Authority
 * both ask this one function.
 */
export const strictModes = ['off', 'new-clients', 'all'] as const;
export type StrictMode = (typeof strictModes)[number];

export interface StrictModeFlags {
  /** `gateway.legacyHeaders`: off means strict for every client. */
  legacyHeaders: boolean;
  /** `gateway.strictMode`. */
  strictMode: StrictMode;
}

/**
 * True when strict mode applies: `clientIsNew` is whether the client was created on or
 * after the cut-over, or null when unknown (treated as new, so the stricter rule wins).
 */
export function strictModeApplies(flags: StrictModeFlags, clientIsNew: boolean | null): boolean {
  if (!flags.legacyHeaders || flags.strictMode === 'all') return true;
  if (flags.strictMode === 'new-clients') return clientIsNew !== false;
  return false;
}

/** True when the decision depends on the client's creation time, so the caller must look it up. */
export function strictModeNeedsClientAge(flags: StrictModeFlags): boolean {
  return flags.legacyHeaders && flags.strictMode === 'new-clients';
}

/** Start of the cut-over day (an ISO `YYYY-MM-DD`, UTC) in epoch milliseconds. */
export function cutoverStartMs(cutover: string): number {
  return Date.parse(`${cutover}T00:00:00Z`);
}
