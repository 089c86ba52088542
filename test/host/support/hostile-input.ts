/** What the bad-input property test sends and how it judges the answers. */
import fc from 'fast-check';
import { errorTable } from '../../../src/contract/errors.ts';

export const b64 = (v: string) => Buffer.from(v).toString('base64url');

/** Values a careless client or an attacker sends. */
export const hostile = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    '',
    ' ',
    '0',
    '-1',
    '1e309',
    'NaN',
    'null',
    '[]',
    '{}',
    '%',
    '%ZZ',
    '\u0000',
    'a\u0000b',
    '../../etc/passwd',
    '2026-13-45T99:99:99Z',
    '00000000-0000-0000-0000-00000000000g',
    '\ud800',
    '😀'.repeat(500),
    'x'.repeat(70_000),
    b64('["not-a-date"]'),
    b64('["not-a-date","x"]'),
    b64('[99999999999999999999]'),
    b64('[1.5]'),
    b64('[null]'),
    b64('[{"a":1}]'),
    b64(`["${'x'.repeat(600)}"]`),
    b64('["\\u0000"]'),
    b64('not json'),
    '!!!',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
);

export const SKIPPED = new Set(['/healthz', '/readyz', '/metrics', '*', '/*']);
export const OAUTH_FIELDS = ['grant_type', 'client_id', 'client_secret', 'token', 'username', 'password', 'scope', 'tenant', 'code', 'redirect_uri', 'refresh_token', 'code_verifier', 'step', 'ticket'];

/** Percent-encodes a path segment byte by byte (a lone surrogate goes as U+FFFD, where encodeURIComponent throws). */
export function encodeSegment(v: string): string {
  let out = '';
  for (const byte of Buffer.from(v, 'utf8')) out += /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

export function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

export function fieldNames(schema: any): string[] {
  if (!schema || typeof schema !== 'object') return [];
  const names = new Set<string>(Object.keys(schema.properties ?? {}));
  for (const alt of [...(schema.oneOf ?? []), ...(schema.anyOf ?? []), ...(schema.allOf ?? [])]) for (const n of fieldNames(alt)) names.add(n);
  return [...names];
}

export function appendAll(form: URLSearchParams, fields: Record<string, unknown>) {
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, asText(one));
}

/** A failure description when the answer is a 5xx, or a 4xx without a code from the error table; else null. */
export async function judge(res: Response, label: string): Promise<string | null> {
  const text = await res.text();
  const described = `${label} → ${res.status}: ${text.slice(0, 300)}`;
  if (res.status >= 500) return described;
  if (res.status >= 400 && (res.headers.get('content-type') ?? '').includes('json') && text) {
    const parsed = JSON.parse(text);
    const code = parsed.code ?? parsed.error_code ?? parsed.error;
    if (!(code in errorTable)) return `unstable code ${String(code)}: ${described}`;
  }
  return null;
}

/** Valid client-authenticated form requests of the registered admin client, to swap hostile fields into. */
export function validClientRequests(secret: string): Record<string, string>[] {
  const client = { client_id: 'tenantgate-admin', client_secret: secret };
  return [
    { ...client, grant_type: 'client_credentials' },
    { ...client, grant_type: 'refresh_token', refresh_token: 'rt_x' },
    { ...client, grant_type: 'authorization_code', code: 'x', redirect_uri: 'https://x/cb', code_verifier: 'v'.repeat(43) },
    { ...client, grant_type: 'password', username: 'alice', password: 'x' },
    { ...client, token: 'x' },
  ];
}
