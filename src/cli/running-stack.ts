/**
 * `.tenantgate/running.json`: what a running `tenantgate up` serves and where, so a CLI command
 * in the same directory reaches it without repeating --port or --set. It holds no secret: an
 * external database's URL stays with whoever configured it (the CLI needs its own DATABASE_URL).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { publicUrl, type Config } from '../config/schema.ts';
import type { Stack } from '../stack.ts';

export const RUNNING_FILE = 'running.json';

const runningSchema = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  configFile: z.string().nullable(),
  gateway: z.string(),
  components: z.record(z.string(), z.object({ url: z.string(), port: z.number() })),
  database: z.object({ embedded: z.object({ port: z.number(), dataDir: z.string() }).nullable() }),
  /** Dotted-path settings a CLI command beside the stack takes over (never a secret). */
  settings: z.record(z.string(), z.unknown()),
});

export type RunningStack = z.infer<typeof runningSchema>;

export function runningFile(stateDir: string): string {
  return resolve(stateDir, RUNNING_FILE);
}

export function describeRunning(stack: Stack, config: Config, configFile: string | null): RunningStack {
  const embedded = stack.prepared.embedded;
  const settings: Record<string, unknown> = { 'server.host': config.server.host, 'server.basePort': config.server.basePort };
  if (config.server.publicUrl) settings['server.publicUrl'] = config.server.publicUrl;
  if (config.authority.issuer) settings['authority.issuer'] = config.authority.issuer;
  for (const [name, url] of Object.entries(config.gateway.upstreams)) settings[`gateway.upstreams.${name}`] = url;
  if (embedded) {
    settings['database.embeddedPort'] = embedded.port;
    settings['database.dataDir'] = embedded.dataDir;
  }
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configFile,
    gateway: publicUrl(config),
    components: Object.fromEntries(stack.components.map((c) => [c.name, { url: c.url, port: c.port }])),
    database: { embedded: embedded ? { port: embedded.port, dataDir: embedded.dataDir } : null },
    settings,
  };
}

/** Written whole or not at all, readable by its owner only (it says where the database listens). */
export function writeRunning(stateDir: string, running: RunningStack): string {
  mkdirSync(stateDir, { recursive: true });
  const file = runningFile(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(running, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

/** Removes the file if it still describes this process (a later `up` may have replaced it). */
export function removeRunning(stateDir: string, pid = process.pid): void {
  const file = runningFile(stateDir);
  try {
    const running = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown };
    if (running.pid === pid) rmSync(file, { force: true });
  } catch {
    // Gone already, or not ours to judge.
  }
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running stack described in `stateDir`, or null (no file, unreadable, or its process is gone). */
export function readRunning(stateDir: string, debug: (message: string) => void = () => undefined): RunningStack | null {
  const file = runningFile(stateDir);
  if (!existsSync(file)) return null;
  let running: RunningStack;
  try {
    running = runningSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    debug(`ignoring ${file}: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
  if (!alive(running.pid)) {
    debug(`ignoring ${file}: process ${running.pid} is not running`);
    return null;
  }
  debug(`using the stack of process ${running.pid} described in ${file} (gateway ${running.gateway})`);
  return running;
}
