/**
 * Scan queue throughput: how fast the PostgreSQL job queue drains, by worker layout, same run.
 *
 *   node --import tsx bench/scanner-queue.ts [--scans 400] [--components 200] [--tenants 10]
 *
 * Starts a throwaway embedded PostgreSQL with every migration and the bundled advisories,
 * then for each layout enqueues the same batch (`scans` scans over `tenants` tenants, each
 * SBOM with `components` components: vulnerable, clean and unidentifiable ones) and times
 * the real ScanWorkers draining it:
 *   baseline — 1 worker, 1 pool (one scanner process with modules.scannerWorkers=1)
 *   4 workers in one pool; 2 pools × 4 workers (two scanner processes' worth)
 * Every run is checked: every job done exactly once (attempts = 1), every scan completed,
 * findings stored = findings counted. Also prints the pure matching engine's speed.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Database } from '../src/db/database.ts';
import { createLogger } from '../src/host/logger.ts';
import { loadBundledAdvisories } from '../src/modules/scanner/advisories/load-bundled-dataset.ts';
import { syncAdvisories } from '../src/modules/scanner/advisories/sync-advisories.ts';
import { buildAdvisoryIndex } from '../src/modules/scanner/engine/advisory-index.ts';
import { analyzeComponents } from '../src/modules/scanner/engine/analyze-components.ts';
import { readCycloneDx } from '../src/modules/scanner/engine/read-cyclonedx.ts';
import { ScanWorkers } from '../src/modules/scanner/queue/scan-workers.ts';
import { createScan } from '../src/modules/scanner/store/scan-store.ts';
import { createRegistry } from '../src/telemetry/metrics.ts';
import { startBenchDatabase } from './support/database.ts';

const { values } = parseArgs({
  options: {
    scans: { type: 'string', default: '400' },
    components: { type: 'string', default: '200' },
    tenants: { type: 'string', default: '10' },
  },
});
const SCANS = Number(values.scans);
const COMPONENTS = Number(values.components);
const TENANTS = Number(values.tenants);

/** A deterministic SBOM: a third vulnerable versions, a third clean, a few unidentifiable. */
function sbom(scan: number) {
  const vulnerable = [
    'pkg:npm/lodash@4.17.20',
    'pkg:npm/minimist@1.2.5',
    'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    'pkg:pypi/django@4.2.1',
    'pkg:golang/golang.org/x/net@v0.10.0',
    'pkg:deb/debian/openssl@3.0.11-1~deb12u1',
  ];
  const components = [];
  for (let i = 0; i < COMPONENTS; i++) {
    if (i % 3 === 0) components.push({ name: `v${i}`, purl: vulnerable[(i + scan) % vulnerable.length] });
    else if (i % 20 === 1) components.push({ name: `vendored-${scan}-${i}`, version: '1.0' });
    else components.push({ name: `clean-${i}`, purl: `pkg:npm/clean-package-${i}@${1 + (i % 7)}.${scan % 10}.0` });
  }
  return { bomFormat: 'CycloneDX', specVersion: '1.5', components };
}

const tenantName = (i: number) => `tenant-${String(i).padStart(3, '0')}`;
const layouts = [
  { name: '1 worker, 1 pool (baseline)', pools: 1, workers: 1 },
  { name: '4 workers, 1 pool', pools: 1, workers: 4 },
  { name: '2 pools × 4 workers', pools: 2, workers: 4 },
];

const database = await startBenchDatabase('scanner');
try {
  const { adminUrl, runtimeUrl } = database;
  const advisories = loadBundledAdvisories();
  const index = buildAdvisoryIndex(advisories);
  const setup = new Database(runtimeUrl, { max: 4 });
  await syncAdvisories(setup, advisories);

  // The engine alone (no database): components matched per second.
  const docs = Array.from({ length: 50 }, (_, i) => readCycloneDx(sbom(i)));
  const engineStart = process.hrtime.bigint();
  let matched = 0;
  for (let round = 0; round < 20; round++) for (const d of docs) matched += analyzeComponents(d, index).componentCount;
  const engineSeconds = Number(process.hrtime.bigint() - engineStart) / 1e9;
  console.log(`# engine only: ${Math.round(matched / engineSeconds).toLocaleString('en')} components/s (${matched.toLocaleString('en')} components, ${advisories.length} advisories)`);
  console.log(`# batch: ${SCANS} scans × ${COMPONENTS} components over ${TENANTS} tenants per layout`);
  console.log('');
  console.log('| layout | drain time (s) | scans/s | ratio vs baseline | jobs done once | findings stored |');
  console.log('|---|---:|---:|---:|---|---:|');

  const reset = new pg.Client({ connectionString: adminUrl });
  await reset.connect();
  let baseline = 0;
  for (const layout of layouts) {
    await reset.query('truncate scanner.jobs, scanner.scans, scanner.findings, scanner.finding_history, scanner.unknowns, scanner.unknown_observations, scanner.id_counters');
    for (let i = 0; i < SCANS; i++) {
      const tenant = tenantName(i % TENANTS);
      await setup.withTenant(tenant, (c) => createScan(c, { imageDigest: `sha256:${String(i).padStart(64, '0')}`, sbom: sbom(i), source: 'bench', requestedBy: 'bench' }));
    }
    const pools = Array.from({ length: layout.pools }, () => new Database(runtimeUrl, { max: layout.workers + 1 }));
    const fleets = pools.map(
      (db) =>
        new ScanWorkers({
          db,
          index,
          workers: layout.workers,
          owner: `bench-${randomUUID()}`,
          leaseSeconds: 60,
          pollIntervalMs: 20,
          maxAttempts: 5,
          scanDelayMs: 0,
          logger: createLogger('scanner', 'silent'),
          metrics: createRegistry('scanner', false),
        }),
    );
    const started = process.hrtime.bigint();
    for (const f of fleets) f.start();
    for (;;) {
      const { rows } = await reset.query("select count(*)::int as n from scanner.jobs where state = 'done'");
      if (rows[0].n === SCANS) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const f of fleets) await f.stop();
    for (const p of pools) await p.close();
    const check = await reset.query(
      `select (select count(*)::int from scanner.jobs where attempts = 1 and state = 'done') as once,
              (select count(*)::int from scanner.scans where status = 'completed') as completed,
              (select coalesce(sum(finding_count), 0)::int from scanner.scans) as counted,
              (select count(*)::int from scanner.findings) as stored`,
    );
    const c = check.rows[0];
    if (c.once !== SCANS || c.completed !== SCANS || c.counted !== c.stored) throw new Error(`inconsistent run: ${JSON.stringify(c)}`);
    const rate = SCANS / seconds;
    if (baseline === 0) baseline = rate;
    console.log(`| ${layout.name} | ${seconds.toFixed(2)} | ${rate.toFixed(1)} | ${(rate / baseline).toFixed(2)} | ${c.once}/${SCANS} | ${c.stored} |`);
  }
  await reset.end();
  await setup.close();
} finally {
  await database.stop();
}
