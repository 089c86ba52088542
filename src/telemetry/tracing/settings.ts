/**
 * Whether this process traces, decided from the standard OpenTelemetry variables alone, and
 * what it calls itself. Pure: the environment and argv go in, a decision comes out.
 *
 * Tracing is on when `OTEL_TRACES_EXPORTER` names an exporter we ship (`otlp`, `console`),
 * or when it is unset and an OTLP endpoint is (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_ENDPOINT`). `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none`
 * turn it off whatever else is set.
 */
import { componentNames, type ComponentName } from '../../config/schema.ts';

export type TraceExporterName = 'otlp' | 'console';
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  enabled: boolean;
  exporters: TraceExporterName[];
  protocol: OtlpProtocol;
  /** `service.name` unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES say otherwise. */
  serviceName: string;
  /** The `tenantgate.component` resource attribute: a component, `stack` (up) or `cli`. */
  component: ComponentName | 'stack' | 'cli';
  /** Settings that were given but cannot be honoured, one line each. */
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const set = (value: string | undefined): value is string => value !== undefined && value.trim() !== '';

/** Global options of the `tenantgate` command that take a value (src/cli/options.ts). */
const VALUE_OPTIONS = new Set(['-c', '--config', '-p', '--port', '--host']);
const VARIADIC_OPTIONS = new Set(['--set']);

/** The subcommand in `process.argv` (node, script, …args), or null when there is none. */
export function commandOf(argv: readonly string[]): string | null {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return args[i + 1] ?? null;
    if (arg.startsWith('-')) {
      if (arg.includes('=')) continue;
      if (VALUE_OPTIONS.has(arg)) i++;
      else if (VARIADIC_OPTIONS.has(arg)) while (i + 1 < args.length && !args[i + 1].startsWith('-') && args[i + 1].includes('=')) i++;
      continue;
    }
    return arg;
  }
  return null;
}

function componentOf(command: string | null): TracingSettings['component'] {
  if (command === 'up') return 'stack';
  return (componentNames as readonly string[]).includes(command ?? '') ? (command as ComponentName) : 'cli';
}

export function defaultServiceName(component: TracingSettings['component']): string {
  return component === 'stack' ? 'tenantgate' : `tenantgate-${component}`;
}

export function tracingSettings(env: Env, argv: readonly string[]): TracingSettings {
  const component = componentOf(commandOf(argv));
  const serviceName = set(env.OTEL_SERVICE_NAME) ? env.OTEL_SERVICE_NAME.trim() : defaultServiceName(component);
  const warnings: string[] = [];
  const rawProtocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? '').trim() || 'http/protobuf';
  let protocol: OtlpProtocol = 'http/protobuf';
  if (rawProtocol === 'http/json') protocol = 'http/json';
  else if (rawProtocol !== 'http/protobuf') warnings.push(`OTLP protocol ${JSON.stringify(rawProtocol)} is not supported: exporting over http/protobuf`);
  const off = (): TracingSettings => ({ enabled: false, exporters: [], protocol, serviceName, component, warnings });

  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return off();
  let exporters: TraceExporterName[] = [];
  if (set(env.OTEL_TRACES_EXPORTER)) {
    const names = env.OTEL_TRACES_EXPORTER.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
    if (names.includes('none')) return off();
    for (const name of names) {
      if (name === 'otlp' || name === 'console') {
        if (!exporters.includes(name)) exporters.push(name);
      } else warnings.push(`trace exporter ${JSON.stringify(name)} is not supported (otlp, console, none)`);
    }
  } else if (set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) || set(env.OTEL_EXPORTER_OTLP_ENDPOINT)) {
    exporters = ['otlp'];
  }
  if (exporters.length === 0) return off();
  return { enabled: true, exporters, protocol, serviceName, component, warnings };
}
