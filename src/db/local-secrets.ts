/**
 * Secrets the embedded default needs and nobody configured: generated once, kept in
 * `.tenantgate/secrets.json` (mode 0600) so restarts reuse them.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface LocalSecrets {
  adminPassword: string;
  runtimePassword: string;
  keyEncryptionKey: string;
}

export function localSecretsPath(stateDir: string): string {
  return resolve(stateDir, 'secrets.json');
}

export function loadOrCreateLocalSecrets(stateDir: string): LocalSecrets {
  const file = localSecretsPath(stateDir);
  const existing: Partial<LocalSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const secrets: LocalSecrets = {
    adminPassword: existing.adminPassword ?? randomBytes(24).toString('base64url'),
    runtimePassword: existing.runtimePassword ?? randomBytes(24).toString('base64url'),
    keyEncryptionKey: existing.keyEncryptionKey ?? randomBytes(32).toString('base64url'),
  };
  if (JSON.stringify(existing) !== JSON.stringify(secrets)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return secrets;
}
