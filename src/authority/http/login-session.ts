/**
 * The browser session of the sign-in form (/connect/authorize): a random id in an HttpOnly,
 * SameSite=Lax cookie. The form carries a CSRF token derived from it (a POST without the
 * cookie, or with another session's token, is refused), and the tenant-choice ticket is
 * bound to it (a ticket replayed from another browser does not open). Nothing is stored
 * per session: the token and the binding are HMACs of the id under a key derived from the
 * key-encryption key, so every Authority instance checks them alike.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const LOGIN_COOKIE = 'tg_signin';
export const CSRF_FIELD = 'csrf';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
const MAX_AGE_SECONDS = 30 * 60;

export class LoginSessions {
  private readonly key: Buffer;

  constructor(
    keyEncryptionKey: string,
    private readonly secure: boolean,
  ) {
    this.key = createHmac('sha256', keyEncryptionKey).update('tenantgate:authorize-session').digest();
  }

  /** The session id the request's cookie carries, or null. */
  read(cookieHeader: string | undefined): string | null {
    if (!cookieHeader) return null;
    for (const part of cookieHeader.split(';')) {
      const eq = part.indexOf('=');
      if (eq !== -1 && part.slice(0, eq).trim() === LOGIN_COOKIE) {
        const value = part.slice(eq + 1).trim();
        return SESSION_ID.test(value) ? value : null;
      }
    }
    return null;
  }

  /** The request's session, or a new one and the `Set-Cookie` value that starts it. */
  ensure(cookieHeader: string | undefined): { id: string; setCookie: string | null } {
    const current = this.read(cookieHeader);
    if (current) return { id: current, setCookie: null };
    const id = randomBytes(32).toString('base64url');
    // No Path: it defaults to the directory of /connect/authorize, wherever the issuer is mounted.
    const setCookie = `${LOGIN_COOKIE}=${id}; HttpOnly; SameSite=Lax; Max-Age=${MAX_AGE_SECONDS}${this.secure ? '; Secure' : ''}`;
    return { id, setCookie };
  }

  csrfToken(sessionId: string): string {
    return this.mac('csrf', sessionId);
  }

  /** What a ticket records of the session that may use it. */
  ticketBinding(sessionId: string): string {
    return this.mac('ticket', sessionId);
  }

  /** The session of a form POST whose CSRF token matches its cookie, or null. */
  verify(cookieHeader: string | undefined, csrf: string | undefined): string | null {
    const id = this.read(cookieHeader);
    if (id === null || csrf === undefined) return null;
    const expected = Buffer.from(this.csrfToken(id));
    const presented = Buffer.from(csrf);
    return presented.length === expected.length && timingSafeEqual(presented, expected) ? id : null;
  }

  private mac(purpose: string, sessionId: string): string {
    return createHmac('sha256', this.key).update(`${purpose}\u0000${sessionId}`).digest('base64url');
  }
}
