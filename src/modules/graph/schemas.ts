/** JSON Schemas of the Graph API. */
export { problemSchema } from '../host.ts';

export const nodeIdSchema = { type: 'string', pattern: '^pkg-[0-9a-f]{24}$' } as const;

const nodeProperties = {
  id: { type: 'string' },
  purl: { type: 'string' },
  type: { type: 'string' },
  name: { type: 'string' },
  group: { type: 'string' },
  version: { type: 'string' },
  description: { type: 'string' },
  sbomCount: { type: 'integer' },
  firstSeenAt: { type: 'string', format: 'date-time' },
  lastSeenAt: { type: 'string', format: 'date-time' },
} as const;

export const nodeSchema = { type: 'object', required: Object.keys(nodeProperties), properties: nodeProperties } as const;

export const nodeDetailSchema = {
  type: 'object',
  required: [...Object.keys(nodeProperties), 'dependencies', 'dependents'],
  properties: { ...nodeProperties, dependencies: { type: 'integer' }, dependents: { type: 'integer' } },
} as const;

/** A CycloneDX JSON document: the fields the graph reads are checked, the rest passes through. */
export const cycloneDxSchema = {
  type: 'object',
  required: ['bomFormat', 'specVersion'],
  properties: {
    bomFormat: { type: 'string', const: 'CycloneDX' },
    specVersion: { type: 'string', pattern: '^1\\.[0-9]+$' },
    serialNumber: { type: 'string', maxLength: 200 },
    metadata: { type: 'object' },
    components: { type: 'array', maxItems: 50000, items: { type: 'object' } },
    dependencies: {
      type: 'array',
      maxItems: 50000,
      items: {
        type: 'object',
        required: ['ref'],
        properties: { ref: { type: 'string' }, dependsOn: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
} as const;

export const ingestResultSchema = {
  type: 'object',
  required: ['sbomId', 'duplicate', 'nodes', 'edges', 'skipped', 'skippedComponents'],
  properties: {
    sbomId: { type: 'string' },
    duplicate: { type: 'boolean' },
    nodes: { type: 'integer' },
    edges: { type: 'integer' },
    skipped: { type: 'integer' },
    skippedComponents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ref', 'name', 'reason'],
        properties: { ref: { type: ['string', 'null'] }, name: { type: ['string', 'null'] }, reason: { type: 'string' } },
      },
    },
  },
} as const;

export const MAX_QUERY_DEPTH = 6;
export const MAX_QUERY_NODES = 1000;

export const queryBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['kind', 'node'],
  properties: {
    kind: { type: 'string', enum: ['neighbours', 'paths'] },
    node: nodeIdSchema,
    /** paths: the node the dependency paths lead to. */
    to: nodeIdSchema,
    direction: { type: 'string', enum: ['dependencies', 'dependents', 'both'], default: 'dependencies' },
    depth: { type: 'integer', minimum: 1, maximum: MAX_QUERY_DEPTH, default: 1 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_QUERY_NODES, default: 200 },
  },
} as const;

export const queryResultSchema = {
  type: 'object',
  required: ['kind', 'node', 'depth'],
  properties: {
    kind: { type: 'string' },
    node: { type: 'string' },
    depth: { type: 'integer' },
    nodes: { type: 'array', items: { ...nodeSchema, required: [...nodeSchema.required, 'depth'], properties: { ...nodeSchema.properties, depth: { type: 'integer' } } } },
    edges: { type: 'array', items: { type: 'object', required: ['from', 'to'], properties: { from: { type: 'string' }, to: { type: 'string' } } } },
    truncated: { type: 'boolean' },
    to: { type: 'string' },
    paths: { type: 'array', items: { type: 'array', items: { type: 'string' } } },
  },
} as const;
