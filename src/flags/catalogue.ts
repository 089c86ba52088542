/** The flag catalogue of a deployment: the built-in flags and those of every service its configuration declares. */
import type { Config } from '../config/schema.ts';
import { declaredServices } from '../config/services.ts';
import { FlagCatalogue } from './definitions.ts';

export function deploymentFlags(config: Config): FlagCatalogue {
  return new FlagCatalogue(declaredServices(config));
}
