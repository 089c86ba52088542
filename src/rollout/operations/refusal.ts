/** An operation the gates refused, carrying the reason table so every caller can show it. */
import { TenantgateError } from '../../contract/errors.ts';
import type { GateCheck } from '../gates/gate-result.ts';

export class RolloutRefusal extends TenantgateError {
  constructor(
    message: string,
    readonly checks: GateCheck[] = [],
  ) {
    super('conflict', message, { extra: { checks } });
  }
}

/** Input an operation cannot act on (unknown component, missing reason). */
export class RolloutInputError extends TenantgateError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}
