/** `up` builds the web console on first start when no build is present. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config/schema.ts';

export async function ensureConsoleBuilt(config: Config, cwd = process.cwd()): Promise<void> {
  const dir = resolve(cwd, config.gateway.consoleDir);
  if (existsSync(resolve(dir, 'index.html'))) return;
  if (!existsSync(resolve(cwd, 'web/vite.config.ts'))) return;
  process.stderr.write('building the web console (first start)…\n');
  const result = spawnSync('npm', ['run', 'build', '--silent'], { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) process.stderr.write('console build failed; the API still starts (run `npm run build` to see why)\n');
}
