/**
 * The OpenTelemetry SDK for one tenantgate process: a tracer provider with the component's
 * resource, W3C trace-context propagation, a batch processor feeding the configured
 * exporters through the redaction of ./redact.ts, three instrumentations and the gateway's
 * upstream spans:
 * - node:http, a server span per incoming request (continuing an incoming `traceparent`);
 * - undici, a client span per call made with it (the gateway's key-set fetches);
 * - pg, a span per SQL statement, recording the statement text but never its parameters;
 * - `clientCall` below, the client span of each call the gateway's own upstream client makes,
 *   whose context goes into the forwarded request.
 * Imported only when tracing is on (./start.ts).
 */
import { register } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { context, diag, DiagConsoleLogger, DiagLogLevel, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import type { ActiveTracing, UpstreamCall } from './active.ts';
import { redactAttributes, redactText, type Attributes } from './redact.ts';
import type { TracingSettings } from './settings.ts';

/** Probes and scrapes are not traced: they would outnumber the requests. */
const UNTRACED_PATHS = /^\/(healthz|readyz|metrics)(\?|$)/;

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

function redactSpan(span: ReadableSpan): ReadableSpan {
  return {
    name: redactText(span.name),
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status.message === undefined ? span.status : { ...span.status, message: redactText(span.status.message) },
    attributes: redactAttributes(span.attributes as Attributes),
    links: span.links.map((link) => (link.attributes ? { ...link, attributes: redactAttributes(link.attributes as Attributes) } : link)),
    events: span.events.map((event) => ({ ...event, name: redactText(event.name), ...(event.attributes ? { attributes: redactAttributes(event.attributes as Attributes) } : {}) })),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Every exporter sees spans only after redaction. */
class RedactingExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans.map(redactSpan), done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function exporterFor(name: TracingSettings['exporters'][number], settings: TracingSettings): SpanExporter {
  if (name === 'console') return new ConsoleSpanExporter();
  // Endpoint, headers, timeout and compression come from the OTEL_EXPORTER_OTLP_* variables.
  return settings.protocol === 'http/json' ? new OtlpJsonExporter() : new OtlpProtobufExporter();
}

export async function startSdk(settings: TracingSettings): Promise<ActiveTracing> {
  const level = LOG_LEVELS[(process.env.OTEL_LOG_LEVEL ?? 'ERROR').trim().toUpperCase()] ?? DiagLogLevel.ERROR;
  if (level !== DiagLogLevel.NONE) diag.setLogger(new DiagConsoleLogger(), level);

  // ESM imports are hooked only for the modules an instrumentation asks for (here: pg).
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);

  const resource = defaultResource()
    .merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName, 'tenantgate.component': settings.component }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: settings.exporters.map((name) => new BatchSpanProcessor(new RedactingExporter(exporterFor(name, settings)))),
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });

  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => UNTRACED_PATHS.test(req.url ?? ''),
        // Outgoing node:http calls are traced only inside a trace; no header is ever recorded.
        requireParentforOutgoingSpans: true,
      }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // Statements outside a request (counter flushes, flag polling) start no trace of their own.
      new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false, addSqlCommenterCommentToQueries: false }),
    ],
  });
  await waitForAllMessagesAcknowledged();

  const upstreamTracer = provider.getTracer('tenantgate-gateway-upstream');
  let stopped: Promise<void> | null = null;
  const tracing: ActiveTracing = {
    clientCall: (call, headers) => clientCall(upstreamTracer, call, headers),
    nameRequest(method, route, attributes) {
      const span = trace.getActiveSpan();
      if (span === undefined) return;
      if (route !== undefined) {
        span.updateName(`${method} ${route}`);
        span.setAttribute('http.route', route);
      }
      if (attributes) span.setAttributes(attributes);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => (stopped ??= provider.shutdown()),
  };
  // A command that ends on its own (no signal, no stack) still exports what it traced.
  process.once('beforeExit', () => void tracing.shutdown());
  return tracing;
}

const untraced = (): void => undefined;

/** An upstream call's client span, named and described as the HTTP client conventions say. */
function clientCall(tracer: ReturnType<NodeTracerProvider['getTracer']>, call: UpstreamCall, headers: string[]): (status: number, error?: string) => void {
  const parent = context.active();
  // Outside a trace (an untraced path) no span is started, as for undici's calls.
  if (trace.getSpan(parent) === undefined) return untraced;
  const { origin } = call;
  const span = tracer.startSpan(
    call.method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': call.method,
        'url.full': origin.origin + call.target,
        'server.address': origin.hostname,
        'server.port': Number(origin.port) || (origin.protocol === 'https:' ? 443 : 80),
      },
    },
    parent,
  );
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), carrier);
  for (const name in carrier) headers.push(name, carrier[name]);
  return (status, error) => {
    if (status > 0) span.setAttribute('http.response.status_code', status);
    const failed = error ?? (status >= 400 ? String(status) : undefined);
    if (failed !== undefined) {
      span.setAttribute('error.type', failed);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
}
