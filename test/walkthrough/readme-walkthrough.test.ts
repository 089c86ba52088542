/**
 * The README's operator walk-through is a test: every `$ npx tenantgate …` line between the
 * `<!-- walkthrough:begin -->` and `<!-- walkthrough:end -->` markers runs, in order, as a real
 * CLI process against a fresh stack this test starts, and what it prints (stdout, then stderr,
 * then `(exit status N)` when not 0) must equal the README's block below the command once ids,
 * times, dates, hashes, ports, paths and the OS user are masked and runs of spaces collapsed.
 * Any drift fails.
 *
 * Regenerate the README's output blocks after a change to what the commands print (one command):
 *
 *   TENANTGATE_UPDATE_WALKTHROUGH=1 node --import tsx test/run.ts test/walkthrough/readme-walkthrough
 *
 * That run writes the outputs it saw into README.md (unmasked, as an operator would see them)
 * and then compares as usual; review the diff and commit it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { TEST_RUNTIME_PASSWORD, testTmp } from '../support/env.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';

const README = join(import.meta.dirname, '..', '..', 'README.md');
const BEGIN = '<!-- walkthrough:begin -->';
const END = '<!-- walkthrough:end -->';
const update = process.env.TENANTGATE_UPDATE_WALKTHROUGH === '1';

interface Step {
  command: string;
  expected: string;
}

/** Each fenced block of the walk-through is `$ npx tenantgate ARGS` followed by its output. */
function parseSteps(section: string): Step[] {
  const steps: Step[] = [];
  for (const m of section.matchAll(/```console\n([\s\S]*?)```/g)) {
    const [first, ...rest] = m[1].replace(/\n$/, '').split('\n');
    assert.ok(first.startsWith('$ npx tenantgate '), `a walk-through block starts with "$ npx tenantgate": ${first}`);
    steps.push({ command: first.slice(2), expected: rest.join('\n') });
  }
  return steps;
}

/** Shell-like words: double quotes group, nothing else is special. */
function words(command: string): string[] {
  return [...command.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

function mask(text: string, dirs: string[]): string {
  let s = text;
  for (const d of dirs) s = s.replaceAll(d, '<dir>');
  return s
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/\d{4}-\d{2}-\d{2}/g, '<date>')
    .replace(/\b(authority|gateway|platform|scanner|graph)-\S+-\d+-[0-9a-f]{6}\b/g, '$1-<instance>')
    .replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')
    .replace(/\b(mx|matrix|console)-[0-9a-f]{8}\b/g, '$1-<run>')
    .replace(/\b[0-9a-f]{12,}\b/g, '<hash>')
    .replace(/\b\d+ ms\b/g, '<n> ms')
    // The built-in policy's dates are fixed, so how long ago they passed grows by a day each day.
    .replace(/\b\d+ (days?|day\(s\)) ago\b/g, '<n> $1 ago')
    .replace(new RegExp(`\\bcli:${userInfo().username}\\b`, 'g'), 'cli:<user>')
    .split('\n')
    .map((l) => l.replace(/ {2,}/g, ' ').trimEnd())
    .join('\n')
    .trim();
}

describe('README walk-through', () => {
  let ts: TestStack;
  let dir: string;
  let config: string;

  before(async () => {
    ts = await startTestStack();
    dir = mkdtempSync(join(testTmp(), 'walkthrough-'));
    config = join(dir, 'tenantgate.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        server: { logLevel: 'silent', basePort: ts.config.server.basePort },
        database: { url: ts.t.adminUrl, runtimeUrl: ts.t.runtimeUrl, runtimePassword: TEST_RUNTIME_PASSWORD, dataDir: join(dir, 'pg') },
        secrets: { keyEncryptionKey: ts.t.keyEncryptionKey },
      }),
    );
  });
  after(async () => ts?.stop());

  it('every command prints what the README shows, and the walk-through ends resolved and unfrozen', async () => {
    const readme = readFileSync(README, 'utf8');
    const begin = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    assert.ok(begin >= 0 && end > begin, `README.md holds ${BEGIN} … ${END}`);
    const section = readme.slice(begin, end);
    const steps = parseSteps(section);
    assert.ok(steps.length >= 10, `walk-through steps: ${steps.length}`);

    const env = { TENANTGATE_MATRIX_SECRET: ts.credentials.clients['tenantgate-admin'].secret, TENANTGATE_STATE_DIR: join(dir, 'state') };
    const seen: string[] = [];
    for (const step of steps) {
      const [npx, bin, ...args] = words(step.command);
      assert.deepEqual([npx, bin], ['npx', 'tenantgate']);
      const r = await runCli(['-c', config, ...args], { env });
      seen.push([r.stdout.trimEnd(), r.stderr.trimEnd(), r.code ? `(exit status ${r.code})` : ''].filter(Boolean).join('\n'));
    }

    if (update) {
      let i = 0;
      const rewritten = section.replace(/```console\n([\s\S]*?)```/g, () => {
        const step = steps[i];
        const out = seen[i++];
        return `\`\`\`console\n$ ${step.command}\n${out}\n\`\`\``;
      });
      writeFileSync(README, readme.slice(0, begin) + rewritten + readme.slice(end));
    }

    const dirs = [dir, ts.t.stateDir];
    for (let i = 0; i < steps.length; i++) {
      assert.equal(mask(seen[i], dirs), mask(update ? seen[i] : steps[i].expected, dirs), `step ${i + 1}: ${steps[i].command}`);
    }

    // The walk-through leaves the rollout as an operator should: no open incident, not frozen.
    const open = await ts.t.db.query("select count(*)::int as n from rollout.incidents where status = 'open'");
    assert.equal(open.rows[0].n, 0, 'every incident of the walk-through is resolved');
    const state = await ts.t.db.query('select frozen from rollout.state');
    assert.equal(state.rows[0].frozen, false, 'the freeze is lifted');
  });
});
