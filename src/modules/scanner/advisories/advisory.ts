/** The advisory record the scanner matches against, as stored and as bundled. */
import type { Ecosystem } from '../engine/ecosystems.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** One affected range, OSV-style: from `introduced` ("0" = every version) up to `fixed` (exclusive) or `lastAffected` (inclusive). */
export interface AffectedRange {
  introduced: string;
  fixed?: string;
  lastAffected?: string;
}

export interface Advisory {
  id: string;
  aliases: string[];
  ecosystem: Ecosystem;
  namespace: string;
  name: string;
  severity: Severity;
  summary: string;
  published: string;
  ranges: AffectedRange[];
}
