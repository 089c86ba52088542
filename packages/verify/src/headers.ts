/**
 * Header reading for the shapes services hold: node's `IncomingHttpHeaders` (lower-case keys,
 * repeats as arrays or joined by node with ", "), a fetch `Headers`, or any plain record.
 */

export type HeaderBag =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Every value the header has; an empty list when it is absent. */
export function headerValues(headers: HeaderBag, name: string): string[] {
  const lower = name.toLowerCase();
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null }).get(lower);
    return value === null ? [] : [value];
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const found: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    if (typeof value === 'string') found.push(value);
    else found.push(...value);
  }
  return found;
}
