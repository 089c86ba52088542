/**
 * Sign-off progress of one criterion, pure: a criterion naming owner roles holds once each
 * of them has signed in the phase (the newest sign-off per owner counts); one naming none
 * holds with any sign-off. Status and the exit gate read the same answer.
 */
import type { Signoff } from '../model.ts';
import type { ExitCriterion } from '../policy/schema.ts';

export interface OwnerSignature {
  owner: string;
  signedBy: string;
  at: string;
  note: string;
}

export interface SignoffProgress {
  criterion: string;
  description: string;
  /** The owner roles the policy requires; empty: any one sign-off will do. */
  owners: string[];
  signed: OwnerSignature[];
  missing: string[];
  complete: boolean;
}

export function signoffOwners(criterion: ExitCriterion): string[] {
  return criterion.check.kind === 'signoff' ? (criterion.check.owners ?? []) : [];
}

/** The policy's spelling of `raw` among the criterion's owners, or null. */
export function canonicalOwner(criterion: ExitCriterion, raw: string): string | null {
  const wanted = raw.trim().toLowerCase();
  return signoffOwners(criterion).find((o) => o.toLowerCase() === wanted) ?? null;
}

export function signoffProgress(criterion: ExitCriterion, phase: number, signoffs: readonly Signoff[]): SignoffProgress {
  const owners = signoffOwners(criterion);
  const mine = signoffs.filter((s) => s.phase === phase && s.criterion === criterion.id);
  const signature = (s: Signoff): OwnerSignature => ({ owner: s.owner, signedBy: s.signedBy, at: s.at, note: s.note });
  const base = { criterion: criterion.id, description: criterion.description, owners };
  if (owners.length === 0) {
    const last = mine.at(-1);
    return { ...base, signed: last ? [signature(last)] : [], missing: [], complete: !!last };
  }
  const signed = owners.flatMap((o) => {
    const last = mine.filter((s) => s.owner === o).at(-1);
    return last ? [signature(last)] : [];
  });
  const missing = owners.filter((o) => !signed.some((s) => s.owner === o));
  return { ...base, signed, missing, complete: missing.length === 0 };
}

export function describeProgress(p: SignoffProgress): string {
  if (p.owners.length === 0) {
    const s = p.signed[0];
    return s ? `signed off by ${s.signedBy} at ${s.at}${s.note ? `: ${s.note}` : ''}` : 'no sign-off recorded (rollout signoff)';
  }
  const signed = p.signed.map((s) => `${s.owner} (${s.signedBy})`).join(', ');
  return [`signed: ${signed || 'none'}`, p.missing.length ? `missing: ${p.missing.join(', ')} (rollout signoff ${p.criterion} --owner ROLE)` : 'every owner signed'].join('; ');
}
