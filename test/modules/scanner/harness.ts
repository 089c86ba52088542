/**
 * A real Scanner process part (HTTP server + queue workers) on a fresh database, called the
 * way the gateway calls it: a signed identity assertion plus the canonical tenant header.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createComponentContext } from '../../../src/host/context.ts';
import type { RunningComponent } from '../../../src/host/app.ts';
import { loadOrCreateIdentitySigningKey } from '../../../src/identity/identity-keys.ts';
import type { IdentitySigningKey } from '../../../src/identity/sign-assertion.ts';
import type { DownstreamIdentity as EnvelopeIdentity } from '../../../src/identity/types.ts';
import { signAssertion } from '../../support/identity.ts';
import { startScanner } from '../../../src/modules/scanner/component.ts';
import { createTestDatabase, type TestDatabase } from '../../support/database.ts';
import { freePort } from '../../support/ports.ts';

export const ALPHA = 'tenant-alpha';
export const BRAVO = 'tenant-bravo';
export const scannerScopes = ['scanner:read', 'scanner:write'];

export interface CallOptions {
  /** Tenant in the assertion and the canonical header (null = neither). */
  tenant?: string | null;
  identity?: Partial<EnvelopeIdentity>;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  unsigned?: boolean;
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface ScannerHarness {
  t: TestDatabase;
  scanner: RunningComponent;
  key: IdentitySigningKey;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  waitForScan(tenant: string, id: string, timeoutMs?: number): Promise<any>;
  close(): Promise<void>;
}

export async function startScannerHarness(overrides: Record<string, unknown> = {}): Promise<ScannerHarness> {
  const t = await createTestDatabase();
  const config = t.config({ 'modules.scanPollIntervalMs': 50, ...overrides });
  const ctx = await createComponentContext({ name: 'scanner', config, runtimeUrl: t.runtimeUrl, keyEncryptionKey: t.keyEncryptionKey });
  const key = await loadOrCreateIdentitySigningKey(ctx.db, t.keyEncryptionKey);
  const scanner = await startScanner(ctx, await freePort());
  const profile = ctx.profile;
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const tenant = options.tenant === undefined ? ALPHA : options.tenant;
    const headers: Record<string, string> = {};
    if (tenant !== null) headers[profile.canonicalTenantHeader] = tenant;
    if (!options.unsigned) {
      const identity: EnvelopeIdentity = { tenant, actor: 'alice', client: 'stellaops-console', scopes: scannerScopes, ...options.identity };
      headers[profile.identityHeader] = signAssertion(key, config, identity, { audience: 'scanner', method, target: path });
    }
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    Object.assign(headers, options.headers ?? {});
    const res = await fetch(scanner.url + path, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  return {
    t,
    scanner,
    key,
    call,
    waitForScan: async (tenant, id, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const res = await call('GET', `/api/v1/scans/${id}`, { tenant });
        if (res.status === 200 && (res.body.status === 'completed' || res.body.status === 'failed')) return res.body;
        if (Date.now() > deadline) throw new Error(`scan ${tenant}/${id} did not finish: ${JSON.stringify(res.body)}`);
        await sleep(50);
      }
    },
    close: async () => {
      await scanner.close();
      await t.drop();
    },
  };
}

export const digest = (seed: string) => `sha256:${Buffer.from(seed.padEnd(32, '.')).toString('hex').slice(0, 64).padEnd(64, '0')}`;

/** A CycloneDX SBOM with known vulnerable, clean and unidentifiable components. */
export function sbomFor(marker: string, extra: object[] = []) {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { type: 'container', name: `registry.example/${marker.toLowerCase()}/web` } },
    components: [
      { type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
      { type: 'library', name: 'log4j-core', version: '2.14.1', purl: 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1' },
      { type: 'library', name: 'express', version: '4.19.2', purl: 'pkg:npm/express@4.19.2' },
      { type: 'library', name: `${marker.toLowerCase()}-vendored-lib`, version: '0.1.0' },
      ...extra,
    ],
  };
}
