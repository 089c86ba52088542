/** JSON Schemas of the Scanner API (requests and responses). */
import { triageStatuses } from '../store/finding-store.ts';

export const imageDigest = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } as const;
export const imageName = { type: 'string', minLength: 1, maxLength: 512 } as const;
export const resourceId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
export const idParams = { type: 'object', required: ['id'], properties: { id: resourceId } } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const timestamp = { type: 'string' } as const;

/** A CycloneDX JSON document: the scanner checks the format here and reads components when scanning. */
export const cycloneDxSbom = {
  type: 'object',
  required: ['bomFormat'],
  properties: {
    bomFormat: { type: 'string', const: 'CycloneDX' },
    specVersion: { type: 'string' },
    components: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } },
  },
} as const;

export const scan = {
  type: 'object',
  required: ['id', 'imageDigest', 'imageName', 'status', 'source', 'requestedBy', 'sbomAttached', 'createdAt'],
  properties: {
    id: { type: 'string' },
    imageDigest: { type: 'string' },
    imageName: nullableString,
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    source: { type: 'string' },
    requestedBy: { type: 'string' },
    sbomAttached: { type: 'boolean' },
    componentCount: nullableInteger,
    findingCount: nullableInteger,
    unknownCount: nullableInteger,
    error: nullableString,
    createdAt: timestamp,
    startedAt: nullableString,
    completedAt: nullableString,
  },
} as const;

export const finding = {
  type: 'object',
  required: ['id', 'scanId', 'advisoryId', 'severity', 'status', 'package'],
  properties: {
    id: { type: 'string' },
    scanId: { type: 'string' },
    advisoryId: { type: 'string' },
    aliases: { type: 'array', items: { type: 'string' } },
    severity: { type: 'string' },
    summary: { type: 'string' },
    package: {
      type: 'object',
      required: ['name', 'version', 'purl'],
      properties: { name: { type: 'string' }, version: { type: 'string' }, purl: { type: 'string' } },
    },
    fixedVersion: nullableString,
    status: { type: 'string', enum: triageStatuses },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
} as const;

export const triageChange = {
  type: 'object',
  required: ['seq', 'fromStatus', 'toStatus', 'actor', 'changedAt'],
  properties: {
    seq: { type: 'integer' },
    fromStatus: nullableString,
    toStatus: { type: 'string' },
    actor: { type: 'string' },
    actorName: nullableString,
    client: nullableString,
    clientName: nullableString,
    note: nullableString,
    changedAt: timestamp,
  },
} as const;

export const findingWithHistory = {
  ...finding,
  required: [...finding.required, 'history'],
  properties: { ...finding.properties, history: { type: 'array', items: triageChange } },
} as const;

const componentEvidence = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: nullableString,
    purl: nullableString,
    type: nullableString,
    bomRef: nullableString,
    group: nullableString,
  },
} as const;

export const unknown = {
  type: 'object',
  required: ['id', 'componentName', 'reason', 'detail', 'firstScanId', 'observationCount', 'firstSeen', 'lastSeen'],
  properties: {
    id: { type: 'string' },
    componentName: { type: 'string' },
    componentVersion: nullableString,
    purl: nullableString,
    reason: { type: 'string' },
    detail: { type: 'string' },
    firstScanId: { type: 'string' },
    observationCount: { type: 'integer' },
    firstSeen: timestamp,
    lastSeen: timestamp,
  },
} as const;

export const unknownEvidence = {
  type: 'object',
  required: ['unknownId', 'reason', 'detail', 'component', 'observations'],
  properties: {
    unknownId: { type: 'string' },
    reason: { type: 'string' },
    detail: { type: 'string' },
    component: componentEvidence,
    observations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['scanId', 'imageDigest', 'observedAt', 'component'],
        properties: { scanId: { type: 'string' }, imageDigest: { type: 'string' }, observedAt: timestamp, component: componentEvidence },
      },
    },
  },
} as const;

export const unknownHistoryEvent = {
  type: 'object',
  required: ['seq', 'event', 'scanId', 'imageDigest', 'at'],
  properties: {
    seq: { type: 'integer' },
    event: { type: 'string', enum: ['first_seen', 'seen_again'] },
    scanId: { type: 'string' },
    imageDigest: { type: 'string' },
    at: timestamp,
  },
} as const;

export const webhookSource = {
  type: 'object',
  required: ['provider', 'sourceName', 'createdAt', 'createdBy'],
  properties: {
    provider: { type: 'string' },
    sourceName: { type: 'string' },
    createdAt: timestamp,
    createdBy: { type: 'string' },
    rotatedAt: nullableString,
  },
} as const;

export const provider = { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,31}$' } as const;
export const sourceName = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' } as const;
