/**
 * The services in force: the built-in Platform, Scanner and Graph entries merged with
 * `services.<name>` of the configuration. The gateway routes to each, the Authority grants
 * their scopes, the flag catalogue holds their two legacy-header flags, the rollout accepts
 * their names. One list, read by every component from its configuration.
 */
import { roleTableFor, type RoleTable } from '../contract/roles.ts';
import { builtInServiceNames, builtInServices, isBuiltInService, serviceScopes, type ServiceDefinition, type ServiceRoleScopes, type ServiceRoute } from '../contract/services.ts';
import { componentUrl, type Config } from './schema.ts';
import { effectiveRoutes } from './service-schema.ts';

export interface DeclaredService extends ServiceDefinition {
  name: string;
  /** Platform, Scanner or Graph: served by tenantgate's own module (which counts its own legacy use). */
  builtIn: boolean;
  /** Origin the gateway forwards to, no trailing slash. */
  url: string;
  routes: readonly ServiceRoute[];
  /** Initial values of `<name>.acceptLegacyHeaders` and `<name>.emitLegacyHeaders`. */
  legacyHeaders: { accept: boolean; emit: boolean };
  roles?: ServiceRoleScopes;
  /** Clients whose client-credentials tokens may report this service's legacy use. */
  reportClients: readonly string[];
}

export function declaredServices(config: Config): DeclaredService[] {
  const names = [...builtInServiceNames.filter((n) => !Object.hasOwn(config.services, n)), ...Object.keys(config.services)];
  return names.map((name) => {
    const entry = config.services[name];
    const builtIn = isBuiltInService(name);
    const url = entry?.url ?? (builtIn ? componentUrl(config, name) : '');
    const roles = entry?.roles ?? (builtIn && entry?.routes === undefined ? (builtInServices[name] as ServiceDefinition).roles : undefined);
    return {
      name,
      builtIn,
      url: new URL(url).origin,
      routes: effectiveRoutes(name, entry),
      legacyHeaders: entry?.legacyHeaders ?? { accept: true, emit: true },
      ...(roles ? { roles } : {}),
      reportClients: entry?.reportClients ?? [name],
    };
  });
}

/** The services other than Platform, Scanner and Graph: their legacy use arrives by report. */
export function externalServices(config: Config): DeclaredService[] {
  return declaredServices(config).filter((s) => !s.builtIn);
}

/** The role table of this deployment: built-in grants plus every declared service's. */
export function deploymentRoleTable(config: Config): RoleTable {
  return roleTableFor(declaredServices(config));
}

/** Every scope a declared service's routes name. */
export function declaredServiceScopes(config: Config): string[] {
  return [...new Set(declaredServices(config).flatMap((s) => serviceScopes(s)))].sort();
}
