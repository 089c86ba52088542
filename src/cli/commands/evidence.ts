import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { importEvidence, importEvidenceDirectory } from '../../rollout/operations/import-evidence.ts';
import { importableEvidenceKinds } from '../../rollout/policy/schema.ts';
import { readEvidence } from '../../rollout/state/read-state.ts';
import { rolloutAction } from './rollout/shared.ts';

export function registerEvidence(program: Command): void {
  const evidence = program.command('evidence').description('readiness evidence: imported test results, staging runs, telemetry reviews');
  evidence
    .command('import <path>')
    .description('record a JUnit XML or JSON result (telemetry-review: {"reviewer","cutoff":"YYYY-MM-DD","legacyTotal"}), or for --kind web a `console-matrix run` directory (checked against its manifest.sha256)')
    .requiredOption('--kind <kind>', importableEvidenceKinds.join('|'))
    .option('--name <name>', 'label (default: the file name)')
    .option('--actor <name>', 'who records it (default: the OS user)')
    .action(
      rolloutAction(async (env, file: string, opts: { kind: string; name?: string; actor?: string }) => {
        const actor = opts.actor ?? `cli:${userInfo().username}`;
        const e = statSync(file).isDirectory()
          ? await importEvidenceDirectory(env, { kind: opts.kind, name: opts.name ?? basename(file), dir: file, actor })
          : await importEvidence(env, { kind: opts.kind, name: opts.name ?? basename(file), content: readFileSync(file, 'utf8'), actor });
        process.stdout.write(`evidence #${e.id} ${e.kind} ${e.green ? 'GREEN' : 'RED'}: ${e.total - e.failed}/${e.total} passed, sha256 ${e.sha256}\n`);
        for (const c of e.cases.filter((x) => x.status === 'failed').slice(0, 20)) process.stdout.write(`  failed: ${c.name}${c.message ? ` — ${c.message}` : ''}\n`);
      }),
    );
  evidence
    .command('list')
    .description('recorded evidence, newest first')
    .option('--kind <kind>', 'only this kind')
    .action(
      rolloutAction(async (env, opts: { kind?: string }) => {
        for (const e of await readEvidence(env.db, { kind: opts.kind })) {
          process.stdout.write(`#${e.id}  ${e.recordedAt}  ${e.kind.padEnd(16)} ${e.green ? 'green' : 'RED  '}  ${e.total - e.failed}/${e.total}  ${e.name}${e.incidentId ? `  (incident #${e.incidentId})` : ''}  ${e.sha256.slice(0, 16)}…\n`);
        }
      }),
    );
}
