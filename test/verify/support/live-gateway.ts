/**
 * A running gateway and Authority (real database, demo seed, real tokens) in front of
 * services that are not tenantgate's: each service name is declared as `services.<name>` with
 * a route `/api/v1/<name>/` whose upstream is a recording pass-through. The recorder keeps what the gateway forwarded (so a
 * test can replay a genuine assertion elsewhere) and passes the request on to the service
 * once one is attached, so a service can be started after the gateway, knowing its URLs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { publicUrl } from '../../../src/config/schema.ts';
import { clientToken } from '../../support/gateway-client.ts';
import { startTestStack, type TestStack } from '../../support/stack.ts';
import type { ForwardedRequest } from './assertion-source.ts';

export interface Recorder {
  url: string;
  /** Every request the gateway forwarded here, oldest first. */
  received: ForwardedRequest[];
  /** Where requests go on to; until set, the recorder answers 200 itself. */
  target: string | null;
  close(): Promise<void>;
}

function flatten(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

async function startRecorder(): Promise<Recorder> {
  const recorder: Recorder = { url: '', received: [], target: null, close: async () => {} };
  const server: Server = createServer((req, res) => {
    recorder.received.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: flatten(req.headers) });
    if (!recorder.target) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"recorded":true}');
      return;
    }
    const target = new URL(recorder.target);
    const onward = httpRequest(
      { host: target.hostname, port: Number(target.port), method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    onward.on('error', () => res.writeHead(502).end());
    req.pipe(onward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  recorder.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return recorder;
}

export interface LiveAnswer {
  status: number;
  contentType: string;
  body: any;
}

export interface LiveGateway {
  stack: TestStack;
  /** The gateway's URL: every request of a test goes through it. */
  origin: string;
  /** The gateway's public URL, as it writes `iss`. */
  issuer: string;
  jwksUrl: string;
  services: Record<string, Recorder>;
  /** A client_credentials token from the Authority (through the gateway). */
  token(options?: { client?: string; tenant?: string }): Promise<string>;
  /** A request through the gateway. */
  send(method: string, path: string, options?: { token?: string; headers?: Record<string, string>; body?: string }): Promise<LiveAnswer>;
  close(): Promise<void>;
}

export interface LiveServiceOptions {
  /** Initial `<name>.emitLegacyHeaders`: the gateway also writes the legacy tenant headers. */
  emitLegacyHeaders?: boolean;
}

export async function startLiveGateway(names: string[], options: LiveServiceOptions = {}): Promise<LiveGateway> {
  const services: Record<string, Recorder> = {};
  for (const name of names) services[name] = await startRecorder();
  // Each one a `services.<name>` entry: the gateway routes its prefix and writes `aud: <name>`.
  const declared = Object.fromEntries(
    names.map((name) => [name, { url: services[name].url, routes: [{ prefix: `/api/v1/${name}/`, access: 'protected' }], legacyHeaders: { accept: true, emit: options.emitLegacyHeaders ?? false } }]),
  );
  let stack: TestStack;
  try {
    stack = await startTestStack({ components: ['authority', 'gateway'], overrides: { services: declared } });
  } catch (err) {
    await Promise.all(Object.values(services).map((s) => s.close()));
    throw err;
  }
  const origin = stack.url('gateway');
  return {
    stack,
    origin,
    issuer: publicUrl(stack.config),
    jwksUrl: `${origin}/.well-known/identity-jwks.json`,
    services,
    token: (options = {}) => clientToken(origin, stack.credentials, options.client ?? 'scanner-bot', { tenant: options.tenant ?? 'tenant-alpha' }),
    async send(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const res = await fetch(origin + path, { method, headers, body: options.body });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, contentType: res.headers.get('content-type') ?? '', body };
    },
    async close() {
      await stack.stop();
      await Promise.all(Object.values(services).map((s) => s.close()));
    },
  };
}

export interface ListeningProcess {
  origin: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a service process that prints `listening PORT` once it accepts connections. */
export async function startListening(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ListeningProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const match = /^listening (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`unexpected output of ${args.join(' ')}: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`${command} ${args[0]} exited ${code}: ${stderr.join('')}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
