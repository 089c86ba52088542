/**
 * Webhook sources a tenant registered, with the HMAC secret sealed under the key-encryption
 * key (HMAC verification needs the secret itself, so it cannot be hashed). The seal binds
 * tenant, provider and source name, so a sealed secret copied to another row does not open.
 */
import type { Queryable, TenantTx } from '../../../db/database.ts';
import { seal, unseal } from '../../../crypto/sealed.ts';

export interface WebhookSource {
  provider: string;
  sourceName: string;
  createdAt: string;
  createdBy: string;
  rotatedAt: string | null;
}

function sealContext(tenant: string, provider: string, sourceName: string): string {
  return `tenantgate:scanner:webhook:${tenant}:${provider}:${sourceName}`;
}

function toSource(r: any): WebhookSource {
  return { provider: r.provider, sourceName: r.source_name, createdAt: r.created_at.toISOString(), createdBy: r.created_by, rotatedAt: r.rotated_at ? r.rotated_at.toISOString() : null };
}

/** Creates the source, or rotates its secret when this tenant already has it. */
export async function registerWebhookSource(
  db: TenantTx,
  kek: string,
  source: { provider: string; sourceName: string; secret: string; actor: string },
): Promise<WebhookSource & { created: boolean }> {
  const tenant = db.tenant;
  const sealed = seal(source.secret, kek, sealContext(tenant, source.provider, source.sourceName));
  const { rows } = await db.query(
    `insert into scanner.webhook_sources (tenant_id, provider, source_name, secret_sealed, created_by) values ($1, $2, $3, $4, $5)
     on conflict (tenant_id, provider, source_name) do update set secret_sealed = excluded.secret_sealed, rotated_at = clock_timestamp()
     returning provider, source_name, created_at, created_by, rotated_at, (xmax = 0) as created`,
    [tenant, source.provider, source.sourceName, sealed, source.actor],
  );
  return { ...toSource(rows[0]), created: rows[0].created };
}

/** Sources in (provider, name) order after the cursor key; `limit + 1` rows. */
export async function listWebhookSources(db: TenantTx, after: [string, string] | null, limit: number): Promise<WebhookSource[]> {
  const { rows } = await db.query(
    `select provider, source_name, created_at, created_by, rotated_at from scanner.webhook_sources
      where ($1::text is null or (provider, source_name) > ($1, $2)) order by provider, source_name limit $3`,
    [after?.[0] ?? null, after?.[1] ?? null, limit + 1],
  );
  return rows.map(toSource);
}

/** The source's secret in the current tenant (null when this tenant has no such source). */
export async function readWebhookSecret(db: TenantTx, kek: string, tenant: string, provider: string, sourceName: string): Promise<string | null> {
  const { rows } = await db.query<{ secret_sealed: string }>('select secret_sealed from scanner.webhook_sources where provider = $1 and source_name = $2', [provider, sourceName]);
  return rows[0] ? unseal(rows[0].secret_sealed, kek, sealContext(tenant, provider, sourceName)) : null;
}

/**
 * Tenants that registered (provider, sourceName), from the owner-maintained routing table:
 * the only cross-tenant read the webhook route makes, and it returns no secret.
 */
export async function webhookCandidateTenants(db: Queryable, provider: string, sourceName: string): Promise<string[]> {
  const { rows } = await db.query<{ tenant_id: string }>(
    'select tenant_id from scanner.webhook_routes where provider = $1 and source_name = $2 order by tenant_id',
    [provider, sourceName],
  );
  return rows.map((r) => r.tenant_id);
}
