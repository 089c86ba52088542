/**
 * Row-level security vs an explicit tenant filter, same run, same data.
 *
 *   node --import tsx bench/rls.ts [--rows 1000000] [--tenants 100] [--seconds 30] [--concurrency 8] [--explain]
 *
 * Starts a throwaway embedded PostgreSQL, applies the foundation and Graph migrations, loads
 * `rows` graph nodes spread evenly over `tenants`, then measures two reads:
 *   list  — the first page (50 rows, id order) of one tenant's nodes
 *   by-id — one node by id
 * each as (a) the runtime role through `Database.withTenant`, the query carrying NO tenant
 * predicate (the RLS policy filters), and (b) the baseline: the same transaction shape and the
 * same `withTenant` code path, but a role that RLS does not apply to and an explicit
 * `WHERE tenant_id = $1`. The tables FORCE row-level security, so even their owner is filtered;
 * the baseline therefore runs as the cluster superuser, the one role that bypasses RLS.
 * Each caller alternates the two variants operation by operation (see measurePaired), so a
 * noisy shared host shifts both alike; ops/s per variant = callers / its mean latency.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Database } from '../src/db/database.ts';
import { readMigrations } from '../src/db/migrate.ts';
import { startBenchDatabase } from './support/database.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    tenants: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '8' },
    explain: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const TENANTS = Number(values.tenants);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const PER_TENANT = Math.floor(ROWS / TENANTS);

const tenantName = (i: number) => `tenant-${String(i).padStart(3, '0')}`;
const nodeId = (i: number) => `pkg-${String(i).padStart(24, '0')}`;

interface Workload {
  name: string;
  rls: (db: Database, tenant: string, id: string) => Promise<unknown>;
  explicit: (db: Database, tenant: string, id: string) => Promise<unknown>;
}

const COLUMNS = 'id, purl, type, name, grp, version, description, sbom_count, first_seen_at, last_seen_at';
const workloads: Workload[] = [
  {
    name: 'list (50 rows)',
    rls: (db, tenant) => db.withTenant(tenant, (c) => c.query(`select ${COLUMNS} from graph.nodes order by id limit 50`)),
    explicit: (db, tenant) => db.withTenant(tenant, (c) => c.query(`select ${COLUMNS} from graph.nodes where tenant_id = $1 order by id limit 50`, [tenant])),
  },
  {
    name: 'by id',
    rls: (db, tenant, id) => db.withTenant(tenant, (c) => c.query(`select ${COLUMNS} from graph.nodes where id = $1`, [id])),
    explicit: (db, tenant, id) => db.withTenant(tenant, (c) => c.query(`select ${COLUMNS} from graph.nodes where tenant_id = $1 and id = $2`, [tenant, id])),
  },
];

interface PairedResult {
  rlsOpsPerSecond: number;
  explicitOpsPerSecond: number;
  rlsMedianMs: number;
  explicitMedianMs: number;
  pairs: number;
}

/**
 * Paired measurement: each of `CONCURRENCY` callers runs RLS and explicit operations in
 * alternation (order flipped per pair) for `seconds`, timing each one. Both variants thus see
 * the same machine load at the same moments — other processes on a shared host shift both
 * alike. Throughput per variant = callers / mean latency of that variant.
 */
async function measurePaired(rlsDb: Database, plainDb: Database, w: Workload, check: (rows: any[], tenant: string) => void, seconds: number): Promise<PairedResult> {
  const until = Date.now() + seconds * 1000;
  const rlsTimes: number[] = [];
  const explicitTimes: number[] = [];
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  const timed = async (run: () => Promise<unknown>, tenant: string, into: number[]) => {
    const t0 = process.hrtime.bigint();
    const result = (await run()) as pg.QueryResult;
    into.push(Number(process.hrtime.bigint() - t0) / 1e6);
    check(result.rows, tenant);
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, caller) => {
      let flip = caller % 2 === 0;
      while (Date.now() < until) {
        const t = next() % TENANTS;
        const tenant = tenantName(t);
        const id = nodeId(t * PER_TENANT + (next() % PER_TENANT));
        const rls = () => timed(() => w.rls(rlsDb, tenant, id), tenant, rlsTimes);
        const explicit = () => timed(() => w.explicit(plainDb, tenant, id), tenant, explicitTimes);
        if (flip) {
          await rls();
          await explicit();
        } else {
          await explicit();
          await rls();
        }
        flip = !flip;
      }
    }),
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    rlsOpsPerSecond: (CONCURRENCY * 1000) / mean(rlsTimes),
    explicitOpsPerSecond: (CONCURRENCY * 1000) / mean(explicitTimes),
    rlsMedianMs: median(rlsTimes),
    explicitMedianMs: median(explicitTimes),
    pairs: Math.min(rlsTimes.length, explicitTimes.length),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const database = await startBenchDatabase('rls', readMigrations().filter((m) => ['0001', '0002', '0031'].includes(m.id)));
try {
  const { adminUrl, runtimeUrl } = database;

  const loader = new pg.Client({ connectionString: adminUrl });
  await loader.connect();
  const loadStart = Date.now();
  await loader.query(
    `insert into graph.nodes (tenant_id, id, purl, type, name, grp, version, description)
     select 'tenant-' || lpad((g / $2)::text, 3, '0'), 'pkg-' || lpad(g::text, 24, '0'),
            'pkg:npm/package-' || g || '@1.0.0', 'npm', 'package-' || g, '', '1.0.0', 'benchmark node'
       from generate_series(0, $1 - 1) g`,
    [PER_TENANT * TENANTS, PER_TENANT],
  );
  await loader.query('vacuum analyze graph.nodes');
  const { rows: countRows } = await loader.query('select count(*)::int as n, count(distinct tenant_id)::int as t from graph.nodes');
  await loader.end();
  console.log(`# loaded ${countRows[0].n.toLocaleString('en')} rows over ${countRows[0].t} tenants in ${((Date.now() - loadStart) / 1000).toFixed(1)} s`);
  console.log(`# ${SECONDS} s per read, ${CONCURRENCY} concurrent callers, each alternating RLS and explicit operations (paired)`);

  const rlsDb = new Database(runtimeUrl, { max: CONCURRENCY });
  const superDb = new Database(adminUrl, { max: CONCURRENCY });
  const checkList = (rows: any[], tenant: string) => {
    if (rows.length !== 50) throw new Error(`list returned ${rows.length} rows for ${tenant}`);
  };
  const checkById = (rows: any[]) => {
    if (rows.length !== 1) throw new Error(`by-id returned ${rows.length} rows`);
  };
  // The RLS variant must really be filtered by the policy: it asks for nothing tenant-specific.
  const sample = await rlsDb.withTenant(tenantName(7), (c) => c.query('select distinct tenant_id from graph.nodes'));
  if (sample.rows.length !== 1 || sample.rows[0].tenant_id !== tenantName(7)) throw new Error('RLS is not filtering');

  if (values.explain) {
    const plan = async (db: Database, sql: string, params: unknown[]) =>
      (await db.withTenant(tenantName(7), (c) => c.query(`explain (analyze, costs off, timing off, summary off) ${sql}`, params))).rows.map((r) => `#   ${r['QUERY PLAN']}`).join('\n');
    console.log(`# RLS list plan:\n${await plan(rlsDb, `select ${COLUMNS} from graph.nodes order by id limit 50`, [])}`);
    console.log(`# explicit list plan:\n${await plan(superDb, `select ${COLUMNS} from graph.nodes where tenant_id = $1 order by id limit 50`, [tenantName(7)])}`);
    console.log(`# RLS by-id plan:\n${await plan(rlsDb, `select ${COLUMNS} from graph.nodes where id = $1`, [nodeId(7 * PER_TENANT + 3)])}`);
  }
  console.log('');
  console.log('| read | RLS (runtime role) ops/s | explicit WHERE (no RLS) ops/s | ratio RLS/explicit | median latency RLS / explicit (ms) | pairs | target ≥ 0.90 |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  let allMet = true;
  for (const w of workloads) {
    const check = w.name.startsWith('list') ? checkList : checkById;
    await measurePaired(rlsDb, superDb, w, check, 2); // warm-up of caches and plans, not counted
    const r = await measurePaired(rlsDb, superDb, w, check, SECONDS);
    const ratio = r.rlsOpsPerSecond / r.explicitOpsPerSecond;
    allMet &&= ratio >= 0.9;
    console.log(
      `| ${w.name} | ${Math.round(r.rlsOpsPerSecond)} | ${Math.round(r.explicitOpsPerSecond)} | ${ratio.toFixed(3)} | ${r.rlsMedianMs.toFixed(2)} / ${r.explicitMedianMs.toFixed(2)} | ${r.pairs} | ${ratio >= 0.9 ? 'met' : 'MISSED'} |`,
    );
  }
  await rlsDb.close();
  await superDb.close();
  console.log('');
  console.log(allMet ? '# target met: RLS reads run at ≥ 0.90× the explicit-filter baseline' : '# target missed on at least one read');
} finally {
  await database.stop();
}
