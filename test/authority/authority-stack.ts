/**
 * The Authority alone on free ports with the demo seed, its issuer set to its own URL so
 * discovery and every endpoint are reached directly over HTTP (no gateway in between).
 */
import { freeBasePort } from '../support/ports.ts';
import type { StartOptions } from '../../src/components.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

export interface AuthorityStack extends TestStack {
  base: string;
  basic(clientId: string): string;
  token(params: Record<string, string | string[]>, auth?: { basic?: string; bearer?: string }): Promise<{ status: number; body: any; headers: Headers }>;
  adminToken(): Promise<string>;
}

export async function startAuthorityStack(overrides: Record<string, unknown> = {}, start?: StartOptions): Promise<AuthorityStack> {
  const basePort = await freeBasePort();
  const base = `http://127.0.0.1:${basePort + 1}`;
  const ts = await startTestStack({ components: ['authority'], overrides: { 'server.basePort': basePort, 'authority.issuer': base, ...overrides }, start });
  const basic = (clientId: string) => 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(ts.credentials.clients[clientId].secret)}`).toString('base64');
  const token = async (params: Record<string, string | string[]>, auth: { basic?: string } = {}) => {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    const res = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth.basic ? { authorization: auth.basic } : {}) },
      body: form,
    });
    return { status: res.status, body: await res.json(), headers: res.headers };
  };
  return {
    ...ts,
    base,
    basic,
    token,
    adminToken: async () => {
      const res = await token({ grant_type: 'client_credentials' }, { basic: basic('tenantgate-admin') });
      if (res.status !== 200) throw new Error(`admin token: ${JSON.stringify(res.body)}`);
      return res.body.access_token as string;
    },
  };
}

/** One JSON request to the Authority's own routes with a bearer token; the body parsed when there is one. */
export async function bearerCall(base: string, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any; type: string }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, type: res.headers.get('content-type') ?? '' };
}

export function decodeClaims(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

export function decodeHeader(jwt: string): Record<string, any> {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}

function unescapeHtml(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The hidden inputs and radio choices of a server-rendered form. */
export function formFields(html: string): { hidden: Record<string, string>; choices: string[] } {
  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  const choices = [...html.matchAll(/<input type="radio" id="[^"]+" name="tenant" value="([^"]*)"/g)].map((m) => unescapeHtml(m[1]));
  return { hidden, choices };
}

/** The sign-in session a browser would hold: the session cookie and the form's CSRF token. */
export interface SignInSession {
  cookie: string | null;
  csrf: string | null;
}

export type AuthorizeOutcome =
  | { kind: 'redirect'; location: URL }
  | { kind: 'choice'; choices: string[]; html: string; ticket: string; status: number; session: SignInSession }
  | { kind: 'page'; status: number; html: string };

async function outcome(res: Response, session: SignInSession): Promise<AuthorizeOutcome> {
  if (res.status === 302) return { kind: 'redirect', location: new URL(res.headers.get('location') as string) };
  const html = await res.text();
  const { hidden, choices } = formFields(html);
  if (hidden.step === 'tenant') return { kind: 'choice', choices, html, ticket: hidden.ticket, status: res.status, session: { ...session, csrf: hidden.csrf ?? session.csrf } };
  return { kind: 'page', status: res.status, html };
}

function postForm(url: URL, body: URLSearchParams, cookie: string | null): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body,
  });
}

/**
 * Drives the login page like a browser: GET the authorization URL (keeping the session
 * cookie it sets), POST the form with credentials. `tamper` leaves out the cookie or the
 * CSRF field, or swaps in another session's cookie.
 */
export async function submitLogin(
  authorizationUrl: string | URL,
  username: string,
  password: string,
  tamper: { dropCookie?: boolean; dropCsrf?: boolean; cookie?: string } = {},
): Promise<AuthorizeOutcome> {
  const page = await fetch(authorizationUrl, { redirect: 'manual' });
  const setCookie = page.headers.get('set-cookie');
  const cookie = setCookie ? setCookie.split(';')[0] : null;
  if (page.status === 302) return outcome(page, { cookie, csrf: null });
  const html = await page.text();
  const { hidden } = formFields(html);
  if (hidden.step !== 'login') return { kind: 'page', status: page.status, html };
  const fields: Record<string, string> = { ...hidden, username, password };
  if (tamper.dropCsrf) delete fields.csrf;
  const sent = tamper.cookie ?? (tamper.dropCookie ? null : cookie);
  return outcome(await postForm(new URL('authorize', authorizationUrl), new URLSearchParams(fields), sent), { cookie: sent, csrf: hidden.csrf ?? null });
}

/** Answers a tenant choice from the session that got it (or `session` instead). */
export async function chooseTenant(
  authorizationUrl: string | URL,
  from: { ticket: string; session: SignInSession },
  tenant: string | null,
  session: SignInSession = from.session,
): Promise<AuthorizeOutcome> {
  const body = new URLSearchParams({ step: 'tenant', ticket: from.ticket });
  if (session.csrf !== null) body.set('csrf', session.csrf);
  if (tenant !== null) body.set('tenant', tenant);
  return outcome(await postForm(new URL('authorize', authorizationUrl), body, session.cookie), session);
}
