/**
 * The CLI's one mapping from an error to what it prints and its exit status: a refused
 * rollout operation prints its reason table and exits 2; invalid configuration exits 78
 * (EX_CONFIG); a contract refusal names its stable code; anything else exits 1.
 */
import { CommanderError } from 'commander';
import { ContractError, TenantgateError } from '../contract/errors.ts';
import { RolloutRefusal } from '../rollout/operations/refusal.ts';
import { formatChecks } from '../rollout/text/format-gate.ts';

export interface CliFailure {
  /** Printed to stderr (nothing when empty: commander has printed its own message). */
  message: string;
  exitCode: number;
}

export const EXIT_CONFIG = 78;
export const EXIT_REFUSED = 2;

export function cliFailure(err: unknown): CliFailure {
  if (err instanceof CommanderError) return { message: '', exitCode: err.exitCode };
  if (err instanceof RolloutRefusal) return { message: `refused: ${err.message}\n${formatChecks(err.checks)}`, exitCode: EXIT_REFUSED };
  if (err instanceof TenantgateError && err.code === 'config_invalid') return { message: err.message, exitCode: EXIT_CONFIG };
  if (err instanceof ContractError) return { message: `error: ${err.code}: ${err.message}`, exitCode: 1 };
  return { message: `error: ${(err as Error).message}`, exitCode: 1 };
}
