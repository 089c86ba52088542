/**
 * What the rollout can deploy, roll back and watch: tenantgate's own components and every
 * service the deployment's configuration declares (src/config/services.ts). Without a
 * configuration (a caller that has none) only the built-in components are known.
 */
import { declaredServices, externalServices } from '../config/services.ts';
import { deploymentFlags } from '../flags/catalogue.ts';
import { builtInFlags, type FlagCatalogue } from '../flags/definitions.ts';
import { RolloutInputError } from './operations/refusal.ts';
import { deployableComponents } from './policy/schema.ts';
import type { RolloutEnv } from './rollout-env.ts';

type WithConfig = Pick<RolloutEnv, 'config'>;

/** The built-in components, then the declared external services, by name. */
export function rolloutComponents(env: WithConfig): string[] {
  const declared = env.config ? externalServices(env.config).map((s) => s.name) : [];
  return [...deployableComponents, ...declared];
}

export function assertComponent(env: WithConfig, name: string): string {
  const known = rolloutComponents(env);
  if (!known.includes(name)) throw new RolloutInputError(`unknown component ${JSON.stringify(name)} (known: ${known.join(', ')})`);
  return name;
}

/** Components whose `<name>.acceptLegacyHeaders` and `<name>.emitLegacyHeaders` a rollback restores. */
export function servicesWithLegacyFlags(env: WithConfig): string[] {
  return env.config ? declaredServices(env.config).map((s) => s.name) : ['platform', 'scanner', 'graph'];
}

export function rolloutFlags(env: WithConfig): FlagCatalogue {
  return env.config ? deploymentFlags(env.config) : builtInFlags;
}

/** External services whose legacy use reaches the gateway by report: a day without one is "no data". */
export function reportingServices(env: WithConfig): string[] {
  return env.config ? externalServices(env.config).map((s) => s.name) : [];
}
