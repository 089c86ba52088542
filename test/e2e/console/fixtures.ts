/**
 * What the browser suite runs against: the gateway and the synthetic tenants and users the
 * global setup (or `tenantgate console-matrix run`) provisioned, read from the JSON file
 * named by TENANTGATE_CONSOLE_FIXTURES.
 */
import { readFileSync } from 'node:fs';
import { CONSOLE_FIXTURES_FORMAT, type ConsoleMatrixFixtures, type ConsoleTenant } from '../../../src/matrix/console-fixtures.ts';

export type { ConsoleMatrixFixtures, ConsoleTenant };

/** Environment shared by the global setup, the suite and the CLI that starts it. */
export const consoleMatrixEnv = {
  /** The deployment to test; absent = the global setup starts a stack of its own. */
  gateway: 'TENANTGATE_CONSOLE_GATEWAY',
  /** Fixtures already provisioned by the caller (the CLI); absent = the global setup provisions and removes them. */
  fixtures: 'TENANTGATE_CONSOLE_FIXTURES',
  /** Fleet-operator client and secret for provisioning against TENANTGATE_CONSOLE_GATEWAY. */
  client: 'TENANTGATE_CONSOLE_CLIENT',
  secret: 'TENANTGATE_CONSOLE_SECRET',
  /** Where reports go (HTML report, JUnit, JSON, traces): default test-artifacts/console-matrix. */
  out: 'TENANTGATE_CONSOLE_OUT',
} as const;

let cached: ConsoleMatrixFixtures | null = null;

/** Stands in while tests are only listed (`playwright test --list` runs no global setup). */
function placeholder(): ConsoleMatrixFixtures {
  const tenant = (marker: 'Alpha' | 'Bravo'): ConsoleTenant => ({ id: `listing-${marker.toLowerCase()}`, name: marker, marker, ownEnvironment: { id: '-', targetName: '-' }, scanId: '-', findingIds: ['-', '-'], unknownName: '-' });
  const user = { username: '-', password: '-' };
  return { format: CONSOLE_FIXTURES_FORMAT, runId: '', gateway: '', a: tenant('Alpha'), b: tenant('Bravo'), bravoOnlyScanId: '-', users: { both: user, bravoOnly: user, operator: user }, seedClientId: '-' };
}

export function fixturesMissing(): string | null {
  return process.env[consoleMatrixEnv.fixtures] ? null : `${consoleMatrixEnv.fixtures} is not set: run the suite through playwright.config.ts (its global setup provisions the tenants)`;
}

export function loadFixtures(): ConsoleMatrixFixtures {
  if (cached) return cached;
  const file = process.env[consoleMatrixEnv.fixtures];
  if (!file) return placeholder();
  const doc = JSON.parse(readFileSync(file, 'utf8')) as ConsoleMatrixFixtures;
  if (doc.format !== CONSOLE_FIXTURES_FORMAT) throw new Error(`${file}: not ${CONSOLE_FIXTURES_FORMAT}`);
  cached = doc;
  return doc;
}
