/** Reads a policy file (YAML or JSON) and validates it; messages name the path and the rule. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Config } from '../../config/schema.ts';
import { defaultPolicy } from './default.ts';
import { policySchema, type RolloutPolicy } from './schema.ts';
import { rolloutComponents } from '../components.ts';
import { TenantgateError } from '../../contract/errors.ts';

export class PolicyError extends TenantgateError {
  constructor(message: string, code: 'policy_invalid' | 'policy_component_unknown' = 'policy_invalid') {
    super(code, message);
  }
}

export function parsePolicy(text: string, source = 'policy'): RolloutPolicy {
  let tree: unknown;
  try {
    tree = parseYaml(text);
  } catch (err) {
    throw new PolicyError(`${source}: not YAML or JSON: ${(err as Error).message}`);
  }
  const result = policySchema.safeParse(tree);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`${source}: invalid rollout policy:\n${lines.join('\n')}`);
  }
  return result.data;
}

export function readPolicyFile(file: string): RolloutPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(`cannot read policy file ${file}: ${(err as Error).message}`);
  }
  return parsePolicy(text, file);
}

/** The policy in force: `rollout.policyFile` when configured, else the built-in seed policy. */
export function loadPolicy(config: Config, cwd = process.cwd()): RolloutPolicy {
  const file = config.rollout.policyFile ? resolve(cwd, config.rollout.policyFile) : null;
  const policy = file ? readPolicyFile(file) : defaultPolicy;
  checkPolicyComponents(policy, rolloutComponents({ config }), file ?? 'policy');
  return policy;
}

/**
 * Every component the policy names — a phase's deploy steps, a `deployed` or `evidence`
 * criterion's components, a monitor's module(s) — is one this deployment has: a built-in
 * component or a service its configuration declares (`known`, src/rollout/components.ts).
 * Otherwise `policy_component_unknown`, naming each path.
 */
export function checkPolicyComponents(policy: RolloutPolicy, known: readonly string[], source: string): void {
  const lines: string[] = [];
  const check = (path: string, name: string | undefined) => {
    if (name !== undefined && !known.includes(name)) lines.push(`  ${path}: unknown component ${name} (known: ${known.join(', ')}; declare a service in services.<name>)`);
  };
  policy.phases.forEach((ph, i) => {
    ph.deployOrder.forEach((step, j) => check(`phases.${i}.deployOrder.${j}.component`, step.component));
    ph.exitCriteria.forEach((c, j) => {
      if (c.check.kind === 'deployed') c.check.components.forEach((name, k) => check(`phases.${i}.exitCriteria.${j}.check.components.${k}`, name));
      if (c.check.kind === 'evidence') c.check.afterDeployOf.forEach((name, k) => check(`phases.${i}.exitCriteria.${j}.check.afterDeployOf.${k}`, name));
    });
  });
  policy.monitors.forEach((m, i) => {
    check(`monitors.${i}.module`, m.module);
    m.modules?.forEach((name, j) => check(`monitors.${i}.modules.${j}`, name));
  });
  if (lines.length) throw new PolicyError(`${source}: invalid rollout policy (policy_component_unknown):\n${lines.join('\n')}`, 'policy_component_unknown');
}

/**
 * The configuration with the settings other components take from the policy filled in
 * (the strict-mode cut-over, the compatibility window's end and what happens then), each
 * unless set explicitly. The startup code applies it, so the gateway and the Authority read
 * configuration, never the policy document.
 */
export function withPolicyDefaults(config: Config, cwd = process.cwd()): Config {
  const r = config.rollout;
  if (r.newClientsCutover !== undefined && r.legacyAliasesUntil !== undefined && r.onWindowEnd !== undefined) return config;
  const policy = loadPolicy(config, cwd);
  return {
    ...config,
    rollout: {
      ...r,
      newClientsCutover: r.newClientsCutover ?? policy.strictRollout.newClientsCutover,
      legacyAliasesUntil: r.legacyAliasesUntil ?? policy.compatibility.legacyAliasesUntil,
      onWindowEnd: r.onWindowEnd ?? policy.legacyAliases.onWindowEnd,
    },
  };
}
