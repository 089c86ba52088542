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
  constructor(message: string) {
    super('policy_invalid', message);
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
  checkMonitoredComponents(policy, rolloutComponents({ config }), file ?? 'policy');
  return policy;
}

/** A monitor watches a component this deployment has: a built-in one or a declared service. */
function checkMonitoredComponents(policy: RolloutPolicy, known: readonly string[], source: string): void {
  const lines: string[] = [];
  policy.monitors.forEach((m, i) => {
    if (m.module !== undefined && !known.includes(m.module)) lines.push(`  monitors.${i}.module: unknown component ${m.module} (known: ${known.join(', ')})`);
    m.modules?.forEach((name, j) => {
      if (!known.includes(name)) lines.push(`  monitors.${i}.modules.${j}: unknown component ${name} (known: ${known.join(', ')})`);
    });
  });
  if (lines.length) throw new PolicyError(`${source}: invalid rollout policy:\n${lines.join('\n')}`);
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
