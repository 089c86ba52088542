import type { Command } from 'commander';
import { listSigningKeys, rotateSigningKey, type SigningAlgorithm } from '../../authority/keys/signing-keys.ts';
import type { Config } from '../../config/schema.ts';
import { identityKeyOverlapSeconds, listIdentityKeys, retireExpiredIdentityKeys, rotateIdentityKey } from '../../identity/identity-keys.ts';
import { configFrom } from '../options.ts';
import { withDatabase } from '../with-database.ts';

type KeySetName = 'authority' | 'id-token' | 'identity';

function keySet(which: string | undefined): KeySetName {
  if (which === undefined || which === 'authority') return 'authority';
  if (which === 'identity' || which === 'id-token') return which;
  throw new Error(`the key set must be authority (token signing keys), id-token (the Authority's RS256 ID-token key) or identity (the gateway's identity assertion keys), not ${which}`);
}

function algorithmOf(value: string | undefined, fallback: string): SigningAlgorithm {
  const algorithm = value ?? fallback;
  if (algorithm !== 'EdDSA' && algorithm !== 'ES256') throw new Error(`--algorithm must be EdDSA or ES256, not ${value}`);
  return algorithm;
}

/** How long a replaced identity key keeps verifying (see identityKeyOverlapSeconds). */
function identityOverlap(config: Config): number {
  return identityKeyOverlapSeconds({
    ttlSeconds: config.gateway.envelopeTtlSeconds,
    jwksMaxAgeSeconds: config.gateway.identityJwksMaxAgeSeconds,
    keyRefreshMs: config.gateway.identityKeyRefreshMs,
  });
}

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('signing keys: the Authority\'s token keys (default) or the gateway\'s identity assertion keys (`identity`); private keys sealed under the key-encryption key');
  keys
    .command('list [set]')
    .description('every key of the set (authority | id-token | identity) with its state')
    .action(async (which: string | undefined, _opts, cmd: Command) => {
      const set = keySet(which);
      await withDatabase(configFrom(cmd), async (db) => {
        if (set === 'identity') {
          await retireExpiredIdentityKeys(db);
          for (const k of await listIdentityKeys(db)) {
            const state =
              k.state === 'active'
                ? 'active'
                : k.state === 'published'
                  ? `published, signs from ${k.signsFrom.toISOString()}`
                  : k.state === 'verifying'
                    ? `verifying-only until ${k.verifyUntil!.toISOString()}`
                    : `retired ${k.retiredAt!.toISOString()}`;
            process.stdout.write(`${k.kid}  ${k.algorithm.padEnd(5)}  created ${k.createdAt.toISOString()}  ${state}\n`);
          }
          return;
        }
        for (const k of await listSigningKeys(db)) {
          if ((set === 'id-token') !== (k.purpose === 'id_token')) continue;
          const state = k.retiredAt ? `retired ${k.retiredAt}, published until ${k.publishUntil}` : 'current';
          process.stdout.write(`${k.kid}  ${k.algorithm.padEnd(5)}  created ${k.createdAt}  ${state}\n`);
        }
      });
    });
  keys
    .command('rotate [set]')
    .description('add a new key to the set (authority | id-token | identity); the previous one keeps verifying for an overlap, then is retired')
    .option('--algorithm <alg>', 'EdDSA or ES256 (default: authority.signingAlgorithm, or gateway.identityAlgorithm for identity)')
    .action(async (which: string | undefined, opts: { algorithm?: string }, cmd: Command) => {
      const set = keySet(which);
      const config = configFrom(cmd);
      if (set === 'identity') {
        const algorithm = algorithmOf(opts.algorithm, config.gateway.identityAlgorithm);
        const overlap = identityOverlap(config);
        await withDatabase(config, async (db, prepared) => {
          const lead = config.gateway.identityKeyPublishLeadSeconds;
          const r = await rotateIdentityKey(db, prepared.keyEncryptionKey, algorithm, overlap, lead);
          process.stdout.write(`new identity key ${r.kid} (${algorithm}), published within ${config.gateway.identityKeyRefreshMs / 1000} s\n`);
          process.stdout.write(`running gateways sign with it from ${r.signsFrom.toISOString()} (publish lead ${lead} s), within ${config.gateway.identityKeyRefreshMs / 1000} s after\n`);
          if (r.replaced.length) process.stdout.write(`verifying-only until ${r.verifyUntil.toISOString()} (${lead} s lead + ${overlap} s overlap): ${r.replaced.join(', ')}\n`);
          if (r.retired.length) process.stdout.write(`retired: ${r.retired.join(', ')}\n`);
        });
        return;
      }
      if (set === 'id-token') {
        if (opts.algorithm !== undefined && opts.algorithm !== 'RS256') throw new Error(`the id-token key is RS256, not ${opts.algorithm}`);
        await withDatabase(config, async (db, prepared) => {
          const result = await rotateSigningKey(db, prepared.keyEncryptionKey, 'RS256', config.authority.accessTokenTtlSeconds);
          process.stdout.write(`new ID-token key ${result.kid} (RS256)${result.retired.length ? `; retired ${result.retired.join(', ')}` : ''}\n`);
          process.stdout.write(`running Authority instances switch within ${config.authority.keyRefreshMs / 1000} s\n`);
        });
        return;
      }
      const algorithm = algorithmOf(opts.algorithm, config.authority.signingAlgorithm);
      await withDatabase(config, async (db, prepared) => {
        const result = await rotateSigningKey(db, prepared.keyEncryptionKey, algorithm, config.authority.accessTokenTtlSeconds);
        process.stdout.write(`new signing key ${result.kid} (${algorithm})${result.retired.length ? `; retired ${result.retired.join(', ')}` : ''}\n`);
        process.stdout.write(`running Authority instances switch within ${config.authority.keyRefreshMs / 1000} s\n`);
      });
    });
}
