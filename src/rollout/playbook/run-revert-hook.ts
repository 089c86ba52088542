/** Runs the policy's revert hook: an argv template (no shell) with {module} {build} {configVersion} {incident}. */
import { execFile } from 'node:child_process';

export interface HookRun {
  argv: string[];
  exitCode: number | null;
  stdout: string;
  stderr: string;
  error: string | null;
}

export function expandHookCommand(template: readonly string[], values: Record<string, string>): string[] {
  return template.map((part) => part.replace(/\{(module|build|configVersion|incident)\}/g, (_m, key: string) => values[key] ?? ''));
}

const clip = (s: string) => (s.length > 4000 ? s.slice(0, 4000) + '…' : s);

export function runRevertHook(argv: string[], options: { cwd?: string; timeoutMs: number }): Promise<HookRun> {
  return new Promise((resolve) => {
    execFile(argv[0], argv.slice(1), { cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as any).code === 'number' ? (err as any).code : null) : 0;
      resolve({ argv, exitCode: code, stdout: clip(String(stdout)), stderr: clip(String(stderr)), error: err ? err.message : null });
    });
  });
}
