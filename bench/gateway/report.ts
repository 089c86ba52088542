/**
 * Figures of the gateway benchmark: per-case medians over the rounds, ratios both of those
 * medians and paired per round (back to back), each target line saying met or missed.
 */
export interface RoundFigures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  cpuMicrosPerRequest: number;
  errors: number;
  non2xx: number;
}

export interface CaseRuns {
  letter: string;
  name: string;
  rounds: RoundFigures[];
}

export interface Target {
  label: string;
  /** Case letters x / y. */
  x: string;
  y: string;
  field: 'rps' | 'p99' | 'cpuMicrosPerRequest';
  /** `>=` or `<=` the bound; absent for a ratio shown without a target. */
  bound?: { op: '>=' | '<='; value: number };
}

export interface RatioFigure {
  label: string;
  ofMedians: number;
  paired: number;
  target: string | null;
  /** Met when both the ratio of medians and the paired ratio meet the bound. */
  met: boolean | null;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function medians(c: CaseRuns): RoundFigures {
  const r = c.rounds;
  return {
    name: c.name,
    rps: median(r.map((x) => x.rps)),
    p50: median(r.map((x) => x.p50)),
    p99: median(r.map((x) => x.p99)),
    cpuMicrosPerRequest: median(r.map((x) => x.cpuMicrosPerRequest)),
    errors: r.reduce((s, x) => s + x.errors, 0),
    non2xx: r.reduce((s, x) => s + x.non2xx, 0),
  };
}

const floor = (field: Target['field']) => (field === 'p99' ? 0.001 : 1e-9);

export function ratios(cases: CaseRuns[], targets: Target[]): RatioFigure[] {
  const find = (l: string) => cases.find((c) => c.letter === l);
  const out: RatioFigure[] = [];
  for (const t of targets) {
    const cx = find(t.x);
    const cy = find(t.y);
    if (!cx || !cy) continue;
    const mx = medians(cx)[t.field];
    const my = medians(cy)[t.field];
    const ofMedians = mx / Math.max(my, floor(t.field));
    const paired = median(cx.rounds.map((v, i) => v[t.field] / Math.max(cy.rounds[i][t.field], floor(t.field))));
    const meets = (v: number) => (t.bound!.op === '>=' ? v >= t.bound!.value : v <= t.bound!.value);
    out.push({
      label: t.label,
      ofMedians,
      paired,
      target: t.bound ? `${t.bound.op} ${t.bound.value}` : null,
      met: t.bound ? meets(ofMedians) && meets(paired) : null,
    });
  }
  return out;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export function reportLines(header: string, cases: CaseRuns[], figures: RatioFigure[], heapAfterRound: number[]): string[] {
  return [
    header,
    '',
    '| case | req/s | p50 ms | p99 ms | server CPU µs/req | errors | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...cases.map(medians).map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.cpuMicrosPerRequest.toFixed(0)} | ${r.errors} | ${r.non2xx} |`),
    '',
    ...cases.map((c) => `${c.name} per round: req/s ${c.rounds.map((x) => x.rps.toFixed(0)).join(', ')}; p99 ms ${c.rounds.map((x) => fmt(x.p99)).join(', ')}; CPU µs/req ${c.rounds.map((x) => x.cpuMicrosPerRequest.toFixed(0)).join(', ')}`),
    '',
    ...figures.map((f) => `${f.label} = ${f.ofMedians.toFixed(3)}; paired per round ${f.paired.toFixed(3)}${f.target ? ` (target ${f.target}): ${f.met ? 'met' : 'missed'}` : ''}`),
    `server heap after each round (MB): ${heapAfterRound.map((h) => (h / 1048576).toFixed(1)).join(', ')}`,
  ];
}
