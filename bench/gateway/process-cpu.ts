/** CPU time (user + system, µs) a process has used so far, from /proc/PID/stat (Linux). */
import { readFileSync } from 'node:fs';
import { clockTicks } from './clock-ticks.ts';

export function processCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
}
