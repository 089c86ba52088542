/** Talks to a deployment through its gateway: OAuth tokens, JSON API calls, admin API. */
import { rawRequest, type RawResponse } from './raw-http.ts';
import { TenantgateError } from '../contract/errors.ts';

export class MatrixSetupError extends TenantgateError {
  constructor(message: string) {
    super('matrix_setup_failed', message);
  }
}

export interface TokenRequest {
  clientId: string;
  secret: string;
  tenant?: string;
  scope?: string;
}

export class GatewayClient {
  constructor(
    readonly base: string,
    readonly tenantParameter = 'tenant',
  ) {}

  url(path: string): string {
    return this.base.replace(/\/$/, '') + path;
  }

  /** The raw token endpoint answer (rows assert on refusals too). */
  tokenResponse(t: TokenRequest): Promise<RawResponse> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (t.tenant) form.set(this.tenantParameter, t.tenant);
    if (t.scope) form.set('scope', t.scope);
    // client_secret_post: a gateway does not forward Authorization on public routes.
    form.set('client_id', t.clientId);
    form.set('client_secret', t.secret);
    return rawRequest(this.url('/connect/token'), {
      method: 'POST',
      headers: [
        ['content-type', 'application/x-www-form-urlencoded'],
        ['accept', 'application/json'],
      ],
      body: form.toString(),
    });
  }

  async token(t: TokenRequest): Promise<string> {
    const res = await this.tokenResponse(t);
    if (res.status !== 200 || typeof res.json?.access_token !== 'string') {
      throw new MatrixSetupError(`token for ${t.clientId}${t.tenant ? ` in ${t.tenant}` : ''}: ${res.status} ${res.json?.error_code ?? res.json?.error ?? ''} ${res.json?.error_description ?? res.json?.detail ?? res.text.slice(0, 300)}`);
    }
    return res.json.access_token;
  }

  call(method: string, path: string, options: { token?: string; body?: unknown; headers?: [string, string][]; rawBody?: string } = {}): Promise<RawResponse> {
    const headers: [string, string][] = [['accept', 'application/json']];
    if (options.token) headers.push(['authorization', `Bearer ${options.token}`]);
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) {
      headers.push(['content-type', 'application/json']);
      body = JSON.stringify(options.body);
    }
    headers.push(...(options.headers ?? []));
    return rawRequest(this.url(path), { method, headers, body });
  }

  /** A setup call that must succeed with one of `ok`. */
  async must(method: string, path: string, ok: number[], options: Parameters<GatewayClient['call']>[2] = {}): Promise<any> {
    const res = await this.call(method, path, options);
    if (!ok.includes(res.status)) throw new MatrixSetupError(`${method} ${path}: expected ${ok.join('/')} but got ${res.status} ${res.json?.code ?? ''} ${res.json?.detail ?? res.text.slice(0, 200)}`);
    return res.json;
  }
}
