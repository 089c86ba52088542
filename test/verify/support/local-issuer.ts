/**
 * A stand-in for the gateway's identity side in the SDK tests: signing keys made in the test,
 * a real HTTP server publishing them as `/.well-known/identity-jwks.json` (counting fetches),
 * and assertions signed exactly as the gateway writes them. Overrides make each bad case.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface SigningKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export interface AssertionInput {
  method: string;
  /** Path and query as forwarded. */
  target: string;
  tenant?: string;
  audience?: string;
  issuer?: string;
  /** Seconds from now. */
  iatOffset?: number;
  ttl?: number;
  key?: SigningKey;
  /** Protected header fields to override, e.g. `{ typ: 'JWT' }` or `{ alg: 'HS256' }`. */
  header?: Record<string, unknown>;
  /** Claims to add, replace, or (with `undefined`) drop. */
  claims?: Record<string, unknown>;
}

export interface LocalIssuer {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** The key set currently published. */
  published: SigningKey[];
  /** The key assertions are signed with unless told otherwise. */
  current: SigningKey;
  fetches(): number;
  sign(input: AssertionInput): Promise<string>;
  /** Headers as the gateway forwards them: the assertion and the canonical tenant header. */
  headers(input: AssertionInput): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const DEFAULT_TENANT = 'tenant-alpha';

export async function startLocalIssuer(options: { audience?: string; alg?: 'EdDSA' | 'ES256' } = {}): Promise<LocalIssuer> {
  const current = await makeKey('identity-1', options.alg);
  const state = { fetches: 0 };
  const issuerState: { published: SigningKey[] } = { published: [current] };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/.well-known/identity-jwks.json') {
      res.writeHead(404).end();
      return;
    }
    state.fetches += 1;
    const body = JSON.stringify({ keys: issuerState.published.map((k) => k.publicJwk) });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=60' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const audience = options.audience ?? 'inventory';

  const issuer: LocalIssuer = {
    jwksUrl: `${origin}/.well-known/identity-jwks.json`,
    issuer: origin,
    audience,
    get published() {
      return issuerState.published;
    },
    set published(keys: SigningKey[]) {
      issuerState.published = keys;
    },
    current,
    fetches: () => state.fetches,
    async sign(input) {
      const key = input.key ?? issuer.current;
      const now = Math.floor(Date.now() / 1000) + (input.iatOffset ?? 0);
      const claims: Record<string, unknown> = {
        iss: input.issuer ?? issuer.issuer,
        aud: input.audience ?? audience,
        iat: now,
        exp: now + (input.ttl ?? 30),
        jti: randomUUID(),
        htm: input.method,
        htu: input.target,
        'stellaops:tenant': input.tenant ?? DEFAULT_TENANT,
        sub: 'user-1',
        client_id: 'console',
        scope: 'inventory:read inventory:write',
      };
      for (const [name, value] of Object.entries(input.claims ?? {})) {
        if (value === undefined) delete claims[name];
        else claims[name] = value;
      }
      return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'identity+jwt', ...input.header } as never).sign(key.privateKey);
    },
    async headers(input) {
      return { 'x-stellaops-identity': await issuer.sign(input), 'x-stellaops-tenant': input.tenant ?? DEFAULT_TENANT };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return issuer;
}
