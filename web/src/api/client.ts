/**
 * THE HTTP client of the console. Every API call goes through it: it adds the bearer token
 * and the canonical tenant header from the session (never a legacy alias), strips and
 * reports any legacy alias code tries to set, ties each request to the tenant generation
 * it started in (aborted on switch, late answers discarded) and turns problem+json into
 * ApiError.
 */
import { defaultProfile, type ContractProfile } from '../../../src/contract/profile.ts';
import type { ConsoleSession } from '../auth/session.ts';
import { ApiError, StaleResponseError } from './errors.ts';
import { partitionHeaders } from './header-names.ts';

export type TelemetryEvent =
  | { kind: 'legacy_header'; alias: string }
  | { kind: 'tenant_switch'; fromTenant: string; toTenant: string; trigger: SwitchTrigger };

/**
 * Why a switch happened, in the telemetry endpoint's vocabulary: the selector, the address
 * (a shared link, Back/Forward, a reload), or `other` — a switch followed from another tab.
 */
export type SwitchTrigger = 'selector' | 'deep-link' | 'cross-tab';

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Confirmation calls during a switch run with the candidate token before it is committed. */
  identity?: { accessToken: string; tenant: string };
  /** Answer the raw Response (downloads). */
  raw?: boolean;
}

export const TELEMETRY_PATH = '/console/telemetry';

export class ApiClient {
  private readonly session: ConsoleSession;
  private readonly fetchImpl: typeof fetch;
  private readonly profile: ContractProfile;

  constructor(session: ConsoleSession, options: { fetch?: typeof fetch; profile?: ContractProfile } = {}) {
    this.session = session;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.profile = options.profile ?? defaultProfile;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'method' | 'body'> = {}): Promise<T> {
    return this.request<T>(path, { ...options, method: 'GET' });
  }

  async request<T>(path: string, options: RequestOptions = {}): Promise<T> {
    const generation = this.session.generation;
    const accessToken = options.identity?.accessToken ?? this.session.tokens?.accessToken;
    const tenant = options.identity?.tenant ?? this.session.tenant;
    if (!accessToken || !tenant) throw new ApiError(401, 'unauthorized', 'not signed in', null);

    const { kept, legacyAliases } = partitionHeaders(options.headers ?? {}, this.profile.legacyTenantHeaders, [
      this.profile.canonicalTenantHeader,
      'authorization',
    ]);
    if (legacyAliases.length > 0) this.sendTelemetry(legacyAliases.map((alias) => ({ kind: 'legacy_header', alias })));

    const headers: Record<string, string> = { accept: 'application/json', ...kept };
    headers.authorization = `Bearer ${accessToken}`;
    headers[this.profile.canonicalTenantHeader] = tenant;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const signal = options.signal ? AbortSignal.any([options.signal, this.session.signal]) : this.session.signal;
    const response = await this.fetchImpl(path, { method: options.method ?? 'GET', headers, body, signal, cache: 'no-store' });
    if (this.session.generation !== generation) throw new StaleResponseError();
    if (options.raw) {
      if (!response.ok) throw await toApiError(response);
      return response as T;
    }
    if (!response.ok) throw await toApiError(response);
    const text = await response.text();
    if (this.session.generation !== generation) throw new StaleResponseError();
    if (text === '') return null as T;
    return JSON.parse(text) as T;
  }

  /** Fire and forget: telemetry must never break the page that emits it. */
  sendTelemetry(events: TelemetryEvent[]): void {
    const accessToken = this.session.tokens?.accessToken;
    const tenant = this.session.tenant;
    if (!accessToken || !tenant || events.length === 0) return;
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` };
    headers[this.profile.canonicalTenantHeader] = tenant;
    void this.fetchImpl(TELEMETRY_PATH, { method: 'POST', headers, body: JSON.stringify({ events }), keepalive: true }).catch(() => undefined);
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: keep the status line as the message
  }
  const detail = typeof parsed.detail === 'string' ? parsed.detail : typeof parsed.error_description === 'string' ? parsed.error_description : response.statusText || `HTTP ${response.status}`;
  const code = typeof parsed.code === 'string' ? parsed.code : typeof parsed.error === 'string' ? parsed.error : null;
  return new ApiError(response.status, code, detail, typeof parsed.traceId === 'string' ? parsed.traceId : null, parsed);
}
