/** The kernel's clock ticks per second (`getconf CLK_TCK`), read once; 100 when getconf is absent. */
import { spawnSync } from 'node:child_process';

let ticks: number | null = null;

export function clockTicks(): number {
  if (ticks === null) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    ticks = r.status === 0 && n > 0 ? n : 100;
  }
  return ticks;
}
