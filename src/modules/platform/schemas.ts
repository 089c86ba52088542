/** JSON Schemas of the Platform API (request and response bodies, shared by its routes). */

export const tenantLocalId = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{0,63}$' } as const;
const shortText = (max: number) => ({ type: 'string', maxLength: max }) as const;
const nullableText = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;

export const timeWindows = ['1h', '24h', '7d', '30d', '90d'] as const;

export const contextSchema = {
  type: 'object',
  required: ['tenant', 'actor', 'client', 'scopes'],
  properties: {
    tenant: { type: 'string' },
    actor: { type: 'string' },
    actorName: { type: ['string', 'null'] },
    client: { type: ['string', 'null'] },
    clientName: { type: ['string', 'null'] },
    scopes: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const preferencesBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    region: nullableText(64),
    environment: { anyOf: [tenantLocalId, { type: 'null' }] },
    timeWindow: { anyOf: [{ type: 'string', enum: timeWindows }, { type: 'null' }] },
    stage: nullableText(64),
  },
} as const;

export const preferencesSchema = {
  type: 'object',
  required: ['tenant', 'subject', 'region', 'environment', 'timeWindow', 'stage', 'updatedAt'],
  properties: {
    tenant: { type: 'string' },
    subject: { type: 'string' },
    region: { type: ['string', 'null'] },
    environment: { type: ['string', 'null'] },
    timeWindow: { type: ['string', 'null'] },
    stage: { type: ['string', 'null'] },
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const environmentCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name'],
  properties: {
    id: tenantLocalId,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: shortText(2000),
    region: nullableText(64),
    stage: nullableText(64),
  },
} as const;

export const environmentUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    description: shortText(2000),
    region: nullableText(64),
    stage: nullableText(64),
  },
} as const;

export const environmentSchema = {
  type: 'object',
  required: ['id', 'name', 'description', 'region', 'stage', 'targetCount', 'createdBy', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    region: { type: ['string', 'null'] },
    stage: { type: ['string', 'null'] },
    targetCount: { type: 'integer' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const targetKinds = ['host', 'cluster', 'service', 'registry'] as const;

export const targetCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'kind'],
  properties: {
    id: tenantLocalId,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: targetKinds },
    address: shortText(500),
  },
} as const;

export const targetUpdateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'kind'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    kind: { type: 'string', enum: targetKinds },
    address: shortText(500),
  },
} as const;

export const targetSchema = {
  type: 'object',
  required: ['id', 'environmentId', 'name', 'kind', 'address', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string' },
    environmentId: { type: 'string' },
    name: { type: 'string' },
    kind: { type: 'string' },
    address: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const environmentParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: tenantLocalId },
} as const;

export const targetParams = {
  type: 'object',
  required: ['id', 'targetId'],
  additionalProperties: false,
  properties: { id: tenantLocalId, targetId: tenantLocalId },
} as const;

export { problemSchema } from '../host.ts';
