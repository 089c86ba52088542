/**
 * The two load generators: wrk (a C program, one thread, so it costs less than the servers
 * it loads) and autocannon (in this process). Both return the same figures.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
// autocannon ships no type declarations.
// @ts-expect-error untyped module
import autocannon from 'autocannon';
import { wrkPart } from './debian-parts.ts';

export type LoaderName = 'wrk' | 'autocannon';

export interface Load {
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface LoadResult {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
}

export type Loader = (load: Load) => Promise<LoadResult>;

const MARK = 'TENANTGATE_WRK_JSON ';

// wrk's `done` hook: one JSON line with the totals and latency percentiles (µs).
const DONE_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"durationMicros":%d,"p50Micros":%d,"p99Micros":%d,"errors":%d,"non2xx":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
`;

/** Parses the line the `done` script prints; throws when it is absent. */
export function parseWrkOutput(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith(MARK));
  if (!line) throw new Error(`wrk printed no figures:\n${stdout}`);
  const r = JSON.parse(line.slice(MARK.length)) as { requests: number; durationMicros: number; p50Micros: number; p99Micros: number; errors: number; non2xx: number };
  return { rps: r.requests / (r.durationMicros / 1e6), p50: r.p50Micros / 1000, p99: r.p99Micros / 1000, requests: r.requests, errors: r.errors, non2xx: r.non2xx };
}

export function wrkLoader(scriptDir: string): Loader {
  const script = join(scriptDir, 'wrk-done.lua');
  writeFileSync(script, DONE_SCRIPT);
  return (load) =>
    new Promise((resolve, reject) => {
      const args = ['-t1', `-c${load.connections}`, `-d${load.duration}s`, '--timeout', '10s', '-s', script];
      for (const [k, v] of Object.entries(load.headers)) args.push('-H', `${k}: ${v}`);
      args.push(load.url);
      const child = spawn(wrkPart.path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`wrk exited with ${code}: ${err.trim()}`));
        try {
          resolve(parseWrkOutput(out));
        } catch (e) {
          reject(e);
        }
      });
    });
}

export const autocannonLoader: Loader = async (load) => {
  const r = await autocannon({ url: load.url, connections: load.connections, duration: load.duration, headers: load.headers });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, errors: r.errors, non2xx: r.non2xx };
};
