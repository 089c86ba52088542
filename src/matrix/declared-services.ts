/**
 * The declared external services the matrix probes (docs/services.md): for each, one GET
 * path of its first protected route and the scopes that path needs. The matrix's client is
 * granted those scopes, so its isolation rows reach the service through the gateway.
 */
import { externalServices } from '../config/services.ts';
import type { Config } from '../config/schema.ts';

export interface MatrixService {
  name: string;
  /** A GET path the gateway routes to the service (a protected route's prefix). */
  probe: string;
  scopes: string[];
}

export function matrixServices(config: Config): MatrixService[] {
  return externalServices(config).flatMap((s) => {
    const route = s.routes.find((r) => r.access === 'protected');
    if (!route) return [];
    return [{ name: s.name, probe: route.prefix, scopes: [...(route.methodScopes.GET ?? route.scopes)] }];
  });
}
