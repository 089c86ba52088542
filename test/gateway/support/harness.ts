/**
 * A real gateway process-in-test over real HTTP: a fresh database, an echo upstream that
 * records exactly what it received (raw header list included), and a JWKS server standing in
 * for the Authority so gateway-only cases can mint tokens with chosen claims.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { issuer, type Config } from '../../../src/config/schema.ts';
import { setFlags } from '../../../src/flags/store.ts';
import type { FlagName } from '../../../src/flags/definitions.ts';
import { startGateway } from '../../../src/gateway/component.ts';
import { createComponentContext, type ComponentContext } from '../../../src/host/context.ts';
import type { RunningComponent } from '../../../src/host/app.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { freeBasePort, freePort } from '../../support/ports.ts';

export interface EchoRecord {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

export interface EchoServer {
  url: string;
  records: Map<string, EchoRecord>;
  all: EchoRecord[];
  /** JWKS requests served. */
  jwksHits: number;
  close(): Promise<void>;
}

export const TEST_ID_HEADER = 'x-test-id';

const sendAgent = new Agent({ keepAlive: true, maxSockets: 64 });

function listenOn(server: Server, port = 0): Promise<string> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    const a = server.address();
    resolve(`http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`);
  }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Echo upstream; `?delayMs=N` delays the answer (for timeouts). Optional JWKS at /.well-known/jwks.json. */
/**
 * `record: false` keeps nothing per request: a benchmark's upstream must not accumulate
 * hundreds of thousands of records (and the garbage collection they cost) in the process
 * that also runs the proxies being measured.
 */
/** The echo answers this path with the raw header list it received, in every mode. */
export const ECHO_HEADERS_PATH = '/__echo/headers';

export async function startEcho(jwks?: () => { keys: JWK[] }, options: { record?: boolean } = {}): Promise<EchoServer> {
  const keep = options.record ?? true;
  const records = new Map<string, EchoRecord>();
  const all: EchoRecord[] = [];
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    if (jwks && req.url === '/.well-known/jwks.json') {
      echo.jwksHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks()));
      return;
    }
    if (req.url === ECHO_HEADERS_PATH) {
      // What a proxy in front delivered, for checks that cannot read the records (another process).
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ rawHeaders: req.rawHeaders }));
      return;
    }
    if (keep) {
      const record: EchoRecord = { method: req.method ?? '', url: req.url ?? '', rawHeaders: [...req.rawHeaders], body };
      all.push(record);
      const id = req.headers[TEST_ID_HEADER];
      if (typeof id === 'string') records.set(id, record);
    }
    const delay = /[?&]delayMs=(\d+)/.exec(req.url ?? '');
    if (delay) await new Promise((r) => setTimeout(r, Number(delay[1])));
    if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ echoed: true }));
  });
  server.keepAliveTimeout = 60_000;
  const url = await listenOn(server);
  const echo: EchoServer = {
    url,
    records,
    all,
    jwksHits: 0,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  return echo;
}

export interface TokenOptions {
  claims?: Record<string, unknown>;
  /** Claims to delete from the defaults. */
  omit?: string[];
  header?: Record<string, unknown>;
  expiresIn?: number;
  /** Sign with a key the gateway does not know. */
  foreignKey?: boolean;
}

export interface TokenMinter {
  jwks(): { keys: JWK[] };
  mint(options?: TokenOptions): Promise<string>;
  /** Adds a new signing key (new kid) used by later mints. */
  rotate(): Promise<void>;
}

export async function createMinter(config: Config): Promise<TokenMinter> {
  let keys: { kid: string; privateKey: CryptoKey; jwk: JWK }[] = [];
  const foreign = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const add = async () => {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const kid = `test-${randomUUID()}`;
    keys = [...keys, { kid, privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'EdDSA', use: 'sig' } }];
  };
  await add();
  return {
    jwks: () => ({ keys: keys.map((k) => k.jwk) }),
    rotate: add,
    mint: async (o = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: issuer(config),
        aud: config.authority.audience,
        sub: 'scanner-bot',
        client_id: 'scanner-bot',
        scope: 'platform:read platform:write scanner:read scanner:write graph:read graph:query graph:write',
        iat: now,
        exp: now + (o.expiresIn ?? 600),
        jti: randomUUID(),
        [config.profile.selectedTenantClaim]: 'tenant-alpha',
        [config.profile.allowedTenantsClaim]: 'tenant-alpha tenant-bravo',
        ...o.claims,
      };
      for (const k of o.omit ?? []) delete claims[k];
      const current = keys[keys.length - 1];
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: current.kid, ...o.header } as any)
        .sign(o.foreignKey ? foreign.privateKey : current.privateKey);
    },
  };
}

export interface GatewayHarness {
  t: TestDatabase;
  config: Config;
  echo: EchoServer;
  authority: EchoServer;
  minter: TokenMinter;
  gateway: RunningComponent;
  ctx: ComponentContext;
  url: string;
  setFlags(values: Partial<Record<FlagName, unknown>>): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  overrides?: Record<string, unknown>;
  /** Point the graph upstream at a closed port (502 tests). */
  deadGraph?: boolean;
  /** A real Platform module instead of the echo upstream. */
  platformUrl?: string;
}

export async function startGatewayHarness(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const t = await createTestDatabase();
  const basePort = await freeBasePort();
  const consoleDir = join(t.stateDir, 'console');
  mkdirSync(join(consoleDir, 'assets'), { recursive: true });
  writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(consoleDir, 'assets', 'app.js'), 'console.log("app")');
  const echo = await startEcho();
  let minter: TokenMinter | null = null;
  const authority = await startEcho(() => minter!.jwks());
  const deadPort = await freePort();
  const config = t.config({
    'server.basePort': basePort,
    'gateway.upstreams': {
      authority: authority.url,
      platform: options.platformUrl ?? echo.url,
      scanner: echo.url,
      graph: options.deadGraph ? `http://127.0.0.1:${deadPort}` : echo.url,
    },
    'gateway.upstreamTimeoutMs': 1500,
    'gateway.consoleDir': consoleDir,
    ...options.overrides,
  });
  minter = await createMinter(config);
  // Client records of the Authority: an old client (before the cut-over) and a new one.
  await t.db.query(
    `insert into authority.clients (client_id, display_name, secret_digest, grant_types, created_at) values
       ('legacy-cli', 'Legacy CLI', 'x', '{client_credentials}', '2025-06-01T00:00:00Z'),
       ('fresh-cli', 'Fresh CLI', 'x', '{client_credentials}', '2026-05-01T00:00:00Z')
     on conflict (client_id) do update set created_at = excluded.created_at`,
  );
  const ctx = await createComponentContext({ name: 'gateway', config, runtimeUrl: t.runtimeUrl, keyEncryptionKey: t.keyEncryptionKey });
  const gateway = await startGateway(ctx);
  let current: Record<string, unknown> = {};
  return {
    t,
    config,
    echo,
    authority,
    minter,
    gateway,
    ctx,
    url: gateway.url,
    setFlags: async (values) => {
      const changes = Object.entries(values).filter(([k, v]) => JSON.stringify(current[k]) !== JSON.stringify(v));
      if (changes.length === 0) return;
      await setFlags(t.db, changes.map(([name, value]) => ({ name, value })), { actor: 'test', reason: 'conformance case' });
      current = { ...current, ...values };
      await ctx.flags.refresh();
    },
    close: async () => {
      await gateway.close();
      await echo.close();
      await authority.close();
      await t.drop();
    },
  };
}

export interface SentResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/** Sends a request with headers exactly as listed (order, spelling and repeats preserved; the path is sent verbatim). */
export function send(url: string, method: string, headers: [string, string][], body?: string): Promise<SentResponse> {
  const base = new URL(url);
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const path = pathStart === -1 ? '/' : url.slice(pathStart);
  const flat: string[] = [];
  for (const [n, v] of headers) flat.push(n, v);
  if (!headers.some(([n]) => n.toLowerCase() === 'host')) flat.push('Host', base.host);
  if (body !== undefined) flat.push('Content-Length', String(Buffer.byteLength(body)));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: Number(base.port), method, path, headers: flat as any, agent: sendAgent, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: any = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Writes a request byte for byte on a fresh socket (for values no HTTP client will send). */
export function sendRaw(url: string, head: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (d) => (data += d));
    socket.on('error', reject);
    socket.on('close', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : 0, text: data });
    });
    socket.write(Buffer.from(head, 'latin1'));
    setTimeout(() => socket.end(), 500);
  });
}
