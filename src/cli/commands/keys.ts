import type { Command } from 'commander';
import { listSigningKeys, rotateSigningKey, type SigningAlgorithm } from '../../authority/keys/signing-keys.ts';
import { configFrom } from '../options.ts';
import { withDatabase } from '../with-database.ts';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('Authority signing keys (private keys sealed under the key-encryption key)');
  keys
    .command('list')
    .description('every signing key, current and retired, with how long it stays in the JWKS')
    .action(async (_opts, cmd: Command) => {
      await withDatabase(configFrom(cmd), async (db) => {
        for (const k of await listSigningKeys(db)) {
          const state = k.retiredAt ? `retired ${k.retiredAt}, published until ${k.publishUntil}` : 'current';
          process.stdout.write(`${k.kid}  ${k.algorithm.padEnd(5)}  created ${k.createdAt}  ${state}\n`);
        }
      });
    });
  keys
    .command('rotate')
    .description('make a new signing key current; retired keys stay in the JWKS until their tokens expired')
    .option('--algorithm <alg>', 'EdDSA or ES256 (default: authority.signingAlgorithm)')
    .action(async (opts: { algorithm?: string }, cmd: Command) => {
      const config = configFrom(cmd);
      const algorithm = (opts.algorithm ?? config.authority.signingAlgorithm) as SigningAlgorithm;
      if (algorithm !== 'EdDSA' && algorithm !== 'ES256') throw new Error(`--algorithm must be EdDSA or ES256, not ${opts.algorithm}`);
      await withDatabase(config, async (db, prepared) => {
        const result = await rotateSigningKey(db, prepared.keyEncryptionKey, algorithm, config.authority.accessTokenTtlSeconds);
        process.stdout.write(`new signing key ${result.kid} (${algorithm})${result.retired.length ? `; retired ${result.retired.join(', ')}` : ''}\n`);
        process.stdout.write(`running Authority instances switch within ${config.authority.keyRefreshMs / 1000} s\n`);
      });
    });
}
