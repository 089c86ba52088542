/** An operation the gates refused, carrying the reason table so every caller can show it. */
import type { GateCheck } from '../gates/gate-result.ts';

export class RolloutRefusal extends Error {
  constructor(
    message: string,
    readonly checks: GateCheck[] = [],
  ) {
    super(message);
    this.name = 'RolloutRefusal';
  }
}

/** Input an operation cannot act on (unknown component, missing reason). */
export class RolloutInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolloutInputError';
  }
}
