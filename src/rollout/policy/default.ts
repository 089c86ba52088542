/**
 * The built-in policy: the seed "Multi-Tenant Same-Key Rollout and Compatibility Policy"
 * (2026-02-22) as data. Thresholds of the rollback monitors are tenantgate's defaults;
 * a deployment tunes them in its own policy file.
 */
import { signals } from '../../telemetry/signals.ts';
import { defaultProfile } from '../../contract/profile.ts';
import { policySchema, type PolicyInput, type RolloutPolicy } from './schema.ts';

export const defaultPolicyInput: PolicyInput = {
  version: 1,
  name: 'multi-tenant-same-key-rollout',
  title: 'Multi-tenant same-key rollout and compatibility policy',
  date: '2026-02-22',
  phases: [
    {
      id: 0,
      name: 'Contract and feature flags',
      window: { start: '2026-02-22', end: '2026-02-28' },
      deployOrder: [
        { description: 'publish the ADR, service impact ledger, flow sequences and acceptance matrix' },
        { description: 'introduce the feature flags the bounded compatibility paths need' },
      ],
      exitCriteria: [
        { id: 'contract-accepted', description: 'contract documents accepted by the Authority, Router, Platform, Scanner, Graph and Web owners', check: { kind: 'signoff', owners: ['Authority', 'Router', 'Platform', 'Scanner', 'Graph', 'Web'] } },
        { id: 'trackers-ready', description: 'sprint trackers 053-060 ready with test evidence plans', check: { kind: 'signoff' } },
      ],
      rollbackCriteria: [{ id: 'contract-ambiguity', description: 'contract ambiguity or unresolved cross-module naming conflicts' }],
    },
    {
      id: 1,
      name: 'Authority and router/gateway compatibility mode',
      window: { start: '2026-03-01', end: '2026-03-07' },
      deployOrder: [
        { component: 'authority', ref: '20260222.054', description: 'Authority before the router/gateway' },
        { component: 'gateway', ref: '20260222.055', description: 'router/gateway after the Authority' },
        { description: 'enable compatibility aliases while canonical header and claim behaviour stay authoritative' },
      ],
      exitCriteria: [
        { id: 'authority-then-gateway-deployed', description: 'Authority deployed before the router/gateway', check: { kind: 'deployed', components: ['authority', 'gateway'] } },
        { id: 'issuance-deterministic', description: 'token issuance resolves the selected tenant deterministically', check: { kind: 'evidence', evidenceKinds: ['authority'], afterDeployOf: ['authority'] } },
        { id: 'gateway-strips-and-rewrites', description: 'the router strips spoofed inbound headers and rewrites canonical tenant headers', check: { kind: 'evidence', evidenceKinds: ['gateway'], afterDeployOf: ['gateway'] } },
        { id: 'targeted-tests-ci', description: 'targeted Authority and router tests pass in CI', check: { kind: 'evidence', evidenceKinds: ['authority', 'gateway'], afterDeployOf: ['authority', 'gateway'] } },
      ],
      rollbackCriteria: [
        { id: 'issuance-regression', description: 'token issuance regression', monitors: ['token-issuance-failures'] },
        { id: 'mismatch-false-positives', description: 'tenant mismatch false positives on production traffic', monitors: ['tenant-mismatch-after-deploy'] },
      ],
    },
    {
      id: 2,
      name: 'Service migration: Platform, Scanner, Graph',
      window: { start: '2026-03-08', end: '2026-03-17' },
      deployOrder: [
        { component: 'platform', ref: '20260222.056', description: 'Platform' },
        { component: 'scanner', ref: '20260222.057', description: 'Scanner' },
        { component: 'graph', ref: '20260222.058', description: 'Graph' },
      ],
      exitCriteria: [
        { id: 'modules-deployed-in-order', description: 'Platform, then Scanner, then Graph deployed', check: { kind: 'deployed', components: ['platform', 'scanner', 'graph'] } },
        { id: 'resolver-consistent', description: 'tenant resolver paths and endpoint policies are consistent', check: { kind: 'evidence', evidenceKinds: ['modules'], afterDeployOf: ['platform', 'scanner', 'graph'] } },
        { id: 'cross-tenant-rejected', description: 'cross-tenant access attempts are rejected deterministically (acceptance matrix green)', check: { kind: 'evidence', evidenceKinds: ['matrix'], afterDeployOf: ['platform', 'scanner', 'graph'] } },
        { id: 'module-isolation-tests', description: 'module integration tests for tenant isolation pass', check: { kind: 'evidence', evidenceKinds: ['modules'], afterDeployOf: ['platform', 'scanner', 'graph'] } },
      ],
      rollbackCriteria: [
        { id: 'partition-mismatch', description: 'data partition mismatch', monitors: ['module-tenant-conflicts'] },
        { id: 'endpoint-policy-regression', description: 'endpoint policy regression', monitors: ['module-forbidden-answers'] },
        { id: 'unresolved-conflicts', description: 'unresolved tenant conflict errors', monitors: ['module-tenant-conflicts'] },
      ],
    },
    {
      id: 3,
      name: 'Web global selector and client unification',
      window: { start: '2026-03-18', end: '2026-03-24' },
      deployOrder: [
        { component: 'web', ref: '20260222.059', description: 'web selector and runtime state unification' },
        { ref: '20260222.060', description: 'browser tenant matrix and QA evidence' },
      ],
      exitCriteria: [
        { id: 'selector-switches-context', description: 'the global tenant selector switches tenant context across primary pages', check: { kind: 'evidence', evidenceKinds: ['web'], afterDeployOf: ['web'] } },
        { id: 'canonical-injection-with-telemetry', description: 'the canonical tenant injection path is active with legacy usage telemetry', check: { kind: 'evidence', evidenceKinds: ['telemetry-review'] } },
        { id: 'ui-evidence-complete', description: 'tier 2c UI evidence is complete', check: { kind: 'signoff' } },
      ],
      rollbackCriteria: [{ id: 'switch-regression', description: 'a tenant switch causes stale data bleed, broken navigation or unrecoverable error states' }],
    },
    {
      id: 4,
      name: 'Strict mode and legacy removal',
      window: { start: '2026-04-01' },
      earliestStart: true,
      deployOrder: [
        { description: 'disable legacy tenant header acceptance for new clients first' },
        { description: 'remove compatibility aliases from runtime clients and gateway compatibility branches' },
      ],
      exitCriteria: [
        { id: 'zero-legacy-14-days', description: 'legacy header usage telemetry stays at zero for 14 consecutive days', check: { kind: 'zero-legacy-days' } },
        { id: 'no-override-dependencies', description: 'no dependency remains on scalar-only or header-only tenant override paths', check: { kind: 'signoff' } },
      ],
      rollbackCriteria: [{ id: 'selection-outage', description: 'any tenant selection outage or blocked tenant-scoped production path', monitors: ['strict-rejections'] }],
    },
  ],
  compatibility: { legacyAliasesUntil: '2026-03-31', strictEarliest: '2026-04-01', zeroLegacyDays: 14 },
  strictRollout: { order: ['new-clients', 'all'], newClientsCutover: '2026-04-01' },
  profile: { canonicalTenantHeader: defaultProfile.canonicalTenantHeader, legacyTenantHeaders: [...defaultProfile.legacyTenantHeaders] },
  monitors: [
    {
      id: 'token-issuance-failures',
      description: 'token issuance failures today above twice the mean of the previous 7 days (and above 20)',
      signals: [signals.authorityIssuanceFailed],
      module: 'authority',
      windowDays: 1,
      threshold: 20,
      baseline: { days: 7, factor: 2 },
    },
    {
      id: 'tenant-mismatch-after-deploy',
      description: 'gateway tenant mismatch rejections since the gateway deploy above 50',
      signals: [signals.gatewayDecision],
      details: ['mismatch'],
      module: 'gateway',
      windowDays: 1,
      threshold: 50,
      sinceDeploy: true,
    },
    {
      id: 'module-tenant-conflicts',
      description: "a module's tenant conflict rejections since its deploy above 25",
      signals: [signals.moduleRejection],
      details: ['{module}:tenant_conflict', '{module}:GRAPH_VALIDATION_FAILED'],
      modules: ['platform', 'scanner', 'graph'],
      windowDays: 1,
      threshold: 25,
      sinceDeploy: true,
      autoRollback: true,
    },
    {
      id: 'module-forbidden-answers',
      description: "a module's 403 answers today above three times the mean of the previous 7 days (and above 100)",
      signals: [signals.moduleDenied],
      details: ['{module}:403'],
      modules: ['platform', 'scanner', 'graph'],
      windowDays: 1,
      threshold: 100,
      baseline: { days: 7, factor: 3 },
    },
    {
      id: 'strict-rejections',
      description: 'legacy-header rejections by strict mode today above 100 (a blocked tenant-scoped path)',
      signals: [signals.gatewayDecision],
      details: ['legacy_rejected'],
      module: 'gateway',
      windowDays: 1,
      threshold: 100,
      autoRollback: true,
    },
  ],
  revertHook: { command: ['./scripts/revert.sh', '{module}', '{build}'], timeoutMs: 120_000 },
  checklist: [
    { id: 'authority-tests', description: 'Authority token issuance and validation tests green with the selected tenant model', rule: { kind: 'evidence', evidenceKinds: ['authority'] } },
    { id: 'gateway-staging', description: 'router/gateway spoof and mismatch protections verified in staging', rule: { kind: 'evidence', evidenceKinds: ['staging'], requireCases: ['spoof', 'mismatch'] } },
    { id: 'module-isolation', description: 'Platform, Scanner and Graph tenant isolation tests green', rule: { kind: 'evidence', evidenceKinds: ['modules', 'matrix'], match: 'any' } },
    { id: 'web-matrix', description: 'web selector tests and the browser tenant matrix green on desktop and mobile', rule: { kind: 'evidence', evidenceKinds: ['web'], requireCases: ['desktop', 'mobile'] } },
    { id: 'telemetry-review', description: 'legacy header telemetry reviewed with dated cutoff evidence', rule: { kind: 'telemetry-review' } },
    { id: 'go-no-go', description: 'go/no-go decision documented by QA and the project manager', rule: { kind: 'decision' } },
  ],
};

export const defaultPolicy: RolloutPolicy = policySchema.parse(defaultPolicyInput);
