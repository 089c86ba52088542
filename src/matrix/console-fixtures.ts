/**
 * The browser tenant matrix's own synthetic identities and data on a live deployment,
 * created through the public admin and module APIs with a fleet-operator credential and
 * removed again afterwards (users, the seeding client, then the tenants).
 *
 * Two fresh tenants `cm-<run>-a` ("Console Alpha <run>") and `cm-<run>-b` hold the same ids
 * (environment `prod`, the first scan, its findings) with different records whose every
 * name carries the tenant's marker word ("Alpha" / "Bravo"); Bravo alone holds a second
 * scan. Three users sign in to the console: one assigned to both tenants (admin in Alpha,
 * viewer in Bravo), one assigned to Bravo only, and a fleet operator (viewer in Alpha).
 */
import { randomBytes } from 'node:crypto';
import { moduleScopes } from '../contract/scopes.ts';
import { scopes } from '../contract/scopes.ts';
import { GatewayClient, MatrixSetupError } from './gateway-client.ts';

export const CONSOLE_FIXTURES_FORMAT = 'tenantgate-console-matrix-fixtures/1';

export interface ConsoleTenant {
  id: string;
  /** Display name in the selector. */
  name: string;
  /** Word in every human-readable name of this tenant's records. */
  marker: 'Alpha' | 'Bravo';
  /** Environment only this tenant has, and the name of its one target. */
  ownEnvironment: { id: string; targetName: string };
  /** The first scan (the same id in both fresh tenants on a tenant-local id sequence). */
  scanId: string;
  /** Findings of the first scan: the first carries a triage note naming the marker. */
  findingIds: string[];
  /** A component of the first scan without a package URL: an unknown. */
  unknownName: string;
}

export interface ConsoleUser {
  username: string;
  password: string;
}

export interface ConsoleMatrixFixtures {
  format: typeof CONSOLE_FIXTURES_FORMAT;
  runId: string;
  gateway: string;
  a: ConsoleTenant;
  b: ConsoleTenant;
  /** A scan only Bravo holds (its id does not exist in Alpha). */
  bravoOnlyScanId: string;
  users: {
    /** Admin in Alpha (its default tenant), viewer in Bravo. */
    both: ConsoleUser;
    /** Member in Bravo only. */
    bravoOnly: ConsoleUser;
    /** Viewer in Alpha with the fleet operator role. */
    operator: ConsoleUser;
  };
  /** The client that seeded the module data (removed with the rest). */
  seedClientId: string;
}

export interface AdminCredential {
  clientId: string;
  secret: string;
}

const lib = (name: string, version: string, purl?: string) => ({ type: 'library', name, version, ...(purl ? { purl } : {}) });

function scanSbom(image: string, marker: string, components: object[]) {
  return { bomFormat: 'CycloneDX', specVersion: '1.5', metadata: { component: { type: 'container', name: image, description: `${marker} console matrix image` } }, components };
}

interface GraphPackage {
  ref: string;
  purl: string;
  name: string;
  dependsOn?: string[];
}

function graphSbom(marker: string, runId: string) {
  const m = marker.toLowerCase();
  const own: GraphPackage = { ref: 'own', purl: `pkg:npm/${m}-console-only@1.0.0`, name: `${marker} console-only client`, dependsOn: ['lodash'] };
  const packages: GraphPackage[] = [
    { ref: 'express', purl: 'pkg:npm/express@4.18.2', name: `${marker} express`, dependsOn: ['body-parser', 'cookie'] },
    { ref: 'body-parser', purl: 'pkg:npm/body-parser@1.20.1', name: `${marker} body-parser`, dependsOn: ['qs'] },
    { ref: 'cookie', purl: 'pkg:npm/cookie@0.5.0', name: `${marker} cookie` },
    { ref: 'qs', purl: 'pkg:npm/qs@6.11.0', name: `${marker} qs` },
    { ref: 'lodash', purl: 'pkg:npm/lodash@4.17.20', name: `${marker} lodash` },
    own,
  ];
  const image = `registry.example/${m}/console-${runId}`;
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { type: 'container', 'bom-ref': 'root', name: image, purl: `pkg:oci/console-${runId}?repository_url=${image}`, description: `${marker} console matrix image` } },
    components: packages.map((p) => ({ type: 'library', 'bom-ref': p.ref, name: p.name, purl: p.purl, description: `${marker} dependency` })),
    dependencies: [{ ref: 'root', dependsOn: ['express', 'lodash', 'own'] }, ...packages.filter((p) => p.dependsOn).map((p) => ({ ref: p.ref, dependsOn: p.dependsOn }))],
  };
}

const scanComponents = {
  Alpha: [
    lib('lodash', '4.17.20', 'pkg:npm/lodash@4.17.20'),
    lib('log4j-core', '2.14.1', 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1'),
    lib('express', '4.19.2', 'pkg:npm/express@4.19.2'),
    lib('Alpha Billing SDK', '3.2.0'),
    lib('rails', '7.0.4', 'pkg:gem/rails@7.0.4'),
  ],
  Bravo: [
    lib('minimist', '1.2.5', 'pkg:npm/minimist@1.2.5'),
    lib('jsonwebtoken', '8.5.1', 'pkg:npm/jsonwebtoken@8.5.1'),
    lib('openssl', '3.0.11-1~deb12u1', 'pkg:deb/debian/openssl@3.0.11-1~deb12u1?arch=amd64'),
    lib('Bravo Telemetry Agent', '0.9.4'),
  ],
};

async function waitForScan(gw: GatewayClient, token: string, id: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const scan = await gw.must('GET', `/api/v1/scans/${encodeURIComponent(id)}`, [200], { token });
    if (scan.status === 'completed') return;
    if (scan.status === 'failed') throw new MatrixSetupError(`scan ${id} failed: ${scan.error ?? 'no detail'}`);
    if (Date.now() > until) throw new MatrixSetupError(`scan ${id} still ${scan.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function digest(seed: string): string {
  return `sha256:${Buffer.from(seed.padEnd(32, '#')).toString('hex').slice(0, 64)}`;
}

async function adminToken(gw: GatewayClient, admin: AdminCredential): Promise<string> {
  return gw.token({ clientId: admin.clientId, secret: admin.secret, scope: `${scopes.tenantsWrite} ${scopes.fleetWrite}` });
}

/** Names of everything one run creates, known before anything is created (so a failed setup can be removed). */
export function consoleMatrixNames(runId: string) {
  return {
    tenants: { a: `cm-${runId}-a`, b: `cm-${runId}-b` },
    users: { both: `cm-${runId}-both`, bravoOnly: `cm-${runId}-bravo`, operator: `cm-${runId}-ops` },
    seedClientId: `cm-${runId}-seed`,
  };
}

export function newConsoleRunId(): string {
  return randomBytes(4).toString('hex');
}

export async function provisionConsoleMatrix(gateway: string, admin: AdminCredential, runId = newConsoleRunId(), tenantParameter = 'tenant'): Promise<ConsoleMatrixFixtures> {
  const gw = new GatewayClient(gateway, tenantParameter);
  const names = consoleMatrixNames(runId);
  const token = await adminToken(gw, admin);
  const tenants = { a: { id: names.tenants.a, name: `Console Alpha ${runId}` }, b: { id: names.tenants.b, name: `Console Bravo ${runId}` } };
  for (const t of [tenants.a, tenants.b]) await gw.must('POST', '/admin/tenants', [201], { token, body: { id: t.id, displayName: t.name, synthetic: true } });

  const created = await gw.must('POST', '/admin/clients', [201], {
    token,
    body: { clientId: names.seedClientId, displayName: `Console matrix seed ${runId}`, grantTypes: ['client_credentials'], scopes: moduleScopes, tenants: [tenants.a.id, tenants.b.id], synthetic: true },
  });
  const seedSecret = created?.clientSecret;
  if (typeof seedSecret !== 'string') throw new MatrixSetupError('POST /admin/clients answered without clientSecret');

  const password = () => randomBytes(18).toString('base64url');
  const users = {
    both: { username: names.users.both, password: password() },
    bravoOnly: { username: names.users.bravoOnly, password: password() },
    operator: { username: names.users.operator, password: password() },
  };
  await gw.must('POST', '/admin/users', [201], {
    token,
    body: { ...users.both, tenant: tenants.a.id, tenants: [tenants.a.id, tenants.b.id], roles: { [tenants.a.id]: 'admin', [tenants.b.id]: 'viewer' } },
  });
  await gw.must('POST', '/admin/users', [201], { token, body: { ...users.bravoOnly, tenants: [tenants.b.id], role: 'member' } });
  await gw.must('POST', '/admin/users', [201], { token, body: { ...users.operator, tenant: tenants.a.id, tenants: [tenants.a.id], role: 'viewer', fleetRoles: ['operator'] } });

  const seed = async (tenant: { id: string; name: string }, marker: 'Alpha' | 'Bravo', own: { id: string; name: string; stage: string }): Promise<ConsoleTenant & { token: string }> => {
    const m = marker.toLowerCase();
    const t = await gw.token({ clientId: names.seedClientId, secret: seedSecret, tenant: tenant.id });
    await gw.must('PUT', '/api/v1/platform/context/preferences', [200], { token: t, body: { region: `${m}-region`, stage: 'prod' } });
    await gw.must('POST', '/api/v1/platform/topology/environments', [201], {
      token: t,
      body: { id: 'prod', name: `${marker} Production`, description: `${marker} production workloads`, region: `${m}-region`, stage: 'prod' },
    });
    await gw.must('POST', '/api/v1/platform/topology/environments/prod/targets', [201], { token: t, body: { id: 'web-1', name: `${marker} web frontend`, kind: 'service', address: `https://web.${m}.example` } });
    await gw.must('POST', '/api/v1/platform/topology/environments/prod/targets', [201], { token: t, body: { id: 'cluster-1', name: `${marker} production cluster`, kind: 'cluster', address: `k8s://${m}-prod` } });
    await gw.must('POST', '/api/v1/platform/topology/environments', [201], { token: t, body: { id: own.id, name: own.name, description: `${own.name}, only in ${marker}`, region: `${m}-region`, stage: own.stage } });
    await gw.must('POST', `/api/v1/platform/topology/environments/${own.id}/targets`, [201], { token: t, body: { id: 'registry', name: `${marker} registry`, kind: 'registry', address: `registry.example/${m}` } });

    const image = `registry.example/${m}/web`;
    const scan = await gw.must('POST', '/api/v1/scans', [202], { token: t, body: { imageDigest: digest(`${runId}/${m}/web`), imageName: image, sbom: scanSbom(image, marker, scanComponents[marker]) } });
    await waitForScan(gw, t, scan.id);
    const findings = ((await gw.must('GET', `/api/v1/scans/${encodeURIComponent(scan.id)}/findings?limit=200`, [200], { token: t }))?.items ?? []).map((f: any) => String(f.id)).sort();
    if (findings.length < 2) throw new MatrixSetupError(`scan ${scan.id} in ${tenant.id} produced ${findings.length} findings; the triage page needs two`);
    await gw.must('PATCH', `/api/v1/triage/findings/${encodeURIComponent(findings[0])}`, [200], { token: t, body: { status: 'under_review', note: `${marker} AppSec is assessing exposure` } });
    await gw.must('POST', '/api/v1/graph/sboms', [200, 201], { token: t, body: graphSbom(marker, runId) });
    return {
      id: tenant.id,
      name: tenant.name,
      marker,
      ownEnvironment: { id: own.id, targetName: `${marker} registry` },
      scanId: String(scan.id),
      findingIds: findings,
      unknownName: marker === 'Alpha' ? 'Alpha Billing SDK' : 'Bravo Telemetry Agent',
      token: t,
    };
  };
  const { token: _aToken, ...a } = await seed(tenants.a, 'Alpha', { id: 'alpha-lab', name: 'Alpha Lab', stage: 'dev' });
  const { token: bToken, ...b } = await seed(tenants.b, 'Bravo', { id: 'bravo-edge', name: 'Bravo Edge', stage: 'staging' });
  const image = 'registry.example/bravo/edge-gateway';
  const extra = await gw.must('POST', '/api/v1/scans', [202], {
    token: bToken,
    body: {
      imageDigest: digest(`${runId}/bravo/edge`),
      imageName: image,
      sbom: scanSbom(image, 'Bravo', [lib('golang.org/x/net', 'v0.10.0', 'pkg:golang/golang.org/x/net@v0.10.0'), lib('glibc', '2.36-9+deb12u1', 'pkg:deb/debian/glibc@2.36-9+deb12u1'), lib('Bravo Edge Firmware', 'r17')]),
    },
  });
  await waitForScan(gw, bToken, extra.id);
  const seedA = await gw.token({ clientId: names.seedClientId, secret: seedSecret, tenant: tenants.a.id });
  const inAlpha = await gw.call('GET', `/api/v1/scans/${encodeURIComponent(extra.id)}`, { token: seedA });
  if (inAlpha.status !== 404) throw new MatrixSetupError(`scan id ${extra.id} also answers ${inAlpha.status} in ${tenants.a.id}; cannot build a Bravo-only deep link`);
  return { format: CONSOLE_FIXTURES_FORMAT, runId, gateway, a, b, bravoOnlyScanId: String(extra.id), users, seedClientId: names.seedClientId };
}

/**
 * Removes what a run created: its users, its seeding client, then its tenants (a tenant is
 * deleted once nothing is assigned to it). Missing records are fine (a setup that failed
 * half-way); anything else is reported. Module records stay in the deleted tenants' rows.
 */
export async function removeConsoleMatrix(gateway: string, admin: AdminCredential, runId: string, tenantParameter = 'tenant'): Promise<string[]> {
  const gw = new GatewayClient(gateway, tenantParameter);
  const names = consoleMatrixNames(runId);
  const token = await adminToken(gw, admin);
  const problems: string[] = [];
  const remove = async (path: string) => {
    const res = await gw.call('DELETE', path, { token });
    if (res.status !== 204 && res.status !== 404) problems.push(`DELETE ${path}: ${res.status} ${res.json?.detail ?? res.text.slice(0, 200)}`);
  };
  for (const u of Object.values(names.users)) await remove(`/admin/users/${encodeURIComponent(u)}`);
  await remove(`/admin/clients/${encodeURIComponent(names.seedClientId)}`);
  for (const t of Object.values(names.tenants)) await remove(`/admin/tenants/${encodeURIComponent(t)}`);
  return problems;
}
