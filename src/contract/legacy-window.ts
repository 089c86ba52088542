/**
 * The compatibility window for legacy tenant header aliases (ROLLOUT.md §1): aliases are
 * supported through the policy's `legacyAliasesUntil` day (inclusive, UTC); at the start of
 * the next day the window is closed and the policy's `onWindowEnd` decides what the gateway
 * does with an alias from then on. Pure: the caller passes the clock's time, so the closing
 * takes effect at the date in every running gateway without a restart.
 */
export const windowEndActions = ['keep', 'reject-new-clients', 'reject-all'] as const;
export type WindowEndAction = (typeof windowEndActions)[number];

export interface LegacyWindowSetting {
  /** Last day (YYYY-MM-DD, UTC) legacy aliases are supported; undefined = no dated end. */
  legacyAliasesUntil?: string;
  onWindowEnd?: WindowEndAction;
}

/** What the gateway's tenant decision needs to know about the window at one instant. */
export interface LegacyWindowFlags {
  closed: boolean;
  /** The last day of the window, or null when the window has no end. */
  until: string | null;
  onWindowEnd: WindowEndAction;
}

const DAY_MS = 86_400_000;

/** The first instant after the window: the start of the day after `until`. */
export function windowClosesAtMs(until: string): number {
  return Date.parse(`${until}T00:00:00Z`) + DAY_MS;
}

interface CompiledWindow {
  closesAtMs: number | null;
  open: LegacyWindowFlags;
  closed: LegacyWindowFlags;
}

// The gateway asks on every request with the same settings object: parse it once, answer with shared frozen values.
const compiled = new WeakMap<LegacyWindowSetting, CompiledWindow>();

export function legacyWindowFlags(setting: LegacyWindowSetting, nowMs: number): LegacyWindowFlags {
  let c = compiled.get(setting);
  if (c === undefined) {
    const until = setting.legacyAliasesUntil ?? null;
    const onWindowEnd = setting.onWindowEnd ?? 'keep';
    c = {
      closesAtMs: until === null ? null : windowClosesAtMs(until),
      open: Object.freeze({ closed: false, until, onWindowEnd }),
      closed: Object.freeze({ closed: true, until, onWindowEnd }),
    };
    compiled.set(setting, c);
  }
  return c.closesAtMs !== null && nowMs >= c.closesAtMs ? c.closed : c.open;
}

/**
 * True when the window's end refuses a legacy alias from this client. `clientIsNew` as for
 * strict mode: created on or after the new-clients cut-over, or null when unknown (new).
 */
export function windowRefusesAlias(window: LegacyWindowFlags, clientIsNew: boolean | null): boolean {
  if (!window.closed) return false;
  if (window.onWindowEnd === 'reject-all') return true;
  if (window.onWindowEnd === 'reject-new-clients') return clientIsNew !== false;
  return false;
}

/** True when the window's decision for an alias depends on the client's creation time. */
export function windowNeedsClientAge(window: LegacyWindowFlags): boolean {
  return window.closed && window.onWindowEnd === 'reject-new-clients';
}

export interface LegacyWindowState extends LegacyWindowFlags {
  /** Whole days since the window closed (closed) or left before it closes (open, today counted); null without an end. */
  days: number | null;
}

export function legacyWindowState(setting: LegacyWindowSetting, now: Date): LegacyWindowState {
  const flags = legacyWindowFlags(setting, now.getTime());
  if (flags.until === null) return { ...flags, days: null };
  const closesAt = windowClosesAtMs(flags.until);
  const days = flags.closed ? Math.floor((now.getTime() - closesAt) / DAY_MS) : Math.ceil((closesAt - now.getTime()) / DAY_MS);
  return { ...flags, days };
}
