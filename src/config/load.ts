/**
 * Loads the effective configuration: defaults < tenantgate.config.json|yaml < TENANTGATE_* env
 * < CLI overrides. A bad value fails with the key, the value and what is allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, secretPaths, type Config } from './schema.ts';
import { TenantgateError } from '../contract/errors.ts';

export class ConfigError extends TenantgateError {
  constructor(message: string) {
    super('config_invalid', message);
  }
}

type Tree = Record<string, unknown>;

export interface LoadOptions {
  cwd?: string;
  /** Explicit config file path (otherwise tenantgate.config.{json,yaml,yml} in cwd). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Dotted-path overrides from CLI flags, e.g. {"server.basePort": 9000}. */
  overrides?: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const tree: Tree = {};
  const fromFile = readConfigFile(cwd, options.file);
  if (fromFile) deepMerge(tree, fromFile);
  deepMerge(tree, envTree(env));
  for (const [path, value] of Object.entries(options.overrides ?? {})) setPath(tree, path, value);
  return validateConfig(tree);
}

export function validateConfig(tree: unknown): Config {
  const result = configSchema.safeParse(tree);
  if (!result.success) throw new ConfigError(formatIssues(result.error, tree));
  return result.data;
}

function formatIssues(error: z.ZodError, tree: unknown): string {
  const lines = error.issues.map((issue) => {
    const key = issue.path.join('.') || '(root)';
    const value = getPath(tree, issue.path.map(String));
    const shown = secretPaths.includes(key) ? '[redacted]' : JSON.stringify(value);
    return `  ${key} = ${shown}: ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

function readConfigFile(cwd: string, explicit?: string): Tree | null {
  const candidates = explicit ? [resolve(cwd, explicit)] : ['tenantgate.config.json', 'tenantgate.config.yaml', 'tenantgate.config.yml'].map((f) => resolve(cwd, f));
  for (const file of candidates) {
    if (!existsSync(file)) {
      if (explicit) throw new ConfigError(`config file ${file} does not exist`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    try {
      const parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
      if (parsed === null || parsed === undefined) return {};
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be an object');
      return parsed as Tree;
    } catch (err) {
      throw new ConfigError(`config file ${file} is not valid: ${(err as Error).message}`);
    }
  }
  return null;
}

/**
 * TENANTGATE_SERVER__BASE_PORT=9000 → server.basePort = 9000. `__` separates levels,
 * single `_` separates words (camel-cased). DATABASE_URL is honoured as database.url and
 * TENANTGATE_MATRIX_SECRET as rollout.matrixSecret.
 * Values that parse as JSON (numbers, booleans, arrays, objects) are taken as such.
 */
export function envTree(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  if (env.DATABASE_URL) setPath(tree, 'database.url', env.DATABASE_URL);
  if (env.TENANTGATE_MATRIX_SECRET) setPath(tree, 'rollout.matrixSecret', env.TENANTGATE_MATRIX_SECRET);
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('TENANTGATE_') || name === 'TENANTGATE_MATRIX_SECRET' || raw === undefined) continue;
    const path = name
      .slice('TENANTGATE_'.length)
      .split('__')
      .map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));
    if (path.some((p) => p === '')) continue;
    setPath(tree, path.join('.'), parseScalar(raw));
  }
  return tree;
}

export function parseScalar(raw: string): unknown {
  const trimmed = raw.trim();
  if (/^(true|false|null|-?\d+(\.\d+)?)$/.test(trimmed) || /^[[{"]/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Tree = tree;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null || Array.isArray(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]] = value;
}

function getPath(tree: unknown, parts: string[]): unknown {
  let node = tree;
  for (const part of parts) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Tree)[part];
  }
  return node;
}

function deepMerge(target: Tree, source: Tree): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else target[key] = isPlainObject(value) ? structuredClone(value) : value;
  }
}

function isPlainObject(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The effective config as a plain object with every secret replaced by "[redacted]". */
export function redactedConfig(config: Config): Tree {
  const copy = structuredClone(config) as unknown as Tree;
  for (const path of secretPaths) {
    if (getPath(copy, path.split('.')) !== undefined) setPath(copy, path, '[redacted]');
  }
  return copy;
}
