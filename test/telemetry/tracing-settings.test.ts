/** When tracing is on, and what a process calls itself (src/telemetry/tracing/settings.ts). Pure. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandOf, tracingSettings } from '../../src/telemetry/tracing/settings.ts';

const argv = (...args: string[]) => ['node', 'src/cli/main.ts', ...args];

describe('tracing settings', () => {
  it('are off with no OTEL variables, and with only unrelated ones', () => {
    assert.equal(tracingSettings({}, argv('up')).enabled, false);
    assert.equal(tracingSettings({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, argv('gateway')).enabled, false);
  });

  it('turn on for an endpoint or an OTLP exporter; OTEL_SDK_DISABLED and none win', () => {
    assert.deepEqual(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, argv('gateway')).exporters, ['otlp']);
    assert.equal(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }, argv('gateway')).enabled, true);
    assert.equal(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' }, argv('gateway')).enabled, true);
    assert.deepEqual(tracingSettings({ OTEL_TRACES_EXPORTER: 'console, otlp' }, argv('gateway')).exporters, ['console', 'otlp']);
    assert.equal(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'TRUE' }, argv('gateway')).enabled, false);
    assert.equal(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, argv('gateway')).enabled, false);
    assert.equal(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'false' }, argv('gateway')).enabled, true);
  });

  it('export over http/protobuf unless http/json is asked for; other protocols warn', () => {
    const on = { OTEL_TRACES_EXPORTER: 'otlp' };
    assert.equal(tracingSettings(on, argv('gateway')).protocol, 'http/protobuf');
    assert.equal(tracingSettings({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, argv('gateway')).protocol, 'http/json');
    assert.equal(tracingSettings({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }, argv('gateway')).protocol, 'http/protobuf');
    const grpc = tracingSettings({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, argv('gateway'));
    assert.equal(grpc.protocol, 'http/protobuf');
    assert.equal(grpc.warnings.length, 1);
    assert.equal(tracingSettings({ OTEL_TRACES_EXPORTER: 'zipkin' }, argv('gateway')).enabled, false);
  });

  it('name the service after the component the command runs, unless OTEL_SERVICE_NAME says otherwise', () => {
    const on = { OTEL_TRACES_EXPORTER: 'otlp' };
    assert.deepEqual(
      ['gateway', 'authority', 'platform', 'scanner', 'graph', 'up', 'migrate'].map((c) => tracingSettings(on, argv(c)).serviceName),
      ['tenantgate-gateway', 'tenantgate-authority', 'tenantgate-platform', 'tenantgate-scanner', 'tenantgate-graph', 'tenantgate', 'tenantgate-cli'],
    );
    assert.equal(tracingSettings(on, argv('up')).component, 'stack');
    assert.equal(tracingSettings({ ...on, OTEL_SERVICE_NAME: 'edge-gw' }, argv('gateway')).serviceName, 'edge-gw');
    assert.equal(tracingSettings({ ...on, OTEL_SERVICE_NAME: 'edge-gw' }, argv('gateway')).component, 'gateway');
  });

  it('find the command past the global options', () => {
    assert.equal(commandOf(argv('--port', '9000', 'gateway')), 'gateway');
    assert.equal(commandOf(argv('-c', 'gateway.yaml', '--host=0.0.0.0', 'platform', '--seed')), 'platform');
    assert.equal(commandOf(argv('--set', 'a.b=1', 'c.d=2', 'scanner')), 'scanner');
    assert.equal(commandOf(argv('graph', '--set', 'x=1')), 'graph');
    assert.equal(commandOf(argv()), null);
  });
});
