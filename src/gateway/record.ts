/**
 * Stage 6 of the pipeline: telemetry of GATEWAY.md §4. Prometheus counters, durable daily
 * counters (buffered and flushed idempotently by the telemetry base) and audit events for
 * overrides and mismatches (queued, so a database outage delays them instead of losing them).
 */
import type { ComponentContext } from '../host/context.ts';
import { writeAudit, type AuditEvent } from '../telemetry/audit.ts';
import { counter, gauge, HotCounter } from '../telemetry/metrics.ts';
import { signals } from '../telemetry/signals.ts';
import { RateLimitedLog } from '../host/rate-limited-log.ts';

const auditLog = new RateLimitedLog(10_000, Date.now, 'audit write failed; will retry');
import type { Classification } from './classify.ts';
import type { Decision, TokenIdentity } from './decide.ts';
import { RequesterCellIndex } from './record-cells.ts';

export interface RequestRecord {
  classification: Classification;
  decision: Decision;
  token: TokenIdentity | null;
  method: string;
  path: string;
  requestId: string;
}

export class GatewayRecorder {
  private readonly stripped;
  private readonly decisions;
  private readonly legacyHeader;
  private readonly legacyTid;
  private readonly spoof;
  private readonly rejections;
  private readonly synthetic;
  readonly upstreamErrors;
  readonly jwksRefreshes;
  private readonly requesters: RequesterCellIndex;
  private readonly auditQueue: AuditEvent[] = [];
  private auditTimer: NodeJS.Timeout | null = null;
  private auditFlushing: Promise<void> | null = null;

  constructor(private readonly ctx: ComponentContext) {
    const m = ctx.metrics;
    // Counted on the request path: hot counters (plain additions, handed over at scrape time).
    this.stripped = HotCounter.for(m, 'tenantgate_gateway_reserved_headers_stripped_total', 'Reserved identity headers stripped from inbound requests', ['header', 'kind']);
    this.decisions = HotCounter.for(m, 'tenantgate_gateway_tenant_decisions_total', 'Tenant decisions by outcome', ['outcome']);
    this.legacyHeader = HotCounter.for(m, 'tenantgate_gateway_legacy_tenant_header_total', 'Legacy tenant header aliases accepted', ['alias', 'client']);
    this.legacyTid = HotCounter.for(m, 'tenantgate_gateway_legacy_tid_claim_total', 'Tokens admitted through the legacy tid claim', ['client']);
    this.spoof = HotCounter.for(m, 'tenantgate_gateway_spoof_attempts_total', 'Header spoofing attempts', ['reason']);
    this.rejections = HotCounter.for(m, 'tenantgate_gateway_rejections_total', 'Requests refused by the gateway', ['code']);
    this.synthetic = HotCounter.for(m, 'tenantgate_synthetic_requests_total', 'Requests of synthetic clients (the acceptance matrix), counted apart from the legacy-use metrics, by kind', ['kind']);
    this.upstreamErrors = counter(m, 'tenantgate_gateway_upstream_errors_total', 'Upstream failures', ['upstream', 'code']);
    this.jwksRefreshes = counter(m, 'tenantgate_gateway_jwks_refresh_total', 'Verification key refreshes, by source (the Authority over HTTP, or its keys published in PostgreSQL)', ['result', 'source']);
    this.requesters = new RequesterCellIndex({
      stripped: this.stripped,
      decisions: this.decisions,
      legacyHeader: this.legacyHeader,
      legacyTid: this.legacyTid,
      synthetic: this.synthetic,
      durable: ctx.counters,
    });
    const buffered = gauge(m, 'tenantgate_gateway_audit_queue', 'Audit events waiting to be written', []);
    buffered.reset();
    this.auditTimer = setInterval(() => {
      buffered.set(this.auditQueue.length);
      void this.flushAudit();
    }, 500);
    this.auditTimer.unref();
  }

  record(r: RequestRecord): void {
    const counters = this.ctx.counters;
    // The counts every request makes go into cells kept per requester (record-cells.ts).
    const cells = this.requesters.for(r.token);
    const { client, tenant, synthetic } = cells;
    // A synthetic client's legacy and spoof requests are deliberate: counted by kind in
    // tenantgate_synthetic_requests_total, never in the legacy-use metrics. The durable rows
    // stay, read apart through telemetry.synthetic_identities (src/telemetry/synthetic.ts).
    if (synthetic) this.synthetic.inc('request');
    let variantSeen = false;
    for (const s of r.classification.stripped) {
      cells.count(cells.stripped(s));
      if (s.kind === 'variant') variantSeen = true;
    }
    if (variantSeen) this.spoofAttempt('variant', client, tenant, synthetic);
    if (r.classification.forgedEnvelope) this.spoofAttempt('forged_envelope', client, tenant, synthetic);

    const d = r.decision;
    if (d.outcome !== null) cells.count(cells.decision(d.outcome));
    for (const alias of d.legacyAliases) cells.count(cells.alias(alias));
    if (d.legacyTid) cells.count(cells.legacyTid());
    if (d.pass) {
      if (d.outcome === 'override') {
        this.audit({
          type: 'gateway.tenant.override',
          outcome: 'success',
          actor: r.token?.subject ?? null,
          client: client || null,
          tenant: d.tenant,
          properties: { tokenTenant: tenant, method: r.method, path: r.path, requestId: r.requestId },
        });
      }
      return;
    }
    this.rejections.inc(d.code);
    counters.increment(signals.gatewayRejection, { detail: d.code, client, tenant });
    if (d.spoof) this.spoofAttempt(d.spoof, client, tenant, synthetic);
    if (d.code === 'tenant_mismatch' || d.code === 'tenant_forbidden') {
      this.audit({
        type: d.code === 'tenant_mismatch' ? 'gateway.tenant.mismatch' : 'gateway.tenant.override_forbidden',
        outcome: 'denied',
        actor: r.token?.subject ?? null,
        client: client || null,
        tenant,
        properties: { requested: r.classification.requested.map((q) => ({ value: q.value, header: q.header })), method: r.method, path: r.path, requestId: r.requestId },
      });
    }
  }

  private spoofAttempt(reason: string, client: string, tenant: string, synthetic: boolean): void {
    if (synthetic) this.synthetic.inc('spoof_attempt');
    else this.spoof.inc(reason);
    this.ctx.counters.increment(signals.gatewaySpoofAttempt, { detail: reason, client, tenant });
  }

  private audit(event: AuditEvent): void {
    // Bounded: under a flood during a long outage the oldest events give way.
    if (this.auditQueue.length >= 50_000) this.auditQueue.shift();
    this.auditQueue.push({ ...event, time: this.ctx.clock.now() });
  }

  /** Writes queued audit events; on failure they stay queued for the next attempt. */
  flushAudit(): Promise<void> {
    if (this.auditFlushing) return this.auditFlushing;
    this.auditFlushing = (async () => {
      while (this.auditQueue.length > 0) {
        const batch = this.auditQueue.slice(0, 200);
        try {
          await this.ctx.db.withTransaction(async (c) => {
            for (const e of batch) await writeAudit(c, e);
          });
        } catch (err) {
          auditLog.failure(this.ctx.logger, err, { queued: this.auditQueue.length });
          return;
        }
        this.auditQueue.splice(0, batch.length);
      }
    })().finally(() => {
      this.auditFlushing = null;
    });
    return this.auditFlushing;
  }

  async close(): Promise<void> {
    if (this.auditTimer) clearInterval(this.auditTimer);
    this.auditTimer = null;
    await this.flushAudit();
  }
}
