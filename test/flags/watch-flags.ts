/** Child process for the propagation test: prints every flag snapshot it applies. */
import { Database } from '../../src/db/database.ts';
import { LiveFlags } from '../../src/flags/live.ts';
import { InstanceReporter } from '../../src/telemetry/instance.ts';

const db = new Database(process.argv[2], { max: 2 });
const reporter = new InstanceReporter(db, 'gateway');
await reporter.register();
const flags: LiveFlags = new LiveFlags({
  db,
  listenUrl: process.argv[2],
  pollIntervalMs: 10_000,
  onVersion: async (v) => {
    await reporter.reportFlagVersion(v);
    process.stdout.write(`version ${v} ${JSON.stringify(flags.values)}\n`);
  },
});
await flags.start();
process.stdout.write('ready\n');
process.on('SIGTERM', async () => {
  await flags.stop();
  await db.close();
  process.exit(0);
});
