/** What every gate answers: pass/fail plus the table of reasons, one row per named check. */
export interface GateCheck {
  id: string;
  description: string;
  pass: boolean;
  detail: string;
}

export interface GateResult {
  pass: boolean;
  checks: GateCheck[];
}

export function gateFrom(checks: GateCheck[]): GateResult {
  return { pass: checks.every((c) => c.pass), checks };
}
