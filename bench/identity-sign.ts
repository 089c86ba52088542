/**
 * What the identity assertion costs per request: the gateway's signer (one per forwarded
 * request) and a service's verification, for EdDSA and ES256, against a same-run baseline
 * of one bare node:crypto signature over the same number of bytes.
 *
 *   node --import tsx bench/identity-sign.ts [--iterations 20000]
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { exportJWK } from 'jose';
import { IdentityKeySet } from '../src/identity/key-set.ts';
import { IdentityAssertionSigner } from '../src/identity/sign-assertion.ts';
import type { IdentityAlgorithm } from '../src/identity/types.ts';
import { verifyIdentityAssertion } from '../src/identity/verify-assertion.ts';

const flag = process.argv.indexOf('--iterations');
const iterations = flag === -1 ? 20_000 : Number(process.argv[flag + 1]);
const identity = Object.freeze({ tenant: 'tenant-alpha', actor: 'scanner-bot', client: 'scanner-bot', scopes: Object.freeze(['platform:read', 'scanner:read', 'graph:read']) });
const request = { audience: 'platform', method: 'GET', target: '/api/v1/platform/context?limit=20' };

function perOp(fn: () => void, n: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - start) / n / 1000;
}

process.stdout.write(`identity assertion: ${iterations} operations each, node ${process.version}\n\n| algorithm | bare signature µs | sign assertion µs | verify assertion µs | assertion bytes |\n|---|---:|---:|---:|---:|\n`);
for (const algorithm of ['EdDSA', 'ES256'] as IdentityAlgorithm[]) {
  const { privateKey, publicKey } = algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const signer = new IdentityAssertionSigner({ kid: 'id-bench', algorithm, privateKey }, { issuer: 'http://127.0.0.1:8080', ttlSeconds: 30, tenantClaim: 'stellaops:tenant' });
  const sample = signer.sign(identity, request);
  const bytes = Buffer.from(sample.slice(0, sample.lastIndexOf('.')));
  const bare = () => (algorithm === 'ES256' ? sign('sha256', bytes, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : sign(null, bytes, privateKey));
  perOp(bare, 1000);
  perOp(() => signer.sign(identity, request), 1000);
  const bareUs = perOp(bare, iterations);
  const signUs = perOp(() => signer.sign(identity, request), iterations);
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'id-bench', alg: algorithm }] };
  const keys = new IdentityKeySet({ load: async () => jwks });
  const options = { keys, issuer: 'http://127.0.0.1:8080', audience: 'platform', method: 'GET', target: request.target, tenantClaim: 'stellaops:tenant', tenantHeader: 'tenant-alpha' };
  const verifyN = Math.min(iterations, 5_000);
  const assertions = Array.from({ length: verifyN }, () => signer.sign(identity, request));
  await verifyIdentityAssertion(assertions[0], options);
  const start = process.hrtime.bigint();
  for (const a of assertions) {
    const r = await verifyIdentityAssertion(a, options);
    if (!r.ok) throw new Error(r.code);
  }
  const verifyUs = Number(process.hrtime.bigint() - start) / verifyN / 1000;
  process.stdout.write(`| ${algorithm} | ${bareUs.toFixed(1)} | ${signUs.toFixed(1)} | ${verifyUs.toFixed(1)} | ${sample.length} |\n`);
}
