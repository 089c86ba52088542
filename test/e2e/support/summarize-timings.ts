/**
 * Summarizes the timings of several browser matrix runs: median and P95 of first render
 * after sign-in and of tenant switch to fully rendered page. The suite records them as
 * `timing` annotations, so they are in Playwright's JSON report (results.json).
 *
 *   node --import tsx test/e2e/support/summarize-timings.ts run1/results.json run2/results.json
 */
import { readFileSync } from 'node:fs';

interface Timing {
  project: string;
  kind: 'first-render' | 'switch';
  label: string;
  throttled?: boolean;
  ms: number;
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

/** Every `timing` annotation of every test result in a Playwright JSON report. */
function timingsOf(report: any): Timing[] {
  const out: Timing[] = [];
  const visit = (suite: any) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        for (const result of test.results ?? []) {
          for (const a of result.annotations ?? []) if (a.type === 'timing' && a.description) out.push(JSON.parse(a.description) as Timing);
        }
      }
    }
    for (const child of suite.suites ?? []) visit(child);
  };
  for (const suite of report.suites ?? []) visit(suite);
  return out;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: summarize-timings.ts <results.json>…\n');
  process.exit(1);
}
const all = files.flatMap((file) => timingsOf(JSON.parse(readFileSync(file, 'utf8'))));
const render = (project: string, label: string) => all.filter((t) => t.kind === 'first-render' && t.project === project && t.label === label).map((t) => t.ms);
const switches = (project: string, throttled: boolean) => all.filter((t) => t.kind === 'switch' && t.project === project && !!t.throttled === throttled).map((t) => t.ms);

const lines = [
  `${files.length} run(s); milliseconds`,
  '',
  '| measure | samples | median | P95 | min | max |',
  '|---|---|---|---|---|---|',
  row('first render after sign-in, desktop', render('desktop', 'sign-in')),
  row('first render after sign-in, phone', render('mobile', 'sign-in')),
  row('sign-in on a link to another tenant (render + switch), desktop', render('desktop', 'sign-in on a link to another tenant')),
  row('tenant switch → fully rendered page, desktop, local network', switches('desktop', false)),
  row('tenant switch → fully rendered page, desktop, throttled (250 ms, 400 kbit/s)', switches('desktop', true)),
  row('tenant switch → fully rendered page, phone, throttled (250 ms, 400 kbit/s)', switches('mobile', true)),
];
process.stdout.write(lines.join('\n') + '\n');
