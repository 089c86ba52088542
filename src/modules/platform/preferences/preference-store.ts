/** A subject's preferences in the current tenant (client of a withTenant tx). */
import type { TenantTx } from '../../../db/database.ts';

export interface PreferenceFields {
  region: string | null;
  environment: string | null;
  timeWindow: string | null;
  stage: string | null;
}

export interface Preferences extends PreferenceFields {
  tenant: string;
  subject: string;
  /** Null until the subject saved preferences in this tenant. */
  updatedAt: string | null;
}

export async function readPreferences(db: TenantTx, subject: string): Promise<Preferences> {
  const tenant = db.tenant;
  const { rows } = await db.query('select region, environment, time_window, stage, updated_at from platform.preferences where subject = $1', [subject]);
  const r = rows[0];
  return {
    tenant,
    subject,
    region: r?.region ?? null,
    environment: r?.environment ?? null,
    timeWindow: r?.time_window ?? null,
    stage: r?.stage ?? null,
    updatedAt: r ? r.updated_at.toISOString() : null,
  };
}

export async function savePreferences(db: TenantTx, subject: string, f: PreferenceFields): Promise<Preferences> {
  const tenant = db.tenant;
  await db.query(
    `insert into platform.preferences (tenant_id, subject, region, environment, time_window, stage) values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant_id, subject) do update set region = excluded.region, environment = excluded.environment,
       time_window = excluded.time_window, stage = excluded.stage, updated_at = now()`,
    [tenant, subject, f.region, f.environment, f.timeWindow, f.stage],
  );
  return readPreferences(db, subject);
}
