/**
 * Keys that name no setting of the schema, found per source (file, environment, --set) so the
 * error can say where a typo came from and which setting was probably meant. A key the schema
 * does not know would otherwise be dropped by zod without a word.
 */
import { z } from 'zod';
import { configSchema } from './schema.ts';

type Tree = Record<string, unknown>;

export interface UnknownSetting {
  /** Dotted path as written, down to each leaf of an unknown subtree. */
  path: string;
  /** The nearest existing setting (edit distance over the full dotted paths). */
  suggestion: string | null;
}

function isPlainObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Looks through defaults, prefaults, optionals and nullables to the schema that holds the value. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault || s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
    s = s.unwrap() as z.ZodType;
  }
  return s;
}

function join(prefix: string, key: string | number): string {
  return prefix ? `${prefix}.${key}` : String(key);
}

/** Every leaf path of an unknown subtree (the subtree itself when it is a leaf or empty). */
function leaves(value: unknown, prefix: string, out: string[]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) leaves(child, join(prefix, key), out);
  } else {
    out.push(prefix);
  }
}

/**
 * The paths a user could have meant: every object key of the schema, with array elements and
 * record entries spelled as in the given tree (so `gateway.routes.2.prefx` meets `gateway.routes.2.prefix`).
 */
function candidatePaths(schema: z.ZodType, tree: unknown, prefix: string, out: string[]): void {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(s.shape as Record<string, z.ZodType>)) {
      const path = join(prefix, key);
      out.push(path);
      candidatePaths(child, isPlainObject(tree) ? tree[key] : undefined, path, out);
    }
  } else if (s instanceof z.ZodArray && Array.isArray(tree)) {
    tree.forEach((item, i) => candidatePaths(s.element as z.ZodType, item, join(prefix, i), out));
  } else if (s instanceof z.ZodRecord && isPlainObject(tree)) {
    for (const [key, item] of Object.entries(tree)) candidatePaths(s.valueType as z.ZodType, item, join(prefix, key), out);
  }
}

function collectUnknown(schema: z.ZodType, tree: unknown, prefix: string, out: string[]): void {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject && isPlainObject(tree)) {
    const shape = s.shape as Record<string, z.ZodType>;
    for (const [key, value] of Object.entries(tree)) {
      if (Object.hasOwn(shape, key)) collectUnknown(shape[key], value, join(prefix, key), out);
      else leaves(value, join(prefix, key), out);
    }
  } else if (s instanceof z.ZodArray && Array.isArray(tree)) {
    tree.forEach((item, i) => collectUnknown(s.element as z.ZodType, item, join(prefix, i), out));
  } else if (s instanceof z.ZodRecord && isPlainObject(tree)) {
    for (const [key, item] of Object.entries(tree)) collectUnknown(s.valueType as z.ZodType, item, join(prefix, key), out);
  }
  // Anything else is a value: a wrong type there is the schema's validation error, not an unknown key.
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_v, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

function split(path: string): [parent: string, leaf: string] {
  const dot = path.lastIndexOf('.');
  return dot < 0 ? ['', path] : [path.slice(0, dot), path.slice(dot + 1)];
}

/**
 * Edit distance between dotted paths, with two shortcuts people's typos take: a key that is
 * part of a longer one beside it (`database.port` → `database.embeddedPort`, `modules.trustLoopback`)
 * costs one edit, and the right key in the wrong section (`logLevel` → `server.logLevel`) two.
 */
function keyDistance(typed: string, candidate: string): number {
  const full = editDistance(typed, candidate);
  const [typedParent, typedLeaf] = split(typed);
  const [parent, leaf] = split(candidate);
  if (typedParent === parent && leaf !== typedLeaf && leaf.includes(typedLeaf)) return Math.min(full, 1);
  if (typedParent !== parent && leaf === typedLeaf) return Math.min(full, 2);
  return full;
}

export function nearestSetting(path: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  const lower = path.toLowerCase();
  for (const candidate of candidates) {
    // Case differences cost less than other edits: `server.baseport` is surely `server.basePort`.
    const distance = keyDistance(lower, candidate.toLowerCase()) + keyDistance(path, candidate) / 100;
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** The keys of `tree` (one source's settings) that the configuration schema does not have. */
export function findUnknownSettings(tree: Tree, schema: z.ZodType = configSchema): UnknownSetting[] {
  const unknown: string[] = [];
  collectUnknown(schema, tree, '', unknown);
  if (unknown.length === 0) return [];
  const candidates: string[] = [];
  candidatePaths(schema, tree, '', candidates);
  return unknown.map((path) => ({ path, suggestion: nearestSetting(path, candidates) }));
}

/** The environment variable that sets a dotted path: server.basePort → TENANTGATE_SERVER__BASE_PORT. */
export function envName(path: string): string {
  return 'TENANTGATE_' + path.split('.').map((segment) => segment.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('__');
}
