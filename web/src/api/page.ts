/** Module lists answer `{ items, nextCursor }` (keyset pagination). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
