/**
 * The README's operator walk-through is a test: every `$ npx tenantgate …` line between the
 * `<!-- walkthrough:begin -->` and `<!-- walkthrough:end -->` markers runs, in order, as a real
 * CLI process against a fresh stack this test starts, and what it prints (stdout, then stderr,
 * then `(exit status N)` when not 0) must equal the README's block below the command once ids,
 * times, dates, hashes, ports, paths and the OS user are masked and runs of spaces collapsed.
 * Any drift fails.
 *
 * The first command is `rollout policy init --start DAY --out FILE`, as an operator adopting
 * the policy today starts. It runs with `--start` set to the test's today (UTC), whatever day
 * the README names, so every date that follows is relative to today and what the commands
 * print (window open for 37 more days, strict mode not before its earliest day) is the same on
 * any day; the dates themselves are masked as `<date>`. Then, as the README says, the stack
 * starts with `rollout.policyFile` pointing at that file and every later command reads the
 * same configuration.
 *
 * Masked tokens: `<time>` (ISO timestamps), `<date>` (days), `<instance>` (instance ids),
 * `<port>`, `<run>` (matrix and console run ids), `<hash>` (hex digests of 12+ digits),
 * `<n> ms` (durations), `<n> days ago`, `<dir>` (the test's directories), `cli:<user>`.
 *
 * Regenerate the README's output blocks after a change to what the commands print (one command):
 *
 *   TENANTGATE_UPDATE_WALKTHROUGH=1 node --import tsx test/run.ts test/walkthrough/readme-walkthrough
 *
 * That run writes the outputs it saw into README.md (unmasked, as an operator would see them,
 * the init command's `--start` set to the day of the run) and then compares as usual; review
 * the diff and commit it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../support/cli.ts';
import { TEST_RUNTIME_PASSWORD, testTmp } from '../support/env.ts';
import { startTestStack, type TestStack } from '../support/stack.ts';
import { utcDay } from '../../src/telemetry/clock.ts';

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
  let ts: TestStack | undefined;
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(testTmp(), 'walkthrough-'));
  });
  after(async () => ts?.stop());

  /** The operator's configuration once the stack runs: its database, its keys, the policy written by the first step. */
  function stackConfig(stack: TestStack, policyFile: string): string {
    const file = join(dir, 'tenantgate.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        server: { logLevel: 'silent', basePort: stack.config.server.basePort },
        database: { url: stack.t.adminUrl, runtimeUrl: stack.t.runtimeUrl, runtimePassword: TEST_RUNTIME_PASSWORD, dataDir: join(dir, 'pg') },
        secrets: { keyEncryptionKey: stack.t.keyEncryptionKey },
        rollout: { policyFile },
      }),
    );
    return file;
  }

  it('every command prints what the README shows, and the walk-through ends resolved and unfrozen', async () => {
    const readme = readFileSync(README, 'utf8');
    const begin = readme.indexOf(BEGIN);
    const end = readme.indexOf(END);
    assert.ok(begin >= 0 && end > begin, `README.md holds ${BEGIN} … ${END}`);
    const section = readme.slice(begin, end);
    const steps = parseSteps(section);
    assert.ok(steps.length >= 10, `walk-through steps: ${steps.length}`);

    // Step 1 writes the operator's own schedule, starting today; the stack then starts on it.
    const today = utcDay(new Date());
    const init = words(steps[0].command);
    assert.deepEqual(init.slice(0, 5), ['npx', 'tenantgate', 'rollout', 'policy', 'init'], `the walk-through starts with rollout policy init: ${steps[0].command}`);
    const startAt = init.indexOf('--start');
    const outAt = init.indexOf('--out');
    assert.ok(startAt > 0 && outAt > 0, 'rollout policy init names --start and --out');
    init[startAt + 1] = today;
    if (update) steps[0].command = init.join(' ');
    const policyFile = join(dir, init[outAt + 1]);
    const seen: string[] = [];
    const record = (r: { stdout: string; stderr: string; code: number | null }) =>
      seen.push([r.stdout.trimEnd(), r.stderr.trimEnd(), r.code ? `(exit status ${r.code})` : ''].filter(Boolean).join('\n'));
    record(await runCli(init.slice(2), { cwd: dir }));

    const stack = await startTestStack({ overrides: { 'rollout.policyFile': policyFile } });
    ts = stack;
    const config = stackConfig(stack, policyFile);
    const env = { TENANTGATE_MATRIX_SECRET: stack.credentials.clients['tenantgate-admin'].secret, TENANTGATE_STATE_DIR: join(dir, 'state') };
    for (const step of steps.slice(1)) {
      const [npx, bin, ...args] = words(step.command);
      assert.deepEqual([npx, bin], ['npx', 'tenantgate']);
      record(await runCli(['-c', config, ...args], { env }));
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

    const dirs = [dir, stack.t.stateDir];
    for (let i = 0; i < steps.length; i++) {
      assert.equal(mask(seen[i], dirs), mask(update ? seen[i] : steps[i].expected, dirs), `step ${i + 1}: ${steps[i].command}`);
    }

    // The walk-through leaves the rollout as an operator should: no open incident, not frozen.
    const open = await stack.t.db.query("select count(*)::int as n from rollout.incidents where status = 'open'");
    assert.equal(open.rows[0].n, 0, 'every incident of the walk-through is resolved');
    const state = await stack.t.db.query('select frozen from rollout.state');
    assert.equal(state.rows[0].frozen, false, 'the freeze is lifted');
  });
});
