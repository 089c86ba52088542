/**
 * Provisioning for one matrix run: two fresh tenants and one client assigned to both
 * (through the public admin API), then the same ids and names in each tenant through the
 * module APIs — overlapping environment ids, identical SBOMs and image digests, one
 * webhook sourceName shared by both — plus one record only each tenant has.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GatewayClient, MatrixSetupError } from './gateway-client.ts';
import { scopes } from '../contract/scopes.ts';

export interface TenantFixture {
  tenant: string;
  /** Word in every human-readable name of this tenant's records ("Alpha" / "Bravo"). */
  marker: string;
  token: string;
  onlyEnvironment: string;
  scanId: string;
  findingId: string | null;
  unknownId: string | null;
  webhookSecret: string;
  onlyNodeId: string | null;
  onlyNodeQuery: string;
  /** A scan, finding and unknown whose ids exist in this tenant only (null for the second tenant). */
  only: { scanId: string; findingId: string | null; unknownId: string | null } | null;
}

export interface MatrixFixtures {
  runId: string;
  clientId: string;
  clientSecret: string;
  sharedEnvironment: string;
  sharedSource: { provider: string; sourceName: string };
  a: TenantFixture;
  b: TenantFixture;
}

export const MATRIX_SCOPES = ['platform:read', 'platform:write', 'scanner:read', 'scanner:write', 'graph:read', 'graph:query', 'graph:export', 'graph:write'];

function sbom(marker: string, runId: string) {
  const m = marker.toLowerCase();
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: `urn:uuid:${createHash('sha256').update(`${runId}:${m}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5')}`,
    metadata: { component: { 'bom-ref': 'app', type: 'application', name: `${marker} matrix app` } },
    components: [
      { 'bom-ref': 'lodash', type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20' },
      { 'bom-ref': 'only', type: 'library', name: `matrix-${m}-only-${runId}`, version: '1.0.0', purl: `pkg:npm/matrix-${m}-only-${runId}@1.0.0` },
      { 'bom-ref': 'mystery', type: 'library', name: `${marker} mystery blob ${runId}`, version: '0.0.1' },
    ],
    dependencies: [{ ref: 'app', dependsOn: ['lodash', 'only', 'mystery'] }],
  };
}

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

/**
 * Removes a run's client, then its tenants (a tenant still assigned cannot go). Their module
 * records stay under tenant ids nobody can get a token for any more; their counter rows stay
 * synthetic (telemetry.synthetic_identities outlives the records). Returns what it removed.
 */
export async function removeFixtures(gw: GatewayClient, admin: { clientId: string; secret: string }, runId: string): Promise<string[]> {
  const adminToken = await gw.token({ clientId: admin.clientId, secret: admin.secret, scope: `${scopes.tenantsWrite} ${scopes.fleetWrite}` });
  const removed: string[] = [];
  const clientId = `matrix-${runId}`;
  await gw.must('DELETE', `/admin/clients/${encodeURIComponent(clientId)}`, [204, 404], { token: adminToken });
  removed.push(`client ${clientId}`);
  for (const t of [`mx-${runId}-a`, `mx-${runId}-b`]) {
    await gw.must('DELETE', `/admin/tenants/${encodeURIComponent(t)}`, [204, 404], { token: adminToken });
    removed.push(`tenant ${t}`);
  }
  return removed;
}

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/** `extraScopes`: the declared services' scopes, so the run's client reaches them too. */
export async function provision(gw: GatewayClient, admin: { clientId: string; secret: string }, runId: string = newRunId(), extraScopes: string[] = []): Promise<MatrixFixtures> {
  const adminToken = await gw.token({ clientId: admin.clientId, secret: admin.secret, scope: `${scopes.tenantsWrite} ${scopes.fleetWrite}` });
  const tenants = { a: `mx-${runId}-a`, b: `mx-${runId}-b` };
  // Synthetic: the deliberate legacy and spoof rows must not count as legacy use (docs/rollout.md).
  await gw.must('POST', '/admin/tenants', [201], { token: adminToken, body: { id: tenants.a, displayName: `Matrix Alpha ${runId}`, synthetic: true } });
  await gw.must('POST', '/admin/tenants', [201], { token: adminToken, body: { id: tenants.b, displayName: `Matrix Bravo ${runId}`, synthetic: true } });
  const clientId = `matrix-${runId}`;
  const created = await gw.must('POST', '/admin/clients', [201], {
    token: adminToken,
    body: { clientId, displayName: `Acceptance matrix ${runId}`, grantTypes: ['client_credentials'], scopes: [...new Set([...MATRIX_SCOPES, ...extraScopes])], tenants: [tenants.a, tenants.b], synthetic: true },
  });
  const clientSecret = created?.clientSecret;
  if (typeof clientSecret !== 'string') throw new MatrixSetupError('POST /admin/clients answered without clientSecret');
  const sharedSource = { provider: 'github', sourceName: `matrix-${runId}` };
  const digest = `sha256:${createHash('sha256').update(`matrix-image-${runId}`).digest('hex')}`;

  const seed = async (tenant: string, marker: string): Promise<TenantFixture> => {
    const m = marker.toLowerCase();
    const token = await gw.token({ clientId, secret: clientSecret, tenant });
    await gw.must('PUT', '/api/v1/platform/context/preferences', [200], { token, body: { region: `${m}-region`, stage: marker } });
    await gw.must('POST', '/api/v1/platform/topology/environments', [201], { token, body: { id: 'prod', name: `${marker} Production`, description: `${marker} matrix environment` } });
    const onlyEnvironment = `${m}-only`;
    await gw.must('POST', '/api/v1/platform/topology/environments', [201], { token, body: { id: onlyEnvironment, name: `${marker} Only` } });
    const doc = sbom(marker, runId);
    const scan = await gw.must('POST', '/api/v1/scans', [202], { token, body: { imageDigest: digest, imageName: `registry.example/${m}/web`, sbom: doc } });
    await waitForScan(gw, token, scan.id);
    const findings = await gw.must('GET', `/api/v1/scans/${encodeURIComponent(scan.id)}/findings`, [200], { token });
    const unknowns = await gw.must('GET', `/api/v1/unknowns?scanId=${encodeURIComponent(scan.id)}`, [200], { token });
    const webhookSecret = randomBytes(24).toString('base64url');
    await gw.must('POST', '/api/v1/webhooks/sources', [200, 201], { token, body: { ...sharedSource, secret: webhookSecret } });
    await gw.must('POST', '/api/v1/graph/sboms', [200, 201], { token, body: doc });
    const onlyNodeQuery = `matrix-${m}-only-${runId}`;
    const found = await gw.must('GET', `/api/v1/graph/search?q=${encodeURIComponent(onlyNodeQuery)}`, [200], { token });
    return {
      tenant,
      marker,
      token,
      onlyEnvironment,
      scanId: scan.id,
      findingId: findings?.items?.[0]?.id ?? null,
      unknownId: unknowns?.items?.[0]?.id ?? null,
      webhookSecret,
      onlyNodeId: found?.items?.[0]?.id ?? null,
      onlyNodeQuery,
      only: null,
    };
  };
  const a = await seed(tenants.a, 'Alpha');
  const b = await seed(tenants.b, 'Bravo');
  // Ids may be tenant-local sequences that coincide; a second scan in Alpha only gives ids Bravo lacks.
  const extra = await gw.must('POST', '/api/v1/scans', [202], { token: a.token, body: { imageDigest: digest.replace(/.$/, (c) => (c === '0' ? '1' : '0')), imageName: 'registry.example/alpha/extra', sbom: sbom('Alpha', `${runId}x`) } });
  await waitForScan(gw, a.token, extra.id);
  const ids = async (token: string, path: string): Promise<string[]> => ((await gw.must('GET', path, [200], { token }))?.items ?? []).map((x: any) => String(x.id));
  const bScans = await ids(b.token, '/api/v1/scans?limit=200');
  const bFindings = await ids(b.token, '/api/v1/triage/findings?limit=200');
  const bUnknowns = await ids(b.token, '/api/v1/unknowns?limit=200');
  const aFindings = await ids(a.token, `/api/v1/scans/${encodeURIComponent(extra.id)}/findings`);
  const aUnknowns = await ids(a.token, `/api/v1/unknowns?scanId=${encodeURIComponent(extra.id)}`);
  if (bScans.includes(extra.id)) throw new MatrixSetupError(`scan id ${extra.id} exists in both tenants; cannot build an Alpha-only probe`);
  a.only = { scanId: extra.id, findingId: aFindings.find((f) => !bFindings.includes(f)) ?? null, unknownId: aUnknowns.find((u) => !bUnknowns.includes(u)) ?? null };
  return { runId, clientId, clientSecret, sharedEnvironment: 'prod', sharedSource, a, b };
}
