/** Maps rollout failures onto the contract's error table for HTTP callers. */
import { ContractError } from '../../contract/errors.ts';
import { FlagValueError } from '../../flags/definitions.ts';
import { RolloutInputError, RolloutRefusal } from '../operations/refusal.ts';

export async function asContractErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RolloutRefusal) throw new ContractError('conflict', err.message, { extra: { checks: err.checks } });
    if (err instanceof RolloutInputError || err instanceof FlagValueError) throw new ContractError('validation_failed', err.message);
    throw err;
  }
}
