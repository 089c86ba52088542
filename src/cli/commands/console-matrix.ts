import type { Command } from 'commander';
import { runConsoleMatrix } from '../../matrix/console-matrix.ts';
import { configFrom } from '../options.ts';
import { matrixTarget } from './matrix.ts';

export function registerConsoleMatrix(program: Command): void {
  const matrix = program.command('console-matrix').description('the browser tenant matrix (Playwright Test, desktop and mobile) against a live console');
  matrix
    .command('run')
    .description('provision synthetic tenants and users, run the browser matrix, remove them; write the HTML report, JUnit and a sha256 manifest; exit 1 on any failed case')
    .option('--gateway <url>', "gateway base URL serving the console (default: this config's public URL)")
    .requiredOption('--out <dir>', 'evidence directory (for `evidence import DIR --kind web`)')
    .option('--client <id>', 'admin client (needs the fleet operator role: authority:tenants.write and authority:fleet.write)', 'tenantgate-admin')
    .option('--secret <secret>', 'its secret (default: TENANTGATE_MATRIX_SECRET or the demo credentials file)')
    .option('--max-failures <n>', 'stop after this many failed cases (the evidence stays red)', (v) => Number.parseInt(v, 10), 0)
    .option('--workers <n>', 'parallel browser workers (default 2)', (v) => Number.parseInt(v, 10))
    .action(async (opts: { gateway?: string; out: string; client: string; secret?: string; maxFailures: number; workers?: number }, cmd: Command) => {
      const config = configFrom(cmd);
      const target = matrixTarget(config, opts);
      const result = await runConsoleMatrix({ gateway: target.gateway, admin: { clientId: target.clientId, secret: target.secret }, out: opts.out, maxFailures: opts.maxFailures, workers: opts.workers, tenantParameter: config.profile.tenantParameter });
      const s = result.summary;
      if (s.setupError) process.stdout.write(`FAIL  setup: ${s.setupError}\n`);
      for (const p of s.cleanupProblems) process.stdout.write(`FAIL  cleanup: ${p}\n`);
      process.stdout.write(`\n${result.passed ? 'GREEN' : 'RED'}: browser matrix against ${s.gateway} (run ${s.runId}, tenants ${s.tenants.join(', ') || '(not provisioned)'})\n`);
      process.stdout.write(`evidence in ${result.dir} (HTML report: html-report/index.html); manifest.sha256 lists ${result.manifest.trimEnd().split('\n').length} files\n`);
      if (!result.passed) process.exitCode = 1;
    });
}
