/**
 * `npm run bench -- NAME [args…]` runs bench/NAME.ts with its arguments; with no name it
 * lists the benchmarks. Each script prints its own figures and same-run baselines.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = import.meta.dirname;
const [name, ...rest] = process.argv.slice(2);
const scripts = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.replace(/\.ts$/, '')).sort();
if (!name || !scripts.includes(name)) {
  if (name) process.stderr.write(`no benchmark named ${name}\n`);
  process.stdout.write('usage: npm run bench -- NAME [args…]\n\n');
  for (const s of scripts) {
    const usage = /^ \*\s+(node --import tsx bench\/.*)$/m.exec(readFileSync(join(dir, `${s}.ts`), 'utf8'));
    process.stdout.write(`  ${s.padEnd(14)} ${usage ? usage[1] : ''}\n`);
  }
  process.exit(name ? 1 : 0);
}
const file = join(dir, `${name}.ts`);
if (!existsSync(file)) process.exit(1);
const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...rest], { stdio: 'inherit' });
process.exit(r.status ?? 1);
