import type { Command } from 'commander';
import { resolve } from 'node:path';
import { componentUrl, publicUrl, type Config } from '../../config/schema.ts';
import { readDemoCredentials } from '../../demo/credentials.ts';
import { matrixServices, type MatrixService } from '../../matrix/declared-services.ts';
import { runMatrix } from '../../matrix/run-matrix.ts';
import { writeMatrixEvidence } from '../../matrix/write-evidence.ts';
import { credentialsPath } from '../../stack.ts';
import { configFrom } from '../options.ts';

export interface MatrixTarget {
  gateway: string;
  clientId: string;
  secret: string;
  modules: Partial<Record<'platform' | 'scanner' | 'graph', string>>;
  /** The configuration's declared external services, each probed by its own isolation rows. */
  services: MatrixService[];
}

/** Gateway and admin credentials for a matrix run: flags first, then the local demo credentials file. */
export function matrixTarget(config: Config, opts: { gateway?: string; client?: string; secret?: string; module?: string[] }): MatrixTarget {
  const gateway = (opts.gateway ?? publicUrl(config)).replace(/\/$/, '');
  const clientId = opts.client ?? 'tenantgate-admin';
  let secret = opts.secret ?? config.rollout.matrixSecret;
  if (!secret) {
    const file = credentialsPath(config);
    secret = readDemoCredentials(file)?.clients[clientId]?.secret;
    if (!secret) throw new Error(`no secret for ${clientId}: give --secret (or TENANTGATE_MATRIX_SECRET), or run against the demo stack whose credentials are in ${file}`);
  }
  const modules: MatrixTarget['modules'] = {};
  for (const pair of opts.module ?? []) {
    const m = /^(platform|scanner|graph)=(https?:\/\/.+)$/.exec(pair);
    if (!m) throw new Error(`--module expects platform|scanner|graph=URL, got ${JSON.stringify(pair)}`);
    modules[m[1] as keyof MatrixTarget['modules']] = m[2];
  }
  // Against this config's own deployment the module ports are known: probe them directly too.
  if (!opts.module?.length && gateway === publicUrl(config)) {
    for (const m of ['platform', 'scanner', 'graph'] as const) modules[m] = componentUrl(config, m);
  }
  return { gateway, clientId, secret, modules, services: matrixServices(config) };
}

export function registerMatrix(program: Command): void {
  const matrix = program.command('matrix').description('the tenant isolation acceptance matrix (docs/spec/MODULES.md) against a live deployment');
  matrix
    .command('run')
    .description('provision two tenants with overlapping ids, run every row, write JSON + Markdown + JUnit + sha256 manifest; exit 1 on any failed row')
    .option('--gateway <url>', 'gateway base URL (default: this config\'s public URL)')
    .requiredOption('--out <dir>', 'evidence directory')
    .option('--client <id>', 'admin client (needs the fleet operator role: authority:tenants.write and authority:fleet.write)', 'tenantgate-admin')
    .option('--secret <secret>', 'its secret (default: TENANTGATE_MATRIX_SECRET or the demo credentials file)')
    .option('--module <name=url...>', 'module base URL for the direct (forged identity) rows, e.g. platform=http://10.0.0.5:8082 (default: this config\'s module ports when --gateway is its public URL)')
    .action(async (opts: { gateway?: string; out: string; client: string; secret?: string; module?: string[] }, cmd: Command) => {
      const config = configFrom(cmd);
      const target = matrixTarget(config, opts);
      const report = await runMatrix({ ...target, profile: config.profile });
      const written = writeMatrixEvidence(report, resolve(opts.out));
      for (const row of report.rows) process.stdout.write(`${row.passed ? 'pass' : 'FAIL'}  ${row.id.padEnd(6)} ${row.title}${row.passed ? '' : `\n        ${row.detail}`}\n`);
      process.stdout.write(`\n${report.summary.failed === 0 ? 'GREEN' : 'RED'}: ${report.summary.passed}/${report.summary.total} rows passed against ${report.gateway}\n`);
      process.stdout.write(`evidence in ${written.dir}:\n${written.manifest.replace(/^/gm, '  ').trimEnd()}\n`);
      if (report.summary.failed > 0) process.exitCode = 1;
    });
}
