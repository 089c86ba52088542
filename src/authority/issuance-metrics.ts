/** Prometheus counters and durable daily counters of token issuance. */
import type { ComponentContext } from '../host/context.ts';
import { counter } from '../telemetry/metrics.ts';
import { signals } from '../telemetry/signals.ts';

/** The grant label of a token request: a grant the Authority knows, else one fixed value. */
const KNOWN_GRANTS: ReadonlySet<string> = new Set(['client_credentials', 'password', 'authorization_code', 'refresh_token', 'unknown']);
export const OTHER_LABEL = 'other';

export function grantLabel(grant: string): string {
  return KNOWN_GRANTS.has(grant) ? grant : OTHER_LABEL;
}

export function issuanceMetrics(ctx: ComponentContext) {
  const issued = counter(ctx.metrics, 'tenantgate_authority_tokens_issued_total', 'access tokens issued', ['grant', 'how']);
  const rejected = counter(ctx.metrics, 'tenantgate_authority_tenant_rejections_total', 'token requests rejected by the tenant selection rule', ['grant', 'code']);
  const failed = counter(ctx.metrics, 'tenantgate_authority_issuance_failures_total', 'token requests that failed for any reason', ['grant', 'error']);
  return {
    issued(grant: string, how: string, client: string, tenant: string): void {
      issued.inc({ grant: grantLabel(grant), how });
      ctx.counters.increment(signals.authorityTokenIssued, { client, tenant, detail: how });
    },
    tenantRejected(grant: string, code: string, client: string): void {
      rejected.inc({ grant: grantLabel(grant), code });
      ctx.counters.increment(signals.authorityTenantRejected, { client, detail: code });
    },
    /** `client`: a registered client id, or null (unknown or unauthenticated: counted as `other`). */
    failed(grant: string, errorCode: string, client: string | null): void {
      failed.inc({ grant: grantLabel(grant), error: errorCode });
      ctx.counters.increment(signals.authorityIssuanceFailed, { client: client ?? OTHER_LABEL, detail: errorCode });
    },
  };
}

export type IssuanceMetrics = ReturnType<typeof issuanceMetrics>;
