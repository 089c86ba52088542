/**
 * Whether the gateway can reach the upstreams its routes forward to: a TCP connect to each
 * distinct origin, bounded by a timeout. Results are reused for a short while so frequent
 * readiness probes from several load balancers do not multiply connections.
 */
import { connect } from 'node:net';

export interface UpstreamState {
  origin: string;
  reachable: boolean;
  error?: string;
}

function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function probe(origin: string, timeoutMs: number): Promise<UpstreamState> {
  const url = new URL(origin);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port: portOf(url) });
    const done = (state: UpstreamState) => {
      socket.destroy();
      resolve(state);
    };
    socket.setTimeout(timeoutMs, () => done({ origin, reachable: false, error: `no connection within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ origin, reachable: true }));
    socket.once('error', (err: NodeJS.ErrnoException) => done({ origin, reachable: false, error: err.code ?? err.message }));
  });
}

export class UpstreamProbe {
  private last: { at: number; states: UpstreamState[] } | null = null;
  private inflight: Promise<UpstreamState[]> | null = null;
  private readonly origins: string[];

  constructor(
    origins: Iterable<string>,
    private readonly reuseMs = 1_000,
  ) {
    this.origins = [...new Set(origins)].sort();
  }

  check(timeoutMs: number): Promise<UpstreamState[]> {
    if (this.last && Date.now() - this.last.at < this.reuseMs) return Promise.resolve(this.last.states);
    this.inflight ??= Promise.all(this.origins.map((o) => probe(o, timeoutMs))).then(
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
