/**
 * Summarizes a V8 CPU profile (`.cpuprofile`, as `bench/gateway.ts --profile DIR` writes):
 * the functions with the most self time, the most inclusive time, and inclusive time by
 * module (a package, a Node internal module, or a tenantgate directory), each as a share of
 * all samples. Idle and GC samples are listed as such.
 *
 *   node --import tsx bench/profile-summary.ts FILE [--top 25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** Where a frame's code lives: `pkg/<name>` for a dependency, the path inside the repository, or the Node module. */
function place(url: string): string {
  if (url === '') return '';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) return `pkg/${url.slice(modules + 'node_modules/'.length)}`;
  if (url.startsWith('file://')) return relative(root, fileURLToPath(url));
  return url;
}

/** The module a place belongs to: a package, a Node module, or a directory of the repository. */
function moduleOf(where: string): string {
  if (where.startsWith('pkg/')) {
    const parts = where.slice(4).split('/');
    return `pkg/${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (where === '') return '(native)';
  if (where.startsWith('wasm:')) return 'wasm (undici\'s HTTP parser)';
  if (where.startsWith('node:')) return where;
  return where.split('/').slice(0, 2).join('/');
}

export function summarize(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  const label = (n: ProfileNode) => {
    const where = place(n.callFrame.url);
    return where === '' ? n.callFrame.functionName || '(anonymous)' : `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
  };
  for (const [id, count] of hits) {
    const leaf = byId.get(id)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + count);
    // Each function and module counts once per sample, however often it recurs on the stack.
    const seen = new Set<string>();
    const seenModules = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      if (n.callFrame.functionName === '(root)') continue;
      const l = label(n);
      if (!seen.has(l)) {
        seen.add(l);
        inclusive.set(l, (inclusive.get(l) ?? 0) + count);
      }
      const m = moduleOf(place(n.callFrame.url));
      if (m !== '(native)' && !seenModules.has(m)) {
        seenModules.add(m);
        modules.set(m, (modules.get(m) ?? 0) + count);
      }
    }
  }
  const table = (title: string, m: Map<string, number>) =>
    [`${title}:`, ...[...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, c]) => `${((100 * c) / total).toFixed(1).padStart(6)} %  ${name}`)].join('\n');
  return [`${total} samples`, table('self time', self), table('inclusive time', inclusive), table('inclusive time by module', modules)].join('\n\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  if (positionals.length !== 1) {
    process.stderr.write('usage: node --import tsx bench/profile-summary.ts FILE [--top 25]\n');
    process.exit(2);
  }
  process.stdout.write(`${summarize(JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile, Number(values.top))}\n`);
}
