/** Every flag tenantgate obeys, with its type and default (GATEWAY.md §3, ROLLOUT.md §2). */
import { z } from 'zod';
import { strictModes, type StrictMode } from '../contract/strict-mode.ts';
import { TenantgateError } from '../contract/errors.ts';

export const moduleNames = ['platform', 'scanner', 'graph'] as const;
export type ModuleName = (typeof moduleNames)[number];

export interface FlagDefinition<T = unknown> {
  schema: z.ZodType<T>;
  default: T;
  description: string;
}

function define<T>(schema: z.ZodType<T>, defaultValue: T, description: string): FlagDefinition<T> {
  return { schema, default: defaultValue, description };
}

export const flagDefinitions = {
  'gateway.legacyHeaders': define(z.boolean(), true, 'accept legacy tenant header aliases as a requested tenant (counted); off = strict for all'),
  'gateway.strictMode': define(z.enum(strictModes), 'off' as StrictMode, "reject legacy aliases: 'off', 'new-clients' (created on/after the cut-over date) or 'all'"),
  'gateway.tenantOverride': define(z.boolean(), false, 'allow a per-request tenant override within the token\'s allowed tenants'),
  'gateway.allowScopeHeader': define(z.boolean(), false, 'permit scope-override headers (offline / pre-production only)'),
  'platform.emitLegacyHeaders': define(z.boolean(), true, 'gateway also writes legacy tenant headers to Platform'),
  'scanner.emitLegacyHeaders': define(z.boolean(), true, 'gateway also writes legacy tenant headers to Scanner'),
  'graph.emitLegacyHeaders': define(z.boolean(), true, 'gateway also writes legacy tenant headers to Graph'),
  'platform.acceptLegacyHeaders': define(z.boolean(), true, 'Platform reads legacy tenant header aliases (counted)'),
  'scanner.acceptLegacyHeaders': define(z.boolean(), true, 'Scanner reads legacy tenant header aliases (counted)'),
  'graph.acceptLegacyHeaders': define(z.boolean(), true, 'Graph reads legacy tenant header aliases (counted)'),
} satisfies Record<string, FlagDefinition<any>>;

export type FlagName = keyof typeof flagDefinitions;
export type FlagValues = { [K in FlagName]: (typeof flagDefinitions)[K]['default'] };

export function isFlagName(name: string): name is FlagName {
  return Object.prototype.hasOwnProperty.call(flagDefinitions, name);
}

/** The two flags every service behind the gateway has. */
export type ServiceFlagName = `${string}.acceptLegacyHeaders` | `${string}.emitLegacyHeaders`;

/** What a service contributes to the flag catalogue: its name and its flags' initial values. */
export interface ServiceFlagSource {
  name: string;
  legacyHeaders: { accept: boolean; emit: boolean };
}

/**
 * The flags of one deployment: the built-in ones (typed, above) and the two legacy-header flags
 * of every declared service, whose defaults are the service's configured initial values.
 */
export class FlagCatalogue {
  private readonly definitions = new Map<string, FlagDefinition<any>>(Object.entries(flagDefinitions));

  constructor(services: readonly ServiceFlagSource[] = []) {
    for (const s of services) {
      this.add(`${s.name}.emitLegacyHeaders`, s.legacyHeaders.emit, `gateway also writes legacy tenant headers to ${s.name}`);
      this.add(`${s.name}.acceptLegacyHeaders`, s.legacyHeaders.accept, `${s.name} reads legacy tenant header aliases (counted)`);
    }
  }

  /** A built-in service's flag keeps its description and takes the configured initial value. */
  private add(name: string, initial: boolean, description: string): void {
    const known = this.definitions.get(name);
    this.definitions.set(name, define(z.boolean(), initial, known?.description ?? description));
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  definition(name: string): FlagDefinition<unknown> | undefined {
    return this.definitions.get(name);
  }

  get names(): string[] {
    return [...this.definitions.keys()];
  }

  entries(): [string, FlagDefinition<unknown>][] {
    return [...this.definitions.entries()];
  }

  defaults(): FlagValues & Record<string, unknown> {
    return Object.fromEntries([...this.definitions].map(([k, d]) => [k, d.default])) as FlagValues & Record<string, unknown>;
  }

  /** Throws the error a person can act on when `name` is no flag of this deployment. */
  require(name: string): FlagDefinition<unknown> {
    const def = this.definitions.get(name);
    if (!def) throw new FlagValueError(`unknown flag ${name} (known: ${this.names.join(', ')})`);
    return def;
  }
}

/** The catalogue of a deployment without declared services (and of callers that have no configuration). */
export const builtInFlags = new FlagCatalogue();

/** Parses a flag value given as text on a command line (`on`/`off`/`true`/`false`, enum names). */
export function parseFlagValue(name: string, text: string, catalogue: FlagCatalogue = builtInFlags): unknown {
  const def = catalogue.require(name);
  const lowered = text.trim().toLowerCase();
  const candidate = def.default === true || def.default === false ? (['on', 'true', '1', 'yes'].includes(lowered) ? true : ['off', 'false', '0', 'no'].includes(lowered) ? false : text) : text.trim();
  const parsed = def.schema.safeParse(candidate);
  if (!parsed.success) {
    const allowed = typeof def.default === 'boolean' ? 'on|off' : strictModes.join('|');
    throw new FlagValueError(`flag ${name}: value ${JSON.stringify(text)} is not allowed (allowed: ${allowed})`);
  }
  return parsed.data;
}

export class FlagValueError extends TenantgateError {
  constructor(message: string) {
    super('validation_failed', message);
  }
}
