/**
 * Entry point of the `tenantgate` command. Tracing, when the OTEL_* variables ask for it,
 * starts before the rest is imported, so its instrumentations see `pg` and `node:http` load.
 */
import { startTracing } from '../telemetry/tracing/start.ts';

await startTracing();
await import('./program.ts');
