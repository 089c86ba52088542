/** What the Authority's routes share: keys, the client cache, the audit writer, metrics. */
import { issuer } from '../config/schema.ts';
import { deploymentRoleTable } from '../config/services.ts';
import type { RoleTable } from '../contract/roles.ts';
import { knownScopes, type KnownScopes } from './store/known-scopes.ts';
import type { ComponentContext } from '../host/context.ts';
import { BatchedAuditWriter } from './issuance-audit.ts';
import { issuanceMetrics, type IssuanceMetrics } from './issuance-metrics.ts';
import { KeyStore } from './keys/key-store.ts';
import { ChannelListener } from '../db/listen.ts';
import { REVOCATION_CHANNEL } from '../identity/revocations.ts';
import { ClientCache } from './store/client-cache.ts';
import { purgeExpiredTokens } from './tokens/purge-expired.ts';

const PURGE_INTERVAL_MS = 60 * 60_000;

export interface AuthorityServices {
  ctx: ComponentContext;
  /** Stops the background timers (key refresh, purge of expired tokens). */
  stop(): void;
  issuer: string;
  audience: string;
  keys: KeyStore;
  clients: ClientCache;
  audit: BatchedAuditWriter;
  metrics: IssuanceMetrics;
  /** Roles → scopes of this deployment: the built-in table plus the declared services' grants. */
  roles: RoleTable;
  /** The scopes a client may hold (tenantgate's own, OpenID's, the declared services'). */
  knownScopes: KnownScopes;
}

export async function createAuthorityServices(ctx: ComponentContext): Promise<AuthorityServices> {
  const { config } = ctx;
  const keys = new KeyStore(ctx.db, ctx.keyEncryptionKey, config.authority.signingAlgorithm, config.authority.keyRefreshMs, (err) =>
    ctx.logger.warn({ err: (err as Error).message }, 'signing key refresh failed; keeping the previous keys'),
  );
  await keys.start();
  await ctx.instance.reportIdentity({ issuer: issuer(config), keyIds: () => keys.publishedKids(), signingKid: () => keys.signingKey.kid });
  const purge = setInterval(() => {
    purgeExpiredTokens(ctx.db).catch((err) => ctx.logger.warn({ err: (err as Error).message }, 'purging expired tokens failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  // A revocation is also a change of a client record another instance may have cached: drop
  // the cache, so no instance issues from the record as it was before.
  const clients = new ClientCache(ctx.db, config.authority.clientCacheMs);
  const invalidation = new ChannelListener({
    url: config.database.listenUrl ?? ctx.runtimeUrl,
    channel: REVOCATION_CHANNEL,
    applicationName: 'tenantgate-authority-revocations',
    onNotification: () => clients.invalidate(),
    onConnected: async () => clients.invalidate(),
    onError: (err) => ctx.logger.debug({ err: (err as Error).message }, 'revocation listener'),
  });
  await invalidation.start();
  return {
    stop: () => {
      keys.stop();
      clearInterval(purge);
      void invalidation.stop();
    },
    ctx,
    issuer: issuer(config),
    audience: config.authority.audience,
    keys,
    clients,
    audit: new BatchedAuditWriter(ctx.db),
    metrics: issuanceMetrics(ctx),
    roles: deploymentRoleTable(config),
    knownScopes: knownScopes(config),
  };
}
