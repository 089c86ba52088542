import type { Command } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderChecklist } from '../../../rollout/checklist/render-checklist.ts';
import { checklistReport, decide } from '../../../rollout/operations/decide.ts';
import { readDecisions } from '../../../rollout/state/read-state.ts';
import { out, defaultActor, rolloutAction } from './shared.ts';

/** `rollout checklist|decide|decisions`: the readiness checklist and the go/no-go record. */
export function registerReadinessCommands(rollout: Command): void {
  rollout
    .command('checklist')
    .description('the production readiness checklist from recorded evidence (deterministic: same evidence, same bytes)')
    .option('--json', 'canonical JSON instead of Markdown', false)
    .option('--out <dir>', 'also write checklist.json, checklist.md and checklist.sha256 there')
    .action(
      rolloutAction(async (env, opts: { json: boolean; out?: string }) => {
        const rendered = renderChecklist(await checklistReport(env.db, env.policy));
        process.stdout.write(opts.json ? rendered.json : rendered.markdown);
        if (opts.out) {
          const dir = resolve(opts.out);
          mkdirSync(dir, { recursive: true });
          writeFileSync(join(dir, 'checklist.json'), rendered.json);
          writeFileSync(join(dir, 'checklist.md'), rendered.markdown);
          writeFileSync(join(dir, 'checklist.sha256'), `${rendered.jsonSha256}  checklist.json\n${rendered.markdownSha256}  checklist.md\n`);
        }
      }),
    );

  rollout
    .command('decide <decision>')
    .description('record go|no-go with QA and PM names against the checklist hash (go refused while an item is red)')
    .requiredOption('--qa <name>', 'QA sign-off')
    .requiredOption('--pm <name>', 'project manager sign-off')
    .option('--note <text>', 'note', '')
    .option('--force', 'record go despite red items (needs --reason; audited)', false)
    .option('--reason <text>', 'why go is forced')
    .action(
      rolloutAction(async (env, decision: string, opts: { qa: string; pm: string; note: string; force: boolean; reason?: string }) => {
        const r = await decide(env, { decision, qa: opts.qa, pm: opts.pm, note: opts.note, force: opts.force, forceReason: opts.reason, actor: defaultActor() });
        out(`decision #${r.decision.id}: ${r.decision.decision} by QA ${r.decision.qa} and PM ${r.decision.pm}${r.decision.forced ? `  [FORCED: ${r.decision.forceReason}]` : ''}\nchecklist evidence sha256 ${r.decision.checklistSha256}`);
      }),
    );
  rollout
    .command('decisions')
    .description('recorded go/no-go decisions')
    .action(
      rolloutAction(async (env) => {
        for (const d of await readDecisions(env.db)) out(`#${d.id}  ${d.decidedAt}  ${d.decision.padEnd(5)}  QA ${d.qa}, PM ${d.pm}${d.forced ? `  FORCED: ${d.forceReason}` : ''}  ${d.checklistSha256.slice(0, 16)}…  ${d.note}`);
      }),
    );
}
