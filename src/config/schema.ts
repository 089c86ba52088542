/** The one configuration schema. Every setting of every component lives here. */
import { z } from 'zod';
import { windowEndActions } from '../contract/legacy-window.ts';
import { defaultProfile } from '../contract/profile.ts';
import { isIP } from 'node:net';
import { serviceIssues, serviceSchema } from './service-schema.ts';

/** True when `entry` is an IP address or CIDR block (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

const port = z.number().int().min(1).max(65535);
const durationMs = z.number().int().min(1);

const profileSchema = z.object({
  canonicalTenantHeader: z.string().min(1).default(defaultProfile.canonicalTenantHeader),
  legacyTenantHeaders: z.array(z.string().min(1)).default(defaultProfile.legacyTenantHeaders),
  selectedTenantClaim: z.string().min(1).default(defaultProfile.selectedTenantClaim),
  allowedTenantsClaim: z.string().min(1).default(defaultProfile.allowedTenantsClaim),
  legacyTenantClaim: z.string().min(1).default(defaultProfile.legacyTenantClaim),
  tenantMetadata: z.string().min(1).default(defaultProfile.tenantMetadata),
  tenantsMetadata: z.string().min(1).default(defaultProfile.tenantsMetadata),
  tenantParameter: z.string().min(1).default(defaultProfile.tenantParameter),
  actorHeader: z.string().min(1).default(defaultProfile.actorHeader),
  clientHeader: z.string().min(1).default(defaultProfile.clientHeader),
  scopesHeader: z.string().min(1).default(defaultProfile.scopesHeader),
  projectHeader: z.string().min(1).default(defaultProfile.projectHeader),
  legacyIdentityHeaders: z.array(z.string().min(1)).default(defaultProfile.legacyIdentityHeaders),
  scopeOverrideHeaders: z.array(z.string().min(1)).default(defaultProfile.scopeOverrideHeaders),
  identityHeader: z.string().min(1).default(defaultProfile.identityHeader),
  rawClaimHeaders: z.array(z.string().min(1)).default(defaultProfile.rawClaimHeaders),
  reservedPrefixes: z.array(z.string().min(1)).default(defaultProfile.reservedPrefixes),
  consumedAuthHeaders: z.array(z.string().min(1)).default(defaultProfile.consumedAuthHeaders),
});

const routeSchema = z.object({
  prefix: z.string().startsWith('/'),
  upstream: z.enum(['authority', 'platform', 'scanner', 'graph', 'console']).or(z.string().url()),
  access: z.enum(['public', 'protected']),
  scopes: z.array(z.string()).default([]),
  /** Scopes per HTTP method, overriding `scopes` for that method. */
  methodScopes: z.record(z.string(), z.array(z.string())).default({}),
  module: z.string().optional(),
  forwardAuthorization: z.boolean().default(false),
});

const baseConfigSchema = z.object({
  profile: profileSchema.prefault({}),
  server: z
    .object({
      host: z.string().min(1).default('127.0.0.1'),
      basePort: port.default(8080),
      /** Public base URL of the gateway; defaults to http://{host}:{basePort}. */
      publicUrl: z.string().url().optional(),
      shutdownGraceMs: durationMs.default(10_000),
      /** `/readyz` answers within this long whatever its checks wait on (a hung database, a silent upstream). */
      readinessTimeoutMs: durationMs.default(2_000),
      logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      /**
       * Proxies in front of the gateway (IP addresses or CIDR blocks) whose X-Forwarded-For the
       * gateway believes. From any other peer inbound forwarding headers are dropped.
       */
      trustedProxies: z.array(z.string().refine(isAddressOrCidr, 'expected an IP address or a CIDR block such as 10.0.0.0/8')).default([]),
    })
    .prefault({}),
  database: z
    .object({
      /** Admin/owner connection. Unset = embedded PostgreSQL under `dataDir`. */
      url: z.string().optional(),
      /** Runtime connection (the non-owner role). Unset = derived from `url` with the runtime role. */
      runtimeUrl: z.string().optional(),
      /** Direct (unpooled) connection for LISTEN, the runtime role's. Unset = the runtime URL. Behind a transaction pooler it must bypass the pooler. */
      listenUrl: z.string().optional(),
      runtimePassword: z.string().optional(),
      dataDir: z.string().default('.tenantgate/pg'),
      embeddedPort: port.default(54329),
      /** Run as root, the embedded server runs as user postgres: binaries and data it cannot reach in the checkout go here. */
      embeddedRootDir: z.string().default('/var/lib/tenantgate'),
      ownerRole: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('tenantgate_owner'),
      runtimeRole: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('tenantgate_app'),
      poolMax: z.number().int().min(1).max(500).default(10),
      /** How long a request waits for a database connection before answering 503 `unavailable`. */
      connectTimeoutMs: durationMs.default(2_000),
      /** Bound on one statement (server-side; the client gives up a second later on a hung server). */
      statementTimeoutMs: durationMs.default(5_000),
    })
    .prefault({}),
  secrets: z
    .object({
      /** 32 bytes, base64url: encrypts private signing keys at rest. Generated into .tenantgate/ when unset. */
      keyEncryptionKey: z.string().optional(),
    })
    .prefault({}),
  authority: z
    .object({
      issuer: z.string().url().optional(),
      audience: z.string().min(1).default('tenantgate'),
      accessTokenTtlSeconds: z.number().int().min(30).max(86_400).default(600),
      refreshTokenTtlSeconds: z.number().int().min(60).default(30 * 86_400),
      authorizationCodeTtlSeconds: z.number().int().min(10).max(600).default(60),
      signingAlgorithm: z.enum(['EdDSA', 'ES256']).default('EdDSA'),
      /** How long an Authority instance reuses a client record it read (0 = always read). */
      clientCacheMs: z.number().int().min(0).max(60_000).default(5_000),
      /** How often an Authority instance re-reads its signing keys (picks up `tenantgate keys rotate`). */
      keyRefreshMs: z.number().int().min(100).max(600_000).default(10_000),
      rateLimit: z
        // Defaults sized above one instance's sustained issuance rate, so only abuse is throttled.
        .object({ perClientPerMinute: z.number().int().min(1).default(300_000), perIpPerMinute: z.number().int().min(1).default(600_000) })
        .prefault({}),
      /**
       * Failed sign-ins and client authentications: after `maxFailures` failures for one
       * username or client id (`maxFailuresPerAddress` from one client address) within
       * `windowSeconds`, further attempts answer 429 for `lockoutSeconds`, right password or not.
       * Shared by every Authority instance through PostgreSQL; `syncIntervalMs` bounds how soon
       * an instance sees a lockout another one imposed.
       */
      bruteForce: z
        .object({
          maxFailures: z.number().int().min(1).default(10),
          maxFailuresPerAddress: z.number().int().min(1).default(100),
          windowSeconds: z.number().int().min(1).default(900),
          lockoutSeconds: z.number().int().min(1).default(900),
          syncIntervalMs: z.number().int().min(50).max(60_000).default(1_000),
        })
        .prefault({}),
    })
    .prefault({}),
  gateway: z
    .object({
      authorityUrl: z.string().url().optional(),
      upstreams: z.record(z.string(), z.string().url()).default({}),
      routes: z.array(routeSchema).optional(),
      upstreamTimeoutMs: durationMs.default(15_000),
      clockSkewSeconds: z.number().int().min(0).max(300).default(30),
      jwksCooldownMs: durationMs.default(30_000),
      // Ready when `any` (default) or `all` of the routes' upstreams accept a connection.
      readyUpstreams: z.enum(['any', 'all']).default('any'),
      tokenCacheSize: z.number().int().min(0).default(10_000),
      /** Revocations arrive by NOTIFY at once; this poll covers a lost notification. */
      revocationPollMs: durationMs.default(1_000),
      /** Lifetime (exp − iat) of the identity assertion the gateway signs per request. */
      envelopeTtlSeconds: z.number().int().min(1).max(300).default(30),
      /**
       * Identical requests (identity, service, method, target) within one second carry the same
       * identity assertion, signed once; off: every forwarded request is signed afresh (CONTRACT.md §8).
       */
      identityAssertionReuse: z.boolean().default(true),
      /** Algorithm of identity keys the gateway creates (`tenantgate keys rotate identity` may choose another). */
      identityAlgorithm: z.enum(['EdDSA', 'ES256']).default('EdDSA'),
      /** Cache-Control max-age of /.well-known/identity-jwks.json: how long a verifier may keep it. */
      identityJwksMaxAgeSeconds: z.number().int().min(0).max(3600).default(60),
      /** How often a gateway re-reads the identity keys (switches to a rotated key, retires expired ones). */
      identityKeyRefreshMs: z.number().int().min(100).max(600_000).default(10_000),
      /**
       * How long a rotated-in identity key is published before gateways sign with it: at least
       * the verifiers' unknown-kid refetch cooldown (30 s in @tenantgate/verify) plus the key refresh.
       */
      identityKeyPublishLeadSeconds: z.number().int().min(0).max(3600).default(45),
      consoleDir: z.string().default('web/dist'),
      /**
       * Processes `tenantgate gateway` runs on its one port (a primary forking that many
       * workers). Unset: one per CPU for `tenantgate gateway`, one under `tenantgate up`.
       */
      workers: z
        .number({ error: 'expected a whole number of gateway processes, at least 1' })
        .int({ error: 'expected a whole number of gateway processes, at least 1' })
        .min(1, { error: 'expected at least 1 gateway process (1 = no workers, the gateway serves in its own process)' })
        .max(256, { error: 'expected at most 256 gateway processes' })
        .optional(),
    })
    .prefault({}),
  modules: z
    .object({
      /** Development only: trust identity headers from loopback peers without an envelope. */
      trustLoopbackWithoutEnvelope: z.boolean().default(false),
      scannerWorkers: z.number().int().min(0).max(64).default(1),
      scanJobLeaseSeconds: z.number().int().min(1).default(60),
      /** How often an idle scanner worker looks for queued scan jobs. */
      scanPollIntervalMs: durationMs.default(500),
      /** Claims of one scan job before it is given up as failed (crash loops end). */
      scanMaxAttempts: z.number().int().min(1).max(100).default(5),
      /** Testing knob: extra time a worker spends on each scan, so a crash mid-scan can be staged. */
      scanDelayMs: z.number().int().min(0).default(0),
    })
    .prefault({}),
  telemetry: z
    .object({
      flushIntervalMs: durationMs.default(2_000),
      heartbeatIntervalMs: durationMs.default(60_000),
    })
    .prefault({}),
  flags: z
    .object({ pollIntervalMs: durationMs.default(500) })
    .prefault({}),
  rollout: z
    .object({
      policyFile: z.string().optional(),
      /** POST /console/telemetry reports accepted per token subject and minute. */
      telemetryPerMinute: z.number().int().min(1).default(120),
      /** How often the Authority evaluates the rollback monitors (0 = never; `tenantgate rollout monitors --run` instead). */
      monitorIntervalMs: z.number().int().min(0).default(0),
      /**
       * First day (UTC, YYYY-MM-DD) on which a newly created client counts as "new" for strict
       * mode `new-clients`. Unset: the startup code fills it from the rollout policy in force.
       */
      newClientsCutover: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').optional(),
      /** Last day (UTC) legacy tenant header aliases are supported. Unset: filled from the rollout policy in force. */
      legacyAliasesUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').optional(),
      /** What the gateway does with a legacy alias after that day. Unset: filled from the rollout policy in force. */
      onWindowEnd: z.enum(windowEndActions).optional(),
      /** Gateway the monitors' automatic playbook re-runs the acceptance matrix against (default: the public URL). */
      matrixGateway: z.string().url().optional(),
      matrixClientId: z.string().min(1).default('tenantgate-admin'),
      /** Secret of `matrixClientId` (also TENANTGATE_MATRIX_SECRET); without it the playbook's matrix step is skipped. */
      matrixSecret: z.string().min(1).optional(),
    })
    .prefault({}),
  demo: z.object({ seed: z.boolean().default(true) }).prefault({}),
  services: z.record(z.string(), serviceSchema).default({}),
});

/** The schema with the checks across `services` entries (src/config/services.ts). */
export const configSchema = baseConfigSchema.superRefine((config, ctx) => {
  for (const issue of serviceIssues(config.services)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

export type Config = z.infer<typeof baseConfigSchema>;
export type { ServiceConfig } from './service-schema.ts';
export type RouteConfig = z.infer<typeof routeSchema>;

export const componentNames = ['gateway', 'authority', 'platform', 'scanner', 'graph'] as const;
export type ComponentName = (typeof componentNames)[number];

/** Default port of a component: gateway at basePort, then authority, platform, scanner, graph. */
export function componentPort(config: Config, component: ComponentName): number {
  return config.server.basePort + componentNames.indexOf(component);
}

export function componentUrl(config: Config, component: ComponentName): string {
  const fromConfig = config.gateway.upstreams[component];
  if (fromConfig) return fromConfig.replace(/\/$/, '');
  return `http://${urlHost(config.server.host)}:${componentPort(config, component)}`;
}

export function publicUrl(config: Config): string {
  return (config.server.publicUrl ?? `http://${urlHost(config.server.host)}:${config.server.basePort}`).replace(/\/$/, '');
}

export function issuer(config: Config): string {
  return (config.authority.issuer ?? publicUrl(config)).replace(/\/$/, '');
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
