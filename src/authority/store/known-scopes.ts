/**
 * The scopes a client may hold: tenantgate's own, the OpenID ones and every scope a declared
 * service's routes name (src/config/services.ts). Anything else is refused when a client is
 * written, so a typo cannot become a scope nobody enforces.
 */
import type { Config } from '../../config/schema.ts';
import { declaredServiceScopes } from '../../config/services.ts';
import { builtInServices, serviceScopes } from '../../contract/services.ts';
import { scopes } from '../../contract/scopes.ts';
import { ContractError } from '../../contract/errors.ts';
import { openIdScopes } from '../grants/token-scope.ts';

export type KnownScopes = ReadonlySet<string>;

export function knownScopes(config?: Config): KnownScopes {
  const services = config ? declaredServiceScopes(config) : Object.values(builtInServices).flatMap((s) => serviceScopes(s));
  return new Set([...Object.values(scopes), ...openIdScopes, ...services]);
}

export function assertKnownScopes(list: readonly string[], known: KnownScopes): void {
  const unknown = list.filter((s) => !known.has(s));
  if (unknown.length) throw new ContractError('validation_failed', `unknown scope(s): ${unknown.join(', ')} (a scope is tenantgate's own, OpenID's, or named by a route of a service in services.<name>)`);
}
