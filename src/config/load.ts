/**
 * Loads the effective configuration: defaults < tenantgate.config.json|yaml < TENANTGATE_* env
 * < CLI overrides. A bad value fails with the key, the value and what is allowed; a key that
 * names no setting fails with where it came from and the nearest setting.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema, type Config } from './schema.ts';
import { redactTree, shownValue } from './redact.ts';
import { TenantgateError } from '../contract/errors.ts';
import { envName, findUnknownSettings } from './unknown-settings.ts';

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
  /** Dotted-path settings above the environment and below `overrides`, each layer named for errors. */
  layers?: SettingsLayer[];
  /** Dotted-path overrides from CLI flags, e.g. {"server.basePort": 9000}. */
  overrides?: Record<string, unknown>;
}

export interface SettingsLayer {
  /** Where the settings come from, as an error shows it: "from <source>". */
  source: string;
  settings: Record<string, unknown>;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const tree: Tree = {};
  const unknown: string[] = [];
  const fromFile = readConfigFile(cwd, options.file);
  if (fromFile) {
    const shown = displayPath(cwd, fromFile.file);
    for (const u of findUnknownSettings(fromFile.tree)) unknown.push(`unknown setting ${u.path} in ${shown}${meant(u.suggestion)}`);
    deepMerge(tree, fromFile.tree);
  }
  for (const setting of envSettings(env)) {
    for (const u of findUnknownSettings(treeOf(setting.path, setting.value))) {
      unknown.push(`unknown setting ${u.path} from ${setting.name}${meant(u.suggestion, u.suggestion && envName(u.suggestion))}`);
    }
    setPath(tree, setting.path, setting.value);
  }
  const layers = [...(options.layers ?? []), { source: '--set', settings: options.overrides ?? {} }];
  for (const layer of layers) {
    for (const [path, value] of Object.entries(layer.settings)) {
      for (const u of findUnknownSettings(treeOf(path, value))) unknown.push(`unknown setting ${u.path} from ${layer.source}${meant(u.suggestion)}`);
      setPath(tree, path, value);
    }
  }
  if (unknown.length > 0) throw new ConfigError(unknown.join('\n'));
  return validateConfig(tree);
}

function meant(suggestion: string | null, alias?: string | null): string {
  if (!suggestion) return '';
  return `; did you mean ${suggestion}${alias ? ` (${alias})` : ''}?`;
}

function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function treeOf(path: string, value: unknown): Tree {
  const tree: Tree = {};
  setPath(tree, path, value);
  return tree;
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
    const shown = shownValue(key, value);
    return `  ${key} = ${shown}: ${issue.message}`;
  });
  return `invalid configuration:\n${lines.join('\n')}`;
}

/** The config file in force: the explicit one (which must exist), else the first default file in `cwd`, else none. */
export function findConfigFile(cwd: string, explicit?: string): string | null {
  if (explicit) {
    const file = resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
    return file;
  }
  return ['tenantgate.config.json', 'tenantgate.config.yaml', 'tenantgate.config.yml'].map((f) => resolve(cwd, f)).find((f) => existsSync(f)) ?? null;
}

function readConfigFile(cwd: string, explicit?: string): { file: string; tree: Tree } | null {
  const file = findConfigFile(cwd, explicit);
  if (!file) return null;
  const text = readFileSync(file, 'utf8');
  try {
    const parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return { file, tree: {} };
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be an object');
    return { file, tree: parsed as Tree };
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid: ${(err as Error).message}`);
  }
}

/** Top-level sections of the schema: `TENANTGATE_<SECTION>…` names a setting. */
const sections = new Set(Object.keys(configSchema.shape));

export interface EnvSetting {
  /** The variable, e.g. TENANTGATE_SERVER__BASE_PORT. */
  name: string;
  /** The dotted path it sets, e.g. server.basePort. */
  path: string;
  value: unknown;
}

/**
 * The environment variables that set configuration. TENANTGATE_SERVER__BASE_PORT=9000 →
 * server.basePort = 9000: `__` separates levels, single `_` separates words (camel-cased).
 * DATABASE_URL is honoured as database.url and TENANTGATE_MATRIX_SECRET as rollout.matrixSecret.
 * Values that parse as JSON (numbers, booleans, arrays, objects) are taken as such.
 *
 * A TENANTGATE_ variable is a setting when it has a level separator or starts with a section
 * name; others (TENANTGATE_TEST_* of the test harness, TENANTGATE_STATE_DIR of the revert hook)
 * belong to other tools and are left alone.
 */
export function envSettings(env: NodeJS.ProcessEnv): EnvSetting[] {
  const settings: EnvSetting[] = [];
  if (env.DATABASE_URL) settings.push({ name: 'DATABASE_URL', path: 'database.url', value: env.DATABASE_URL });
  if (env.TENANTGATE_MATRIX_SECRET) settings.push({ name: 'TENANTGATE_MATRIX_SECRET', path: 'rollout.matrixSecret', value: env.TENANTGATE_MATRIX_SECRET });
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('TENANTGATE_') || name === 'TENANTGATE_MATRIX_SECRET' || name.startsWith('TENANTGATE_TEST_') || raw === undefined) continue;
    const rest = name.slice('TENANTGATE_'.length);
    const path = rest.split('__').map((segment) => segment.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()));
    if (path.some((p) => p === '')) continue;
    if (!rest.includes('__') && !sections.has(path[0])) continue;
    settings.push({ name, path: path.join('.'), value: parseScalar(raw) });
  }
  return settings;
}

export function envTree(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const setting of envSettings(env)) setPath(tree, setting.path, setting.value);
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

/**
 * The effective config as a plain object with every secret replaced by "[redacted]": each
 * setting whose name marks a secret, and the password inside any URL or connection string.
 */
export function redactedConfig(config: Config): Tree {
  return redactTree(config) as Tree;
}
