/** What every rollout operation runs against: the database, the policy in force and a clock. */
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../telemetry/clock.ts';
import type { RolloutPolicy } from './policy/schema.ts';
import type { MatrixRerun } from './playbook/matrix-rerun.ts';

export interface RolloutEnv {
  db: Database;
  policy: RolloutPolicy;
  clock: Clock;
  /** Working directory of the revert hook (relative commands resolve against it). */
  hookCwd?: string;
  /** Re-runs the acceptance matrix for the playbook's step 4; absent = the step records that it could not run. */
  matrix?: MatrixRerun;
  /** The deployment's configuration, when the caller has it (consistency checks against the policy). */
  config?: Config;
}

/** Who did it: an operator name, a token's subject or a monitor. */
export interface Actor {
  actor: string;
}
