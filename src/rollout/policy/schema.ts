/**
 * The rollout policy document (ROLLOUT.md §1): phases with windows, deploy order, exit and
 * rollback criteria as named checks; the compatibility window; strict-mode rollout; the
 * contract profile; rollback monitors; the revert hook; the readiness checklist. Every
 * date, threshold and name is data here, so a deployment changes its policy by file.
 */
import { z } from 'zod';
import { windowEndActions } from '../../contract/legacy-window.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a UTC day YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar day');
const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case name: letters, digits, . _ -');

export const evidenceKinds = ['authority', 'gateway', 'modules', 'web', 'telemetry-review', 'staging', 'matrix'] as const;
export type EvidenceKind = (typeof evidenceKinds)[number];
/** Kinds an operator imports from files (`matrix`: the runner's matrix.json or matrix.junit.xml). */
export const importableEvidenceKinds = ['authority', 'gateway', 'modules', 'web', 'telemetry-review', 'staging', 'matrix'] as const;

/** tenantgate's own components. A policy may also name every service the configuration declares. */
export const deployableComponents = ['authority', 'gateway', 'platform', 'scanner', 'graph', 'web'] as const;
/**
 * A component a phase deploys, a criterion waits for or a monitor watches: a built-in one or
 * a declared `services.<name>`. The schema checks the form; which names exist depends on the
 * configuration, so `checkPolicyComponents` (./load.ts) checks them when the policy is loaded.
 */
const component = name;

const deployStep = z.object({
  /** The component this step deploys; absent for steps that publish documents or flags. */
  component: component.optional(),
  /** The change or build reference the seed names for this step (e.g. 20260222.054). */
  ref: z.string().optional(),
  description: z.string().min(1),
});

/** How an exit criterion is decided. */
const exitCheck = z.discriminatedUnion('kind', [
  /** A person records a sign-off for this criterion; with `owners`, one per named owner role. */
  z.object({ kind: z.literal('signoff'), owners: z.array(z.string().min(1).max(64)).min(1).optional() }),
  /** Green evidence of these kinds, recorded after the latest deployment of these components. */
  z.object({
    kind: z.literal('evidence'),
    evidenceKinds: z.array(z.enum(evidenceKinds)).min(1),
    /** Every listed kind must be green (`all`) or any one of them (`any`). */
    match: z.enum(['all', 'any']).default('all'),
    afterDeployOf: z.array(component).default([]),
  }),
  /** Deployment records exist for these components, in this order. */
  z.object({ kind: z.literal('deployed'), components: z.array(component).min(1) }),
  /** The strict-mode gate (N complete days of data and zero legacy use) holds, ignoring the earliest date. */
  z.object({ kind: z.literal('zero-legacy-days') }),
]);

const exitCriterion = z.object({ id: name, description: z.string().min(1), check: exitCheck });
const rollbackCriterion = z.object({
  id: name,
  description: z.string().min(1),
  /** The monitors that watch for this criterion (ids from `monitors`). */
  monitors: z.array(name).default([]),
});

const phase = z.object({
  id: z.number().int().min(0),
  name: z.string().min(1),
  window: z.object({ start: day, end: day.optional() }),
  /** True when `window.start` is the earliest start rather than a planned date. */
  earliestStart: z.boolean().default(false),
  deployOrder: z.array(deployStep).min(1),
  exitCriteria: z.array(exitCriterion).min(1),
  rollbackCriteria: z.array(rollbackCriterion).min(1),
});

const monitor = z.object({
  id: name,
  description: z.string().min(1),
  /** Daily counter signals summed by this monitor. */
  signals: z.array(z.string().min(1)).min(1),
  /**
   * Patterns for the counter's `detail` label (any may match); `{module}` is replaced per
   * watched module, a trailing `*` matches a prefix. Absent = every detail.
   */
  details: z.array(z.string().min(1)).optional(),
  /**
   * Evaluated once per module named here (`{module}` in `detail`); absent = one evaluation for
   * `module`. A built-in component or a service the configuration declares (checked when the
   * policy is loaded with the configuration, src/rollout/policy/load.ts).
   */
  modules: z.array(component).optional(),
  /** The module a trip rolls back when `modules` is absent. */
  module: component.optional(),
  /** Window: today (partial) plus the previous `windowDays - 1` days. */
  windowDays: z.number().int().min(1).max(30).default(1),
  /** Trips when the window's total is above this. */
  threshold: z.number().min(0),
  /** Optional: also require the window total to exceed `factor` × the mean per window over the preceding `days` days. */
  baseline: z.object({ days: z.number().int().min(1).max(90), factor: z.number().min(1) }).optional(),
  /** Only counts after the watched module's latest deployment (day granularity). */
  sinceDeploy: z.boolean().default(false),
  /** Runs the rollback playbook by itself when tripped. */
  autoRollback: z.boolean().default(false),
});

const checklistItem = z.object({
  id: name,
  description: z.string().min(1),
  rule: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('evidence'), evidenceKinds: z.array(z.enum(evidenceKinds)).min(1), match: z.enum(['all', 'any']).default('all'), requireCases: z.array(z.string().min(1)).default([]) }),
    z.object({ kind: z.literal('telemetry-review') }),
    z.object({ kind: z.literal('decision') }),
  ]),
});

export const policySchema = z
  .object({
    version: z.literal(1),
    name: name,
    title: z.string().min(1),
    date: day,
    phases: z.array(phase).min(1),
    compatibility: z.object({
      /** Legacy tenant header aliases are supported through this day (inclusive). */
      legacyAliasesUntil: day,
      /** Strict mode can be enabled on or after this day. */
      strictEarliest: day,
      /** Consecutive complete UTC days of zero legacy use the strict gate requires. */
      zeroLegacyDays: z.number().int().min(1).max(365),
    }),
    legacyAliases: z
      .object({
        /**
         * What the gateway does with a legacy tenant header alias once the window
         * (`compatibility.legacyAliasesUntil`) has ended: `keep` accepting it (counted as
         * past-window use), `reject-new-clients` (clients created on/after
         * `strictRollout.newClientsCutover`), or `reject-all`.
         */
        onWindowEnd: z.enum(windowEndActions).default('keep'),
      })
      .prefault({}),
    strictRollout: z.object({
      /** The strict-mode stages in order: new clients first, then all. */
      order: z.tuple([z.literal('new-clients'), z.literal('all')]),
      /** Clients created on or after this day are "new clients". */
      newClientsCutover: day,
    }),
    profile: z.object({ canonicalTenantHeader: z.string().min(1), legacyTenantHeaders: z.array(z.string().min(1)).min(1) }),
    monitors: z.array(monitor).default([]),
    revertHook: z.object({
      /** argv (no shell); `{module}`, `{build}`, `{configVersion}`, `{incident}` are replaced. */
      command: z.array(z.string().min(1)).min(1),
      timeoutMs: z.number().int().min(100).default(120_000),
    }),
    checklist: z.array(checklistItem).min(1),
  })
  .superRefine((p, ctx) => {
    const ids = p.phases.map((ph) => ph.id);
    ids.forEach((id, i) => {
      if (id !== i) ctx.addIssue({ code: 'custom', path: ['phases', i, 'id'], message: `phases must be numbered 0.. in order; expected ${i}` });
    });
    const monitorIds = new Set(p.monitors.map((m) => m.id));
    p.phases.forEach((ph, i) => {
      if (ph.window.end && ph.window.end < ph.window.start) ctx.addIssue({ code: 'custom', path: ['phases', i, 'window'], message: 'window ends before it starts' });
      if (i > 0 && p.phases[i - 1].window.end && ph.window.start <= p.phases[i - 1].window.end!) {
        ctx.addIssue({ code: 'custom', path: ['phases', i, 'window', 'start'], message: `overlaps phase ${i - 1}` });
      }
      ph.rollbackCriteria.forEach((rc, j) =>
        rc.monitors.forEach((m, k) => {
          if (!monitorIds.has(m)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'rollbackCriteria', j, 'monitors', k], message: `unknown monitor ${m}` });
        }),
      );
      const seen = new Set<string>();
      ph.exitCriteria.forEach((c, j) => {
        if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['phases', i, 'exitCriteria', j, 'id'], message: `duplicate criterion ${c.id}` });
        seen.add(c.id);
      });
    });
    if (p.compatibility.strictEarliest <= p.compatibility.legacyAliasesUntil) {
      ctx.addIssue({ code: 'custom', path: ['compatibility', 'strictEarliest'], message: 'strict mode must start after the legacy alias window ends' });
    }
    p.monitors.forEach((m, i) => {
      if (m.details?.some((d) => d.includes('{module}')) && !m.modules) ctx.addIssue({ code: 'custom', path: ['monitors', i, 'details'], message: '{module} needs a modules list' });
      if (!m.modules && !m.module) ctx.addIssue({ code: 'custom', path: ['monitors', i], message: 'a monitor needs `module` or `modules` (what a trip rolls back)' });
    });
  });

export type RolloutPolicy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;
export type Phase = RolloutPolicy['phases'][number];
export type ExitCriterion = Phase['exitCriteria'][number];
export type Monitor = RolloutPolicy['monitors'][number];
export type ChecklistItem = RolloutPolicy['checklist'][number];
