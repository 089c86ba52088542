/** The demo credentials file: random values made at first seed, mode 0600. */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface DemoCredentials {
  /** `roles` describes the holder's roles per tenant and fleet roles, for people reading the file. */
  clients: Record<string, { secret: string; roles?: string }>;
  users: Record<string, { password: string; roles?: string }>;
}

export function readDemoCredentials(file: string): DemoCredentials | null {
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as DemoCredentials;
}

export function writeDemoCredentials(file: string, credentials: DemoCredentials): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}
