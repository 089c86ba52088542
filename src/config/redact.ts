/**
 * What `config print` and configuration errors must not show: the value of every setting whose
 * name says it is a secret (anywhere in the tree, including records such as `gateway.upstreams`),
 * and the password inside any URL or connection string, wherever it sits. The rule works on
 * names, not on a list of paths, so a setting added later is covered without being listed.
 */

export const REDACTED = '[redacted]';

/** Name words that make the whole value a secret when they end the name (`keyEncryptionKey`, `matrixSecret`). */
const SECRET_LAST_WORDS = new Set(['secret', 'secrets', 'password', 'passwords', 'passwd', 'passphrase', 'key', 'keys', 'token', 'tokens', 'credential', 'credentials', 'apikey', 'pwd']);
/** Name words that make the value a secret wherever they appear (`passwordFile` names a secret too). */
const SECRET_ANY_WORDS = new Set(['secret', 'password', 'passwd', 'passphrase', 'credential', 'credentials']);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when a setting (or record key, or query parameter) named `name` holds a secret. */
export function isSecretName(name: string): boolean {
  const parts = words(name);
  if (parts.length === 0) return false;
  return SECRET_LAST_WORDS.has(parts[parts.length - 1] as string) || parts.some((w) => SECRET_ANY_WORDS.has(w));
}

/** A URL's user-info password: `scheme://user:password@host`. */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/i;
/** `password=…` in a query string or a libpq keyword/value connection string. */
const SECRET_PARAMETER = /(^|[?&;\s])([A-Za-z_][A-Za-z0-9_.-]*)=('[^']*'|[^&;\s#]*)/g;

/** `value` with any password it carries (URL user-info, secret-named parameters) replaced. */
export function redactSecretsInString(value: string): string {
  const withoutUserInfo = value.replace(USERINFO_PASSWORD, `$1:${REDACTED}@`);
  return withoutUserInfo.replace(SECRET_PARAMETER, (whole, lead: string, name: string) => (isSecretName(name) ? `${lead}${name}=${REDACTED}` : whole));
}

/** A deep copy of `value` with secrets redacted; `name` is the key `value` sits under. */
export function redactTree(value: unknown, name = ''): unknown {
  if (value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => redactTree(v, name));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactTree(v, k);
    return out;
  }
  if (name !== '' && isSecretName(name)) return REDACTED;
  return typeof value === 'string' ? redactSecretsInString(value) : value;
}

/** How a configuration error may show the value of the setting at `path` (dotted). */
export function shownValue(path: string, value: unknown): string {
  const last = path.split('.').filter((p) => !/^\d+$/.test(p)).pop() ?? '';
  return JSON.stringify(redactTree(value, last)) ?? 'undefined';
}
