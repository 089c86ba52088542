/**
 * Starts tracing when the standard OpenTelemetry variables ask for it, and does nothing
 * else otherwise: the SDK and the instrumentations are imported only then. Must run before
 * `pg`, `node:http` and `undici` are loaded, so the instrumentations can hook them.
 */
import { tracingSettings } from './settings.ts';
import { setActiveTracing, type ActiveTracing } from './active.ts';

export async function startTracing(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Promise<ActiveTracing | null> {
  const settings = tracingSettings(env, argv);
  for (const warning of settings.warnings) process.stderr.write(`tracing: ${warning}\n`);
  if (!settings.enabled) return null;
  const { startSdk } = await import('./sdk.ts');
  const tracing = await startSdk(settings);
  setActiveTracing(tracing);
  return tracing;
}
