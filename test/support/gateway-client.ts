/** HTTP as a client of the gateway sees it: demo-client tokens and JSON calls. */
import assert from 'node:assert/strict';
import type { DemoCredentials } from '../../src/demo/credentials.ts';

/** A client_credentials access token from `/connect/token` (asserts 200). */
export async function clientToken(base: string, credentials: DemoCredentials, client: string, options: { tenant?: string; scope?: string } = {}): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: client, client_secret: credentials.clients[client].secret });
  if (options.tenant) form.set('tenant', options.tenant);
  if (options.scope) form.set('scope', options.scope);
  const res = await fetch(`${base}/connect/token`, { method: 'POST', body: form });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token;
}

export interface ApiAnswer {
  status: number;
  json: any;
  text: string;
  headers: Headers;
}

/** One request with an optional bearer token; a JSON `body` or the exact `raw` bytes. */
export async function callApi(
  base: string,
  tok: string | null,
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (tok) headers.authorization = `Bearer ${tok}`;
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text, headers: res.headers };
}
