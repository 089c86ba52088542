/**
 * Values found by a fixed number of label strings, one `Map` level per label. The request
 * path counts with strings it already holds — catalogue names, a cached token's client and
 * tenant, fixed outcome names — and V8 keeps a string's hash once computed, so a lookup here
 * hashes nothing new and builds no key. Joining the labels into one key would build a fresh
 * string per request and hash all of it.
 */
type Level = Map<string, unknown>;

export class LabelIndex<T> {
  private root: Level = new Map();

  constructor(private readonly depth: number) {
    if (depth < 1) throw new Error('a label index needs at least one label');
  }

  /** The value for these labels (exactly `depth` of them), or undefined. */
  get(labels: readonly string[]): T | undefined {
    let level: Level | undefined = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      level = level.get(labels[i]) as Level | undefined;
      if (level === undefined) return undefined;
    }
    return level.get(labels[last]) as T | undefined;
  }

  /** The value for these labels, made by `create` the first time they are seen. */
  getOrCreate(labels: readonly string[], create: () => T): T {
    let level = this.root;
    const last = this.depth - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(labels[i]) as Level | undefined;
      if (next === undefined) level.set(labels[i], (next = new Map()));
      level = next;
    }
    let value = level.get(labels[last]) as T | undefined;
    if (value === undefined) level.set(labels[last], (value = create()));
    return value;
  }

  /** Forgets every value. */
  clear(): void {
    this.root = new Map();
  }
}
