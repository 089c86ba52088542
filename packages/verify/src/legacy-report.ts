/**
 * Counts the requests whose tenant a service took from a legacy alias header and reports the
 * counts to the gateway, batched, so tenantgate's strict-mode gate sees the service's legacy
 * use in the same durable signal as its own (docs/services.md, "Report legacy use").
 *
 * Each report is authenticated with a client-credentials token of the service's reporting
 * client (holding the scope `legacy:report`; the gateway accepts it only for the service the
 * client is bound to). Every flush reports today even with nothing counted: a day the
 * service did not report is "no data" for the gate, never zero. A failed report is kept and
 * sent again with the same batch id, so the gateway counts it once.
 */
import { randomUUID } from 'node:crypto';
import { headerValues, type HeaderBag } from './headers.js';

export const LEGACY_REPORT_PATH = '/gateway/v1/legacy-use';
export const LEGACY_REPORT_SCOPE = 'legacy:report';
export const DEFAULT_LEGACY_TENANT_HEADERS: readonly string[] = ['X-Stella-Tenant', 'X-Tenant-Id'];

export interface LegacyUseReporterOptions {
  /** The gateway's public URL, e.g. https://gateway.example. */
  gatewayUrl: string;
  /** The service's name: `<name>` of `services.<name>`. */
  service: string;
  /** The reporting client (client_credentials, scope `legacy:report`). */
  clientId: string;
  clientSecret: string;
  /** Token endpoint (default `{gatewayUrl}/connect/token`). */
  tokenUrl?: string;
  /** The `tenant` of the token request, when the reporting client is assigned several tenants. */
  tokenTenant?: string;
  /** How often counts are reported (default 60 s). */
  intervalMs?: number;
  /** The canonical tenant header (default `X-StellaOps-Tenant`). */
  tenantHeader?: string;
  /** The legacy aliases (default `X-Stella-Tenant`, `X-Tenant-Id`). */
  legacyHeaders?: readonly string[];
  fetch?: typeof fetch;
  now?: () => number;
  /** Called when a report or a token request fails (the counts are kept for the next try). */
  onError?: (err: Error) => void;
}

export interface LegacyUse {
  /** The alias header the tenant came from, e.g. `X-Tenant-Id`. */
  alias: string;
  tenant: string;
  /** The caller's client id, when the service knows it. */
  client?: string;
}

export interface TenantFromHeaders {
  tenant: string | null;
  /** The alias it came from; null when it came from the canonical header (or not at all). */
  alias: string | null;
}

export interface LegacyUseReporter {
  /** Counts `n` requests whose tenant came from `use.alias`. */
  count(use: LegacyUse, n?: number): void;
  /**
   * The tenant as a service that still reads aliases takes it: the canonical header, else (when
   * `acceptLegacy`, default true) the first alias present — counted.
   */
  tenantFrom(headers: HeaderBag, options?: { acceptLegacy?: boolean }): TenantFromHeaders;
  /** Reports what is counted now (and today, even with nothing counted). */
  flush(): Promise<void>;
  /** Reports every `intervalMs` until `stop`. */
  start(): void;
  /** Stops the timer and makes a last report. */
  stop(): Promise<void>;
}

interface Batch {
  batchId: string;
  days: { day: string; uses: { alias: string; tenant: string; client: string; count: number }[] }[];
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function createLegacyUseReporter(options: LegacyUseReporterOptions): LegacyUseReporter {
  const gateway = options.gatewayUrl.replace(/\/$/, '');
  const tokenUrl = options.tokenUrl ?? `${gateway}/connect/token`;
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const canonical = options.tenantHeader ?? 'X-StellaOps-Tenant';
  const aliases = options.legacyHeaders ?? DEFAULT_LEGACY_TENANT_HEADERS;
  /** day → "alias\0tenant\0client" → count */
  let buffer = new Map<string, Map<string, number>>();
  let pending: Batch | null = null;
  let token: { value: string; until: number } | null = null;
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;

  function count(use: LegacyUse, n = 1): void {
    if (!(n > 0)) return;
    const day = utcDay(now());
    const cells = buffer.get(day) ?? buffer.set(day, new Map()).get(day)!;
    const key = `${use.alias}\u0000${use.tenant}\u0000${use.client ?? ''}`;
    cells.set(key, (cells.get(key) ?? 0) + n);
  }

  function tenantFrom(headers: HeaderBag, opts: { acceptLegacy?: boolean } = {}): TenantFromHeaders {
    const own = headerValues(headers, canonical)[0]?.trim();
    if (own) return { tenant: own, alias: null };
    if (opts.acceptLegacy === false) return { tenant: null, alias: null };
    for (const alias of aliases) {
      const value = headerValues(headers, alias)[0]?.trim().toLowerCase();
      if (value) {
        count({ alias, tenant: value });
        return { tenant: value, alias };
      }
    }
    return { tenant: null, alias: null };
  }

  /** The next batch: what is buffered for today and yesterday (the gateway takes no older day), and today even when empty. */
  function takeBatch(): Batch {
    const today = utcDay(now());
    const yesterday = utcDay(now() - 86_400_000);
    const taken = buffer;
    buffer = new Map();
    for (const day of taken.keys()) {
      if (day !== today && day !== yesterday) options.onError?.(new Error(`legacy-use counts of ${day} dropped: the gateway takes today's and yesterday's only`));
    }
    const days = [yesterday, today]
      .filter((day) => day === today || taken.has(day))
      .map((day) => ({
        day,
        uses: [...(taken.get(day) ?? new Map<string, number>())].map(([key, n]) => {
          const [alias, tenant, client] = key.split('\u0000');
          return { alias, tenant, client, count: n };
        }),
      }));
    return { batchId: randomUUID(), days };
  }

  async function bearer(): Promise<string> {
    if (token && now() < token.until) return token.value;
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: LEGACY_REPORT_SCOPE });
    if (options.tokenTenant) body.set('tenant', options.tokenTenant);
    const res = await doFetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}` },
      body,
    });
    const json = (await res.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!res.ok || typeof json.access_token !== 'string') throw new Error(`token request for the legacy-use reporter failed: ${res.status} ${json.error ?? ''} ${json.error_description ?? ''}`.trim());
    token = { value: json.access_token, until: now() + Math.max(0, (json.expires_in ?? 60) - 30) * 1000 };
    return token.value;
  }

  async function send(batch: Batch): Promise<void> {
    const res = await doFetch(`${gateway}${LEGACY_REPORT_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await bearer()}` },
      body: JSON.stringify({ service: options.service, ...batch }),
    });
    if (res.status === 401) token = null;
    if (!res.ok) {
      const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string };
      throw new Error(`legacy-use report refused: ${res.status} ${problem.code ?? ''} ${problem.detail ?? ''}`.trim());
    }
  }

  async function flushOnce(): Promise<void> {
    // A batch that failed goes again first, with its batch id: the gateway counts it once.
    if (pending) {
      await send(pending);
      pending = null;
    }
    pending = takeBatch();
    await send(pending);
    pending = null;
  }

  function flush(): Promise<void> {
    if (flushing) return flushing.then(flush);
    flushing = flushOnce()
      .catch((err: Error) => {
        options.onError?.(err);
        throw err;
      })
      .finally(() => {
        flushing = null;
      });
    return flushing;
  }

  return {
    count,
    tenantFrom,
    flush,
    start() {
      if (timer) return;
      timer = setInterval(() => void flush().catch(() => undefined), options.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await flush().catch(() => undefined);
    },
  };
}
