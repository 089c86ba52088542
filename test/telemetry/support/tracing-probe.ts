/**
 * Run as its own process: starts tracing the way `src/cli/main.ts` does (for the component
 * named in argv), then loads what the instrumentations hook, and prints what happened.
 */
import { startTracing } from '../../../src/telemetry/tracing/start.ts';

const tracing = await startTracing(['node', 'main.ts', ...process.argv.slice(2)], process.env);
const { default: pg } = await import('pg');
const http = await import('node:http');
const api = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
process.stdout.write(
  JSON.stringify({
    started: tracing !== null,
    globalTracerProvider: api?.trace !== undefined,
    pgInstrumented: (pg.Client.prototype.query as { __wrapped?: boolean }).__wrapped === true,
    httpInstrumented: (http.Server.prototype.emit as { __wrapped?: boolean }).__wrapped === true,
  }) + '\n',
);
await tracing?.shutdown();
