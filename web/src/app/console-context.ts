/** What every page reads: the session phase, the committed tenant, the switch in progress. */
import { createContext, useContext } from 'react';
import type { ApiClient, SwitchTrigger } from '../api/client.ts';
import type { ConsoleProfile, TenantOption } from '../api/console-api.ts';
import type { ConsoleSession } from '../auth/session.ts';

export type SessionPhase = 'starting' | 'redirecting' | 'ready' | 'failed' | 'signed-out';

export interface ConsoleState {
  phase: SessionPhase;
  /** Why the session could not start (phase 'failed'). */
  failure: string | null;
  tenant: string | null;
  tenants: TenantOption[];
  profile: ConsoleProfile | null;
  scopes: string[];
  /** Set from the moment a switch starts until it commits or rolls back. */
  switching: { from: string; to: string } | null;
  /** The visible reason of the last failed switch (the app rolled back). */
  switchError: string | null;
  /** Set when silent refresh failed: the user must sign in again. */
  expired: boolean;
}

export interface ConsoleValue extends ConsoleState {
  client: ApiClient;
  session: ConsoleSession;
  requestSwitch(to: string, trigger: SwitchTrigger): Promise<void>;
  signOut(): Promise<void>;
  signIn(): void;
  dismissSwitchError(): void;
  tenantName(id: string | null): string;
  /** The trigger the next URL-driven switch should be reported with. */
  nextSwitchTrigger: { current: SwitchTrigger | null };
}

export const ConsoleContext = createContext<ConsoleValue | null>(null);

export function useConsole(): ConsoleValue {
  const value = useContext(ConsoleContext);
  if (!value) throw new Error('useConsole outside ConsoleProvider');
  return value;
}
