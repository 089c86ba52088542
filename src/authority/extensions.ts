/**
 * Mounts the route plugins the startup code hands the Authority (src/components.ts names
 * them), in order, behind the Authority's bearer authentication.
 */
import type { FastifyInstance } from 'fastify';
import type { ExtensionOptions, NamedExtension } from '../host/extension.ts';

export async function mountExtensions(app: FastifyInstance, extensions: readonly NamedExtension[], options: ExtensionOptions): Promise<void> {
  for (const extension of extensions) await app.register(extension.plugin, options);
}
