/**
 * Keyset pagination for module lists: an opaque base64url cursor holding the sort key of the
 * last item returned, `limit` at most 200, answers shaped `{ items, nextCursor }`.
 */
import { ContractError } from '../contract/errors.ts';

export const MAX_PAGE_LIMIT = 200;
export const DEFAULT_PAGE_LIMIT = 50;

export type CursorKey = (string | number)[];

/** JSON Schema of the `limit` and `cursor` query parameters (merge into a route's querystring). */
export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT },
  cursor: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[A-Za-z0-9_-]+$' },
} as const;

export interface PageQuery {
  limit?: number;
  cursor?: string;
}

/** JSON Schema of a page of `item`. */
export function pageResponseSchema(item: Record<string, unknown>) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: item },
      nextCursor: { type: ['string', 'null'] },
    },
  } as const;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with `arity` key parts; a bad cursor is a 400. */
export function decodeCursor(cursor: string | undefined, arity: number): CursorKey | null {
  if (cursor === undefined) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const part = (k: unknown) => (typeof k === 'string' && k.length <= 512 && !k.includes('\u0000')) || (typeof k === 'number' && Number.isSafeInteger(k));
  if (!Array.isArray(key) || key.length !== arity || !key.every(part)) {
    throw new ContractError('validation_failed', 'the cursor is not one this list issued');
  }
  return key as CursorKey;
}

export function pageLimit(query: PageQuery): number {
  return Math.min(Math.max(query.limit ?? DEFAULT_PAGE_LIMIT, 1), MAX_PAGE_LIMIT);
}

/**
 * Turns `limit + 1` fetched rows into a page: the extra row only signals that more exist, and
 * the cursor carries the key of the last row handed out.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => CursorKey): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit && items.length > 0 ? encodeCursor(keyOf(items[items.length - 1])) : null;
  return { items, nextCursor };
}
