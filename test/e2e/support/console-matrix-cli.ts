/** `tenantgate console-matrix run` and the rollout commands against a test stack, for the browser matrix tests. */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayClient } from '../../../src/matrix/gateway-client.ts';
import { runCli } from '../../support/cli.ts';
import { TEST_RUNTIME_PASSWORD } from '../../support/env.ts';
import type { TestStack } from '../../support/stack.ts';
import { repoRoot } from './console-build.ts';

export const artifacts = join(repoRoot, 'test-artifacts');

/** A config file for the rollout commands on the stack's database. */
export function rolloutConfig(ts: TestStack, dir: string): string {
  const file = join(dir, 'tenantgate.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      server: { logLevel: 'silent' },
      database: { url: ts.t.adminUrl, runtimeUrl: ts.t.runtimeUrl, runtimePassword: TEST_RUNTIME_PASSWORD, dataDir: join(dir, 'pg') },
      secrets: { keyEncryptionKey: ts.t.keyEncryptionKey },
    }),
  );
  return file;
}

export async function consoleMatrix(ts: TestStack, out: string, extra: string[] = []) {
  const admin = ts.credentials.clients['tenantgate-admin'];
  assert.ok(admin, 'the demo seed wrote the fleet operator client');
  const started = Date.now();
  const run = await runCli(['console-matrix', 'run', '--gateway', ts.url('gateway'), '--client', 'tenantgate-admin', '--secret', admin.secret, '--out', out, ...extra]);
  process.stdout.write(`# console-matrix run: exit ${run.code} in ${Date.now() - started} ms\n`);
  return { ...run, summary: JSON.parse(readFileSync(join(out, 'console-matrix.json'), 'utf8')) as { runId: string; tenants: string[]; cleanupProblems: string[] } };
}

export function webItem(config: string) {
  const checklist = runCli(['-c', config, 'rollout', 'checklist', '--json']);
  return checklist.then((c) => {
    assert.equal(c.code, 0, c.stderr);
    const report = JSON.parse(c.stdout) as { items: { id: string; status: string; reason: string }[] };
    return report.items.find((i) => i.id === 'web-matrix')!;
  });
}

export async function tenantIds(ts: TestStack): Promise<string[]> {
  const admin = ts.credentials.clients['tenantgate-admin']!;
  const gw = new GatewayClient(ts.url('gateway'));
  const token = await gw.token({ clientId: 'tenantgate-admin', secret: admin.secret, scope: 'authority:tenants.read' });
  return ((await gw.must('GET', '/admin/tenants', [200], { token })).items as { id: string }[]).map((t) => t.id);
}
