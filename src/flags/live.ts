/**
 * A live flag snapshot per process: LISTEN/NOTIFY delivers changes at once; a poll of the
 * global version every `pollIntervalMs` covers a dropped notification connection. Each
 * applied version is reported to telemetry.instances.
 */
import { ChannelListener } from '../db/listen.ts';
import { FLAG_CHANNEL, currentFlagVersion, readFlagSnapshot, type FlagSnapshot } from './store.ts';
import { builtInFlags, type FlagCatalogue, type FlagName, type FlagValues } from './definitions.ts';
import type { Queryable } from '../db/database.ts';

export interface LiveFlagsOptions {
  db: Queryable;
  /** Connection string for the dedicated LISTEN connection. */
  listenUrl: string;
  pollIntervalMs?: number;
  onVersion?: (version: number) => void | Promise<void>;
  onError?: (err: unknown) => void;
  /** The flags of this deployment (declared services add theirs); default: the built-in ones. */
  catalogue?: FlagCatalogue;
}

export class LiveFlags {
  private snapshot: FlagSnapshot;
  private listener: ChannelListener | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private refreshing: Promise<void> | null = null;

  readonly catalogue: FlagCatalogue;

  constructor(private readonly options: LiveFlagsOptions) {
    this.catalogue = options.catalogue ?? builtInFlags;
    this.snapshot = { version: 0, values: this.catalogue.defaults() };
  }

  get version(): number {
    return this.snapshot.version;
  }

  get values(): Readonly<FlagValues> {
    return this.snapshot.values;
  }

  get<K extends FlagName>(name: K): FlagValues[K] {
    return this.snapshot.values[name];
  }

  /** A flag named at run time (a declared service's); undefined when the catalogue has no such flag. */
  value(name: string): unknown {
    return this.snapshot.values[name];
  }

  async start(): Promise<void> {
    await this.refresh();
    await this.connectListener();
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollIntervalMs ?? 500);
    this.pollTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    const l = this.listener;
    this.listener = null;
    await l?.stop();
  }

  /** Re-reads the whole snapshot (coalesces concurrent calls). */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      try {
        const next = await readFlagSnapshot(this.options.db, this.catalogue);
        if (next.version !== this.snapshot.version || this.snapshot.version === 0) {
          this.snapshot = next;
          await this.options.onVersion?.(next.version);
        }
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private async poll(): Promise<void> {
    try {
      const version = await currentFlagVersion(this.options.db);
      if (version !== this.snapshot.version) await this.refresh();
    } catch (err) {
      this.options.onError?.(err);
    }
  }

  private async connectListener(): Promise<void> {
    this.listener = new ChannelListener({
      url: this.options.listenUrl,
      channel: FLAG_CHANNEL,
      applicationName: 'tenantgate-flags',
      onNotification: () => void this.refresh().catch((err) => this.options.onError?.(err)),
      onConnected: () => this.refresh(),
      onError: this.options.onError,
    });
    if (this.stopped) return;
    await this.listener.start();
  }
}
