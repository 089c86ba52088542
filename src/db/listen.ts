/**
 * One LISTEN connection that stays connected: reconnects a second after it drops and, once
 * (re)connected, calls `onConnected` so the owner re-reads what it may have missed. Goes over
 * a direct connection (`database.listenUrl`): a transaction pooler drops notifications.
 */
import pg from 'pg';

export interface ChannelListenerOptions {
  url: string;
  channel: string;
  applicationName: string;
  onNotification: (payload: string | undefined) => void;
  /** After every (re)connect: changes may have landed while nobody listened. */
  onConnected?: () => Promise<void>;
  onError?: (err: unknown) => void;
  reconnectMs?: number;
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export class ChannelListener {
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: ChannelListenerOptions) {
    if (!CHANNEL.test(options.channel)) throw new TypeError(`not a channel name: ${options.channel}`);
  }

  get connected(): boolean {
    return this.client !== null;
  }

  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.url, application_name: this.options.applicationName });
    const retry = () => {
      if (this.stopped || this.reconnectTimer) return;
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = null;
        void this.connect();
      }, this.options.reconnectMs ?? 1000);
      this.reconnectTimer.unref();
    };
    client.on('error', (err) => {
      this.options.onError?.(err);
      retry();
    });
    client.on('end', retry);
    client.on('notification', (msg) => {
      if (msg.channel === this.options.channel) this.options.onNotification(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${this.options.channel}`);
      this.client = client;
      await this.options.onConnected?.();
    } catch (err) {
      this.options.onError?.(err);
      retry();
    }
  }
}
