/**
 * Summarizes test-artifacts/console-timings.json files of several browser-test runs:
 * median and P95 of first render after sign-in and of tenant switch to fully rendered page.
 *
 *   node --import tsx test/e2e/support/summarize-timings.ts run1.json run2.json run3.json
 */
import { readFileSync } from 'node:fs';

interface Timings {
  firstRenderMs: { viewport: string; ms: number }[];
  switchMs: { viewport: string; page: string; to: string; throttled: boolean; ms: number }[];
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, rank)];
}

function row(label: string, values: number[]): string {
  if (values.length === 0) return `| ${label} | 0 | – | – | – | – |`;
  return `| ${label} | ${values.length} | ${percentile(values, 50)} | ${percentile(values, 95)} | ${Math.min(...values)} | ${Math.max(...values)} |`;
}

const runs = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')) as Timings);
if (runs.length === 0) {
  process.stderr.write('usage: summarize-timings.ts <console-timings.json>…\n');
  process.exit(1);
}
const all = <T>(pick: (t: Timings) => T[]) => runs.flatMap(pick);
const render = (label: string) => all((t) => t.firstRenderMs.filter((r) => r.viewport === label).map((r) => r.ms));
const switches = (viewport: string, throttled: boolean) => all((t) => t.switchMs.filter((s) => s.viewport === viewport && s.throttled === throttled).map((s) => s.ms));

const lines = [
  `${runs.length} run(s); milliseconds`,
  '',
  '| measure | samples | median | P95 | min | max |',
  '|---|---|---|---|---|---|',
  row('first render after sign-in, desktop', render('desktop')),
  row('first render after sign-in, phone', render('mobile')),
  row('sign-in on a link to another tenant (render + switch), desktop', render('desktop, link to another tenant')),
  row('tenant switch → fully rendered page, desktop, local network', switches('desktop', false)),
  row('tenant switch → fully rendered page, desktop, throttled (250 ms, 400 kbit/s)', switches('desktop', true)),
  row('tenant switch → fully rendered page, phone, throttled (250 ms, 400 kbit/s)', switches('mobile', true)),
];
process.stdout.write(lines.join('\n') + '\n');
