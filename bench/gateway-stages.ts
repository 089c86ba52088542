/**
 * What the gateway's own stages cost per request, in one process, for three request shapes:
 *   (c)  a bearer token only, as bench/gateway.ts case (c) sends
 *   (d)  as (c), plus the legacy alias `x-tenant-id` (case (d): stripped, decided, counted)
 *   (d') as (c), plus an unreserved header of the same size (the control: what one more
 *        header costs when nothing reserved is in it)
 * Stages: classify (the raw header list), decide (the pure tenant decision) and record (the
 * Prometheus and durable counters; the durable buffer is only filled here, never flushed).
 * Shapes are interleaved in every round so each stage's JIT feedback sees all three, as a
 * gateway serving mixed traffic does. Figures are medians over the rounds, in nanoseconds.
 *
 *   node --import tsx bench/gateway-stages.ts [--iterations 500000] [--rounds 7]
 */
import { parseArgs } from 'node:util';
import { defaultProfile } from '../src/contract/profile.ts';
import { classifyHeaders, type Classification } from '../src/gateway/classify.ts';
import { decide, type Decision, type GatewayFlags, type TokenIdentity } from '../src/gateway/decide.ts';
import { compileHeaderCatalogue } from '../src/gateway/header-catalogue.ts';
import { GatewayRecorder } from '../src/gateway/record.ts';
import type { ComponentContext } from '../src/host/context.ts';
import { DailyCounters } from '../src/telemetry/counters.ts';
import { systemClock } from '../src/telemetry/clock.ts';
import { createRegistry } from '../src/telemetry/metrics.ts';

const { values: args } = parseArgs({ options: { iterations: { type: 'string', default: '500000' }, rounds: { type: 'string', default: '7' } } });
const iterations = Number(args.iterations);
const rounds = Number(args.rounds);

const catalogue = compileHeaderCatalogue(defaultProfile);
// Only what the recorder reads on the request path; nothing here reaches a database.
const counters = new DailyCounters({ db: null as never, instanceId: 'bench' });
const ctx = { metrics: createRegistry('gateway', false), counters, clock: systemClock, logger: null, db: null } as unknown as ComponentContext;
const recorder = new GatewayRecorder(ctx);
const token: TokenIdentity = Object.freeze({ subject: 'scanner-bot', clientId: 'scanner-bot', tenant: 'tenant-alpha', legacyTenant: null, allowedTenants: ['tenant-alpha'], scopes: ['platform:read'] });
const flags: GatewayFlags = { legacyHeaders: true, strictMode: 'off', tenantOverride: false, allowScopeHeader: false, legacyWindow: { closed: true, until: '2026-03-31', onWindowEnd: 'keep' } };
const route = { access: 'protected' as const, requiredScopes: ['platform:read'] };

// wrk's request: Host, then the headers given on its command line. Node's parser hands each
// request fresh strings; here each shape has 1,000 fresh copies, taken in turn, so after the
// first pass their hashes are cached and a fresh string's hashing is slightly understated.
const bearer = `Bearer ${'x'.repeat(600)}`;
const shapes: Record<string, string[]> = {
  c: ['Host', '127.0.0.1:8080', 'authorization', bearer],
  d: ['Host', '127.0.0.1:8080', 'authorization', bearer, 'x-tenant-id', 'tenant-alpha'],
  "d'": ['Host', '127.0.0.1:8080', 'authorization', bearer, 'x-tenant-ix', 'tenant-alpha'],
};
const fresh = (raw: string[]) => raw.map((s) => (s.length > 1 ? s.slice(0, 1) + s.slice(1) : s));

function decideFor(c: Classification): Decision {
  return decide({ route, token, requested: c.requested, invalidTenantHeaders: c.invalidTenantHeaders, scopeOverride: c.scopeOverride, hopByHop: c.hopByHop, flags, clientIsNew: null });
}

/** Results are kept in rings of this many, so what a stage allocates dies young, as per request. */
const RING = 1000;

function measure(raw: string[]): { classify: number; decide: number; record: number } {
  // Fresh copies made before timing, so the copy is not part of any stage.
  const inputs = Array.from({ length: RING }, () => fresh(raw));
  const classified: Classification[] = inputs.map((h) => classifyHeaders(h, catalogue));
  const decided: Decision[] = classified.map(decideFor);
  if (!decided[0].pass) throw new Error(`shape refused: ${decided[0].code}`);
  let start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) classified[i % RING] = classifyHeaders(inputs[i % RING], catalogue);
  const classify = Number(process.hrtime.bigint() - start) / iterations;
  start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) decided[i % RING] = decideFor(classified[i % RING]);
  const decideNs = Number(process.hrtime.bigint() - start) / iterations;
  start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) recorder.record({ classification: classified[i % RING], decision: decided[i % RING], token, method: 'GET', path: '/api/v1/platform/context', requestId: 'r' });
  const record = Number(process.hrtime.bigint() - start) / iterations;
  return { classify, decide: decideNs, record };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results: Record<string, { classify: number[]; decide: number[]; record: number[] }> = {};
for (const name of Object.keys(shapes)) results[name] = { classify: [], decide: [], record: [] };
for (const name of Object.keys(shapes)) measure(shapes[name]); // warm-up
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? Object.keys(shapes) : Object.keys(shapes).reverse();
  for (const name of order) {
    const r = measure(shapes[name]);
    results[name].classify.push(r.classify);
    results[name].decide.push(r.decide);
    results[name].record.push(r.record);
  }
}

process.stdout.write(`gateway stages: ${iterations} requests per shape and round, ${rounds} rounds (medians, ns per request), node ${process.version}\n\n`);
process.stdout.write('| shape | classify | decide | record | total | vs (c) |\n|---|---:|---:|---:|---:|---:|\n');
const total = (name: string) => median(results[name].classify) + median(results[name].decide) + median(results[name].record);
for (const name of Object.keys(shapes)) {
  const r = results[name];
  process.stdout.write(`| (${name}) | ${median(r.classify).toFixed(0)} | ${median(r.decide).toFixed(0)} | ${median(r.record).toFixed(0)} | ${total(name).toFixed(0)} | ${name === 'c' ? '' : `${total(name) >= total('c') ? '+' : ''}${(total(name) - total('c')).toFixed(0)}`} |\n`);
}
await recorder.close();
