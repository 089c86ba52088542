/** POST /admin/rollout/* (scope rollout:write): every change the CLI can make, audited under the token's subject. */
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import { rolloutComponents, rolloutFlags } from '../components.ts';
import { setFlags } from '../../flags/store.ts';
import { advancePhase } from '../operations/advance-phase.ts';
import { decide } from '../operations/decide.ts';
import { enableStrict } from '../operations/enable-strict.ts';
import { importEvidence } from '../operations/import-evidence.ts';
import { recordDeployment } from '../operations/record-deployment.ts';
import { recordSignoff } from '../operations/record-signoff.ts';
import { setFreeze } from '../operations/set-freeze.ts';
import { runRollback } from '../playbook/run-rollback.ts';
import { importableEvidenceKinds } from '../policy/schema.ts';
import type { RolloutEnv } from '../rollout-env.ts';

const anyObject = { type: 'object', additionalProperties: true } as const;
const reason = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const person = { type: 'string', minLength: 1, maxLength: 200 } as const;
const reasonBody = { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason } } as const;

function actorOf(req: FastifyRequest): string {
  const p = req.principal!;
  return p.subject === p.clientId ? `client:${p.clientId}` : `user:${p.subject} via ${p.clientId}`;
}

export async function rolloutWriteRoutes(app: FastifyInstance, opts: { env: RolloutEnv; write: preHandlerHookHandler }): Promise<void> {
  const { env } = opts;
  const preHandler = opts.write;

  app.post<{ Body: { reason: string } }>('/admin/rollout/advance', { preHandler, schema: { body: reasonBody, response: { 200: anyObject } } }, async (req) =>
    advancePhase(env, { actor: actorOf(req), reason: req.body.reason }),
  );
  app.post<{ Body: { reason: string } }>('/admin/rollout/freeze', { preHandler, schema: { body: reasonBody, response: { 200: anyObject } } }, async (req) =>
    setFreeze(env, { actor: actorOf(req), frozen: true, reason: req.body.reason }),
  );
  app.post<{ Body: { reason: string } }>('/admin/rollout/unfreeze', { preHandler, schema: { body: reasonBody, response: { 200: anyObject } } }, async (req) =>
    setFreeze(env, { actor: actorOf(req), frozen: false, reason: req.body.reason }),
  );
  app.post<{ Body: { mode: string; reason: string; force?: boolean } }>(
    '/admin/rollout/strict',
    {
      preHandler,
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['mode', 'reason'], properties: { mode: { type: 'string', enum: ['new-clients', 'all'] }, reason, force: { type: 'boolean', default: false } } },
        response: { 200: anyObject },
      },
    },
    async (req) => enableStrict(env, { actor: actorOf(req), ...req.body }),
  );
  app.post<{ Body: { name: string; value: unknown; reason: string } }>(
    '/admin/rollout/flags',
    {
      preHandler,
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['name', 'value', 'reason'], properties: { name: { type: 'string', enum: rolloutFlags(env).names }, value: { type: ['boolean', 'string'] }, reason } },
        response: { 200: anyObject },
      },
    },
    async (req) => {
      const [change] = await setFlags(env.db, [{ name: req.body.name, value: req.body.value }], { actor: actorOf(req), reason: req.body.reason }, rolloutFlags(env));
      return change;
    },
  );
  app.post<{ Body: { component: string; buildId: string; configVersion?: string; lastKnownGood?: boolean } }>(
    '/admin/rollout/deployments',
    {
      preHandler,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['component', 'buildId'],
          properties: { component: { type: 'string', enum: rolloutComponents(env) }, buildId: { type: 'string', minLength: 1, maxLength: 128 }, configVersion: { type: 'string', maxLength: 128 }, lastKnownGood: { type: 'boolean' } },
        },
        response: { 201: anyObject },
      },
    },
    async (req, reply) => reply.code(201).send(await recordDeployment(env, { actor: actorOf(req), ...req.body })),
  );
  app.post<{ Body: { component: string; reason: string } }>(
    '/admin/rollout/rollback',
    {
      preHandler,
      schema: { body: { type: 'object', additionalProperties: false, required: ['component', 'reason'], properties: { component: { type: 'string', enum: rolloutComponents(env) }, reason } }, response: { 200: anyObject } },
    },
    async (req) => runRollback(env, { actor: actorOf(req), component: req.body.component, reason: req.body.reason }),
  );
  app.post<{ Body: { decision: string; qa: string; pm: string; note?: string; force?: boolean; forceReason?: string } }>(
    '/admin/rollout/decisions',
    {
      preHandler,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision', 'qa', 'pm'],
          properties: { decision: { type: 'string', enum: ['go', 'no-go'] }, qa: person, pm: person, note: { type: 'string', maxLength: 2000 }, force: { type: 'boolean' }, forceReason: reason },
        },
        response: { 201: anyObject },
      },
    },
    async (req, reply) => reply.code(201).send(await decide(env, { actor: actorOf(req), ...req.body })),
  );
  app.post<{ Body: { criterion: string; signedBy: string; owner?: string; note?: string } }>(
    '/admin/rollout/signoffs',
    {
      preHandler,
      schema: {
        body: { type: 'object', additionalProperties: false, required: ['criterion', 'signedBy'], properties: { criterion: { type: 'string', minLength: 1, maxLength: 64 }, signedBy: person, owner: { type: 'string', minLength: 1, maxLength: 64 }, note: { type: 'string', maxLength: 2000 } } },
        response: { 201: anyObject },
      },
    },
    async (req, reply) => reply.code(201).send(await recordSignoff(env, { actor: actorOf(req), ...req.body })),
  );
  app.post<{ Body: { kind: string; name: string; content: string } }>(
    '/admin/rollout/evidence',
    {
      preHandler,
      bodyLimit: 10 * 1024 * 1024,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'name', 'content'],
          properties: { kind: { type: 'string', enum: importableEvidenceKinds }, name: { type: 'string', minLength: 1, maxLength: 200 }, content: { type: 'string', minLength: 1 } },
        },
        response: { 201: anyObject },
      },
    },
    async (req, reply) => {
      const e = await importEvidence(env, { actor: actorOf(req), ...req.body });
      const { cases, ...rest } = e;
      return reply.code(201).send({ ...rest, caseCount: cases.length });
    },
  );
}
