/**
 * Runs nginx and HAProxy as foreground child processes with configurations in a temporary
 * directory. Every started peer is killed by `stopPeers()`, which the benchmark calls on its
 * way out, on failure and on SIGINT/SIGTERM (and, synchronously, on process exit).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContractProfile } from '../../src/contract/profile.ts';
import { freePort } from '../../test/support/ports.ts';
import { haproxyConfig, nginxConfig } from './peer-configs.ts';
import { haproxyPart, nginxPart } from './debian-parts.ts';

export interface Peer {
  name: 'nginx' | 'haproxy';
  url: string;
  child: ChildProcess;
  /** The process that serves requests (nginx's worker, HAProxy itself): its CPU is measured. */
  servingPid(): number;
}

const running: ChildProcess[] = [];
let dir: string | null = null;

function workDir(): string {
  dir ??= mkdtempSync(join(tmpdir(), 'tenantgate-bench-peers-'));
  return dir;
}

async function waitForPort(port: number, child: ChildProcess, name: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not listen on ${port} within 10 s: ${log()}`);
}

function start(name: Peer['name'], command: string, args: string[], port: number): { child: ChildProcess; ready: Promise<void> } {
  let stderr = '';
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  running.push(child);
  return { child, ready: waitForPort(port, child, name, () => stderr.trim()) };
}

/** nginx with one worker process; the master only supervises. */
export async function startNginx(upstreamPort: number): Promise<Peer> {
  const d = join(workDir(), 'nginx');
  mkdirSync(d, { recursive: true });
  const port = await freePort();
  const conf = join(d, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ dir: d, listenPort: port, upstreamPort }));
  const { child, ready } = start('nginx', nginxPart.path, ['-p', d, '-c', conf], port);
  await ready;
  const worker = () => {
    const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    return children[0] ?? child.pid!;
  };
  return { name: 'nginx', url: `http://127.0.0.1:${port}`, child, servingPid: worker };
}

/** HAProxy in the foreground (`-db`), one thread, trusting `publicPem` for ES256 tokens. */
export async function startHaproxy(upstreamPort: number, publicPem: string, profile: ContractProfile): Promise<Peer> {
  const d = join(workDir(), 'haproxy');
  mkdirSync(d, { recursive: true });
  const port = await freePort();
  const publicKeyPath = join(d, 'token-key.pem');
  writeFileSync(publicKeyPath, publicPem);
  const conf = join(d, 'haproxy.cfg');
  writeFileSync(conf, haproxyConfig({ dir: d, listenPort: port, upstreamPort, publicKeyPath, profile }));
  const check = spawnSync(haproxyPart.path, ['-c', '-q', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy rejected its configuration: ${check.stderr.trim()}`);
  const { child, ready } = start('haproxy', haproxyPart.path, ['-db', '-f', conf], port);
  await ready;
  return { name: 'haproxy', url: `http://127.0.0.1:${port}`, child, servingPid: () => child.pid! };
}

/** Sends SIGTERM to every peer started (nginx's master stops its worker) and removes the configs. */
export function stopPeers(): void {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
}

/** Waits until the peers exited after `stopPeers()`. */
export async function peersExited(peers: Peer[]): Promise<void> {
  await Promise.all(peers.map((p) => (p.child.exitCode !== null || p.child.signalCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
}
