import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateStrictGate, type DayTelemetry } from '../../src/rollout/gates/strict-gate.ts';
import { addUtcDays } from '../../src/rollout/gates/utc-days.ts';
import { legacySignals, signals } from '../../src/telemetry/signals.ts';

const TODAY = '2026-04-20';
const now = new Date(`${TODAY}T10:00:00Z`);

function cleanDays(n: number, end = addUtcDays(TODAY, -1)): DayTelemetry[] {
  return Array.from({ length: n }, (_, i) => ({ day: addUtcDays(end, -i), heartbeats: 3, traffic: 40, legacy: [] }));
}

function gate(days: DayTelemetry[], at = now) {
  return evaluateStrictGate({ now: at, strictEarliest: '2026-04-01', zeroLegacyDays: 14, legacySignals, days });
}

describe('strict-mode gate', () => {
  it('14 clean complete days with data → pass', () => {
    const r = gate(cleanDays(14));
    assert.equal(r.pass, true, JSON.stringify(r.checks));
    assert.deepEqual(r.window, { from: '2026-04-06', to: '2026-04-19' });
    assert.equal(r.days.length, 14);
    assert.equal(r.cleanStreak, 14);
    assert.equal(r.firstFailingDay, null);
  });

  it("today's partial day is not counted: legacy use today does not fail the gate", () => {
    const days = [...cleanDays(14), { day: TODAY, heartbeats: 1, traffic: 9, legacy: [{ signal: signals.gatewayLegacyHeader, alias: 'X-Tenant-Id', client: 'c', tenant: 't', count: 9 }] }];
    assert.equal(gate(days).pass, true);
  });

  it('one legacy hit on day 13 of the window → fail, naming that day and what was seen', () => {
    const days = cleanDays(14);
    const day13 = addUtcDays('2026-04-06', 12);
    days.find((d) => d.day === day13)!.legacy.push({ signal: signals.webLegacyHeader, alias: 'X-Stella-Tenant', client: 'stellaops-console', tenant: 'tenant-alpha', count: 1 });
    const r = gate(days);
    assert.equal(r.pass, false);
    assert.equal(r.firstFailingDay?.day, day13);
    assert.equal(r.firstFailingDay?.status, 'legacy use');
    assert.match(r.firstFailingDay!.seen, /1 × web\.legacy_header \(alias X-Stella-Tenant, client stellaops-console, tenant tenant-alpha\)/);
    const failing = r.checks.filter((c) => !c.pass).map((c) => c.id);
    assert.deepEqual(failing, ['zero-legacy-use', 'first-failing-day']);
    assert.match(r.checks.find((c) => c.id === 'first-failing-day')!.detail, new RegExp(`^${day13}: legacy use`));
    assert.equal(r.cleanStreak, 1);
    assert.equal(r.earliestPassDay, addUtcDays(TODAY, 13));
  });

  it('every legacy signal counts; non-legacy signals do not', () => {
    for (const signal of legacySignals) {
      const days = cleanDays(14);
      days[0].legacy.push({ signal, alias: '', client: '', tenant: '', count: 2 });
      assert.equal(gate(days).pass, false, signal);
    }
    const days = cleanDays(14);
    days[0].legacy.push({ signal: signals.gatewayDecision, alias: '', client: '', tenant: '', count: 1000 });
    assert.equal(gate(days).pass, true);
  });

  it('a day without a heartbeat → fail "no data", even with zero counts', () => {
    const days = cleanDays(14).filter((d) => d.day !== '2026-04-10');
    const r = gate(days);
    assert.equal(r.pass, false);
    assert.equal(r.firstFailingDay?.day, '2026-04-10');
    assert.equal(r.firstFailingDay?.status, 'no data');
    assert.equal(r.checks.find((c) => c.id === 'complete-days-with-data')!.pass, false);
    assert.match(r.checks.find((c) => c.id === 'complete-days-with-data')!.detail, /2026-04-10/);
  });

  it('a day with counter rows but zero heartbeats is still "no data"', () => {
    const days = cleanDays(14).map((d) => (d.day === '2026-04-12' ? { ...d, heartbeats: 0 } : d));
    assert.equal(gate(days).firstFailingDay?.status, 'no data');
  });

  it('all clean but today before 2026-04-01 → fail on the date alone', () => {
    const early = new Date('2026-03-31T23:59:59.999Z');
    const r = evaluateStrictGate({ now: early, strictEarliest: '2026-04-01', zeroLegacyDays: 14, legacySignals, days: cleanDays(14, '2026-03-30') });
    assert.equal(r.pass, false);
    assert.deepEqual(
      r.checks.filter((c) => !c.pass).map((c) => c.id),
      ['earliest-date'],
    );
    assert.equal(r.earliestPassDay, '2026-04-01');
    const onTheDay = evaluateStrictGate({ now: new Date('2026-04-01T00:00:00.000Z'), strictEarliest: '2026-04-01', zeroLegacyDays: 14, legacySignals, days: cleanDays(14, '2026-03-31') });
    assert.equal(onTheDay.pass, true);
  });

  it('ignoreEarliest drops the calendar check (phase exit reuse)', () => {
    const r = evaluateStrictGate({ now: new Date('2026-03-10T00:00:00Z'), strictEarliest: '2026-04-01', zeroLegacyDays: 14, legacySignals, days: cleanDays(14, '2026-03-09'), ignoreEarliest: true });
    assert.equal(r.pass, true);
    assert.equal(r.checks.some((c) => c.id === 'earliest-date'), false);
  });

  it('N is data: a 3-day policy needs exactly 3 days', () => {
    const r = evaluateStrictGate({ now, strictEarliest: '2026-04-01', zeroLegacyDays: 3, legacySignals, days: cleanDays(3) });
    assert.equal(r.pass, true);
    assert.equal(r.days.length, 3);
    const short = evaluateStrictGate({ now, strictEarliest: '2026-04-01', zeroLegacyDays: 3, legacySignals, days: cleanDays(2) });
    assert.equal(short.pass, false);
    assert.equal(short.firstFailingDay?.day, addUtcDays(TODAY, -3));
  });

  it('no data at all: every day fails, the oldest is named first', () => {
    const r = gate([]);
    assert.equal(r.pass, false);
    assert.equal(r.firstFailingDay?.day, '2026-04-06');
    assert.equal(r.lastFailingDay?.day, '2026-04-19');
    assert.equal(r.cleanStreak, 0);
  });

  it('several instances on one day add up; several rows of one signal sum', () => {
    const days = cleanDays(14);
    days.push({ day: '2026-04-15', heartbeats: 0, traffic: 0, legacy: [{ signal: signals.gatewayLegacyHeader, alias: 'X-Tenant-Id', client: 'a', tenant: 't', count: 2 }] });
    days.push({ day: '2026-04-15', heartbeats: 0, traffic: 0, legacy: [{ signal: signals.gatewayLegacyHeader, alias: 'X-Stella-Tenant', client: 'b', tenant: 't', count: 3 }] });
    const r = gate(days);
    const d = r.days.find((x) => x.day === '2026-04-15')!;
    assert.equal(d.heartbeats, 3);
    assert.equal(d.legacyTotal, 5);
    assert.deepEqual(d.bySignal, { [signals.gatewayLegacyHeader]: 5 });
  });

  it('a day with heartbeats but no traffic is "no data": the zero-legacy criterion reads no data, never PASS', () => {
    const days = cleanDays(14).map((d) => ({ ...d, traffic: 0 }));
    const r = gate(days);
    assert.equal(r.pass, false);
    assert.ok(r.days.every((d) => d.status === 'no data'));
    assert.match(r.days[0].seen, /no traffic/);
    const zero = r.checks.find((c) => c.id === 'zero-legacy-use')!;
    assert.equal(zero.pass, false, 'zero legacy use is not shown by days without data');
    assert.match(zero.detail, /no data on all 14 day\(s\)/);
    const one = gate(cleanDays(14).map((d) => (d.day === '2026-04-11' ? { ...d, traffic: 0 } : d)));
    assert.equal(one.pass, false);
    assert.equal(one.firstFailingDay?.day, '2026-04-11');
    assert.match(one.checks.find((c) => c.id === 'zero-legacy-use')!.detail, /no data on 1 day/);
  });

  it('a day without heartbeats fails the zero-legacy criterion too, not only the data criterion', () => {
    const r = gate(cleanDays(14).filter((d) => d.day !== '2026-04-10'));
    assert.equal(r.checks.find((c) => c.id === 'zero-legacy-use')!.pass, false);
  });

  it("earliest pass counts today's legacy use: the streak restarts tomorrow", () => {
    // 5 clean days; no use today → 9 more days; use today → today fails, so 14 full days from tomorrow.
    const clean = gate(cleanDays(5));
    assert.equal(clean.earliestPassDay, addUtcDays(TODAY, 9));
    const used = gate([...cleanDays(5), { day: TODAY, heartbeats: 1, traffic: 3, legacy: [{ signal: signals.gatewayLegacyHeader, alias: 'X-Tenant-Id', client: 'c', tenant: 't', count: 2 }] }]);
    assert.equal(used.todayLegacyTotal, 2);
    assert.equal(used.earliestPassDay, addUtcDays(TODAY, 15));
  });
});
