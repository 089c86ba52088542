/** Builds the console once when web/dist is missing or older than its sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../../..');
export const consoleDist = join(repoRoot, 'web/dist');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

export function ensureConsoleBuild(): string {
  const index = join(consoleDist, 'index.html');
  const sources = [join(repoRoot, 'web/src'), join(repoRoot, 'web/index.html'), join(repoRoot, 'web/vite.config.ts'), join(repoRoot, 'src/contract')];
  const newestSource = Math.max(...sources.filter(existsSync).map(newestMtime));
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return consoleDist;
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0 || !existsSync(index)) throw new Error('`npm run build` failed: the console could not be built');
  return consoleDist;
}
