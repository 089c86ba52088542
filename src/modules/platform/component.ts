/** The Platform component: context, preferences and topology behind the shared tenant context. */
import type { RunningComponent } from '../../host/app.ts';
import type { ComponentContext } from '../../host/context.ts';
import { startModule } from '../host.ts';
import { platformRoutes } from './routes.ts';

export async function startPlatform(ctx: ComponentContext, port?: number): Promise<RunningComponent> {
  return startModule(ctx, 'platform', platformRoutes(ctx), port);
}
