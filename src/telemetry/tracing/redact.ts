/**
 * What a span may carry out of the process. Every span passes through here before it is
 * exported, whichever instrumentation made it: credentials are never recorded, even where
 * an instrumentation would put them (a query string, a URL's user info, an SQL literal, an
 * error message quoting a token). Pure.
 */

/** What stands in for a removed value. */
export const REDACTED = '[REDACTED]';

export type AttributeValue = string | number | boolean | Array<null | undefined | string> | Array<null | undefined | number> | Array<null | undefined | boolean>;
export type Attributes = Record<string, AttributeValue | undefined>;

/** Attribute names that hold a credential whatever their value looks like. */
const SECRET_KEY = /authorization|cookie|token|secret|passw(or)?d|pwd|api[-_.]?key|credential|signature|envelope/i;
/** Attributes that hold a URL or a request target: query, fragment and user info are dropped. */
const URL_KEYS = new Set(['url.full', 'http.url', 'http.target', 'url.original', 'db.connection_string', 'server.url']);
/** Attributes that hold only a query string. */
const QUERY_KEYS = new Set(['url.query']);
/** Attributes that hold SQL text: literals are replaced, bound parameters are never recorded. */
const SQL_KEYS = new Set(['db.statement', 'db.query.text']);
/** Attributes that hold bound values. */
const VALUE_KEYS = /^db\.(postgresql\.)?(values|parameters|query\.parameter)/;

const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const SCHEME_CREDENTIALS = /\b(Bearer|Basic|Digest|DPoP)\s+[A-Za-z0-9._~+/=-]+/gi;
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;
/** `name=value` pairs whose name says the value is a credential, in any text. */
const SECRET_PAIR = /\b((?:access_|refresh_|id_)?token|client_secret|password|secret|code_verifier|assertion|api[-_]?key)=([^&\s"',;]+)/gi;
const SQL_STRING = /'(?:[^']|'')*'/g;
const SQL_DOLLAR_STRING = /\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g;

/** Credentials in free text (error messages, span names): tokens, auth schemes, URL user info, secret pairs. */
export function redactText(text: string): string {
  if (text.length < 8) return text;
  return text.replace(JWT, REDACTED).replace(SCHEME_CREDENTIALS, `$1 ${REDACTED}`).replace(URL_USERINFO, '$1').replace(SECRET_PAIR, `$1=${REDACTED}`);
}

/** A URL or request target without its query, fragment and user info. */
export function redactUrl(url: string): string {
  const cut = url.search(/[?#]/);
  const bare = cut === -1 ? url : url.slice(0, cut);
  return redactText(bare.replace(URL_USERINFO, '$1'));
}

/** SQL text with every string literal replaced: what the statement did, not what it carried. */
export function redactSql(sql: string): string {
  return redactText(sql.replace(SQL_DOLLAR_STRING, "'?'").replace(SQL_STRING, "'?'"));
}

function redactValue(key: string, value: AttributeValue): AttributeValue | undefined {
  if (SECRET_KEY.test(key)) return REDACTED;
  if (QUERY_KEYS.has(key) || VALUE_KEYS.test(key)) return undefined;
  if (typeof value === 'string') {
    if (URL_KEYS.has(key)) return redactUrl(value);
    if (SQL_KEYS.has(key)) return redactSql(value);
    return redactText(value);
  }
  if (Array.isArray(value) && value.some((v) => typeof v === 'string')) return (value as Array<string | null | undefined>).map((v) => (typeof v === 'string' ? redactText(v) : v));
  return value;
}

/** The attributes with every credential removed; the same object when nothing had to change. */
export function redactAttributes<A extends Attributes>(attributes: A): A {
  let out: Attributes | null = null;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined) continue;
    const clean = redactValue(key, value);
    if (clean === value) continue;
    out ??= { ...attributes };
    if (clean === undefined) delete out[key];
    else out[key] = clean;
  }
  return (out ?? attributes) as A;
}
