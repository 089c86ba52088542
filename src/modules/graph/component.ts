/** The Graph component: SBOM ingest, nodes, traversal queries, search and export per tenant. */
import type { RunningComponent } from '../../host/app.ts';
import type { ComponentContext } from '../../host/context.ts';
import { startModule } from '../host.ts';
import { graphRoutes } from './routes.ts';

/** CycloneDX documents of large images run to several megabytes. */
const GRAPH_BODY_LIMIT = 20 * 1024 * 1024;

export async function startGraph(ctx: ComponentContext, port?: number): Promise<RunningComponent> {
  return startModule(ctx, 'graph', graphRoutes(ctx), port, { bodyLimit: GRAPH_BODY_LIMIT });
}
