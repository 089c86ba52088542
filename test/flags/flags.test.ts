import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { LiveFlags } from '../../src/flags/live.ts';
import { flagHistory, readFlagSnapshot, setFlags } from '../../src/flags/store.ts';
import { parseFlagValue, FlagValueError } from '../../src/flags/definitions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

describe('flag store', () => {
  let t: TestDatabase;
  before(async () => {
    t = await createTestDatabase();
  });
  after(async () => t.drop());

  it('starts from the defaults of GATEWAY.md §3', async () => {
    const s = await readFlagSnapshot(t.db);
    assert.equal(s.version, 0);
    assert.equal(s.values['gateway.legacyHeaders'], true);
    assert.equal(s.values['gateway.strictMode'], 'off');
    assert.equal(s.values['gateway.tenantOverride'], false);
    assert.equal(s.values['gateway.allowScopeHeader'], false);
    assert.equal(s.values['scanner.emitLegacyHeaders'], true);
  });

  it('keeps full history: who, when, why, previous value; audits the change', async () => {
    const [c] = await setFlags(t.db, [{ name: 'gateway.strictMode', value: 'new-clients' }], { actor: 'ops:carol', reason: 'phase 4 begins' });
    assert.equal(c.changed, true);
    const [same] = await setFlags(t.db, [{ name: 'gateway.strictMode', value: 'new-clients' }], { actor: 'ops:carol', reason: 'again' });
    assert.equal(same.changed, false);
    const history = await flagHistory(t.db, 'gateway.strictMode');
    assert.equal(history.length, 1);
    assert.equal(history[0].previous, 'off');
    assert.equal(history[0].value, 'new-clients');
    assert.equal(history[0].changedBy, 'ops:carol');
    assert.equal(history[0].reason, 'phase 4 begins');
    const audit = await t.db.query("select actor, properties from telemetry.audit_events where type = 'flags.changed'");
    assert.equal(audit.rows.length, 1);
    assert.equal(audit.rows[0].properties.name, 'gateway.strictMode');
  });

  it('rejects unknown flags, wrong types and a missing reason, changing nothing', async () => {
    const before = await readFlagSnapshot(t.db);
    await assert.rejects(setFlags(t.db, [{ name: 'gateway.nope', value: true }], { actor: 'x', reason: 'y' }), FlagValueError);
    await assert.rejects(setFlags(t.db, [{ name: 'gateway.strictMode', value: 'sometimes' }], { actor: 'x', reason: 'y' }), FlagValueError);
    await assert.rejects(setFlags(t.db, [{ name: 'gateway.legacyHeaders', value: false }], { actor: 'x', reason: ' ' }), FlagValueError);
    assert.deepEqual(await readFlagSnapshot(t.db), before);
    assert.throws(() => parseFlagValue('gateway.legacyHeaders', 'maybe'), /allowed: on\|off/);
    assert.equal(parseFlagValue('gateway.legacyHeaders', 'off'), false);
    assert.equal(parseFlagValue('gateway.strictMode', 'all'), 'all');
  });

  it('a change is seen by another process within 1 s (LISTEN/NOTIFY)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/flags/watch-flags.ts', t.runtimeUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let resolveSeen: ((at: number) => void) | null = null;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        lines.push(line);
        if (line.includes('"gateway.tenantOverride":true')) resolveSeen?.(Date.now());
      }
    });
    try {
      await waitFor(() => lines.some((l) => l.startsWith('ready')), 15_000);
      const seen = new Promise<number>((r) => (resolveSeen = r));
      const changedAt = Date.now();
      await setFlags(t.db, [{ name: 'gateway.tenantOverride', value: true }], { actor: 'test', reason: 'propagation' });
      const at = await Promise.race([seen, new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`not seen; child said: ${lines.join(' | ')}`)), 5000))]);
      assert.ok(at - changedAt < 1000, `seen after ${at - changedAt} ms`);
      const reported = await t.db.query('select max(flag_version)::int as v from telemetry.instances');
      assert.ok(reported.rows[0].v >= 1, 'the watching instance reports the version it runs');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('falls back to polling when the notification connection is gone', async () => {
    const flags = new LiveFlags({ db: t.db, listenUrl: 'postgres://nobody:wrong@127.0.0.1:1/none', pollIntervalMs: 100 });
    await flags.start();
    try {
      await setFlags(t.db, [{ name: 'gateway.allowScopeHeader', value: true }], { actor: 'test', reason: 'poll' });
      await waitFor(() => flags.get('gateway.allowScopeHeader') === true, 2000);
    } finally {
      await flags.stop();
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
