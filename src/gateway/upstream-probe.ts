/**
 * Whether the gateway can reach the upstreams its routes forward to: a TCP connect to each
 * distinct origin, bounded by a timeout. Results are reused for a short while so frequent
 * readiness probes from several load balancers do not multiply connections.
 */
import { connect } from 'node:net';

export interface UpstreamState {
  /** The upstream's public name(s) — readiness answers on the public port, so no internal address. */
  name: string;
  origin: string;
  reachable: boolean;
  error?: string;
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function probe(name: string, origin: string, timeoutMs: number): Promise<UpstreamState> {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port: portOf(url) });
    const done = (state: UpstreamState) => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(timeoutMs, () => done({ name, origin, reachable: false, error: `no connection within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ name, origin, reachable: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ name, origin, reachable: false, error: err.code ?? err.message }));
  });
}

export class UpstreamProbe {
  private last: { at: number; states: UpstreamState[] } | null = null;
  private inflight: Promise<UpstreamState[]> | null = null;
  private readonly targets: { name: string; origin: string }[];

  constructor(
    upstreams: Iterable<{ name: string; origin: string }>,
    private readonly reuseMs = 1_000,
  ) {
    const names = new Map<string, Set<string>>();
    for (const u of upstreams) (names.get(u.origin) ?? names.set(u.origin, new Set()).get(u.origin)!).add(u.name);
    this.targets = [...names].map(([origin, n]) => ({ origin, name: [...n].sort().join('+') })).sort((a, b) => a.name.localeCompare(b.name));
  }

  check(timeoutMs: number): Promise<UpstreamState[]> {
    if (this.last && Date.now() - this.last.at < this.reuseMs) return Promise.resolve(this.last.states);
    this.inflight ??= Promise.all(this.targets.map((t) => probe(t.name, t.origin, timeoutMs))).then(
      (states) => {
        this.last = { at: Date.now(), states };
        this.inflight = null;
        return states;
      },
      (err) => {
        this.inflight = null;
        throw err;
      },
    );
    return this.inflight;
  }
}
