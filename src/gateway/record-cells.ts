/**
 * The counter cells a requester counts into on the request path. Every request counts its
 * tenant decision, and a legacy caller also its stripped alias and the alias use, each both
 * in Prometheus and in the durable daily counters. The cells are found once per requester
 * (client, tenant, synthetic or not) and label, and kept: a request then makes additions
 * instead of walking label indexes. The cells hold the same labels `record.ts` documents.
 */
import type { CounterHandle, DailyCounters } from '../telemetry/counters.ts';
import type { CounterCell, HotCounter } from '../telemetry/metrics.ts';
import { signals } from '../telemetry/signals.ts';
import type { StrippedHeader } from './classify.ts';
import type { TokenIdentity } from './decide.ts';

/** One count: a Prometheus cell and a durable one. */
export interface CountedCell {
  hot: CounterCell;
  durable: CounterHandle;
}

export interface RequestCounters {
  stripped: HotCounter<'header' | 'kind'>;
  decisions: HotCounter<'outcome'>;
  legacyHeader: HotCounter<'alias' | 'client'>;
  legacyTid: HotCounter<'client'>;
  synthetic: HotCounter<'kind'>;
  durable: DailyCounters;
}

/** Requesters whose cells are found by their labels (tokens seen afresh); past this the index starts over. */
const MAX_REQUESTERS = 10_000;

/** The cells of one requester. Each map is bounded by the header catalogue or the outcome names. */
export class RequesterCells {
  private readonly decisions = new Map<string, CountedCell>();
  private readonly strippedByName = new Map<string, CountedCell>();
  private readonly strippedVariants = new Map<string, CountedCell>();
  private readonly aliases = new Map<string, CountedCell>();
  private tid: CountedCell | null = null;

  constructor(
    private readonly counters: RequestCounters,
    readonly client: string,
    readonly tenant: string,
    readonly synthetic: boolean,
  ) {}

  /** Counts once into both cells. */
  count(cell: CountedCell): void {
    cell.hot.inc();
    this.counters.durable.add(cell.durable);
  }

  decision(outcome: string): CountedCell {
    let cell = this.decisions.get(outcome);
    if (cell === undefined) {
      cell = {
        hot: this.counters.decisions.cell(outcome),
        durable: this.counters.durable.handle(signals.gatewayDecision, { detail: outcome, client: this.client, tenant: this.tenant }),
      };
      this.decisions.set(outcome, cell);
    }
    return cell;
  }

  /** A stripped header: a catalogue name keeps one kind, except when it came in a variant spelling. */
  stripped(s: StrippedHeader): CountedCell {
    const byName = s.kind === 'variant' ? this.strippedVariants : this.strippedByName;
    let cell = byName.get(s.header);
    if (cell === undefined) {
      cell = {
        hot: this.counters.stripped.cell(s.header, s.kind),
        durable: this.counters.durable.handle(signals.gatewayHeaderStripped, { alias: s.header, detail: s.kind, client: this.client }),
      };
      byName.set(s.header, cell);
    }
    return cell;
  }

  /** A legacy tenant alias the request used (a synthetic client's use is counted by kind only). */
  alias(alias: string): CountedCell {
    let cell = this.aliases.get(alias);
    if (cell === undefined) {
      cell = {
        hot: this.synthetic ? this.counters.synthetic.cell('legacy_header') : this.counters.legacyHeader.cell(alias, this.client),
        durable: this.counters.durable.handle(signals.gatewayLegacyHeader, { alias, client: this.client, tenant: this.tenant }),
      };
      this.aliases.set(alias, cell);
    }
    return cell;
  }

  legacyTid(): CountedCell {
    return (this.tid ??= {
      hot: this.synthetic ? this.counters.synthetic.cell('legacy_tid_claim') : this.counters.legacyTid.cell(this.client),
      durable: this.counters.durable.handle(signals.gatewayLegacyTidClaim, { client: this.client, tenant: this.tenant }),
    });
  }
}

/** Finds a request's requester cells: by its verified token object, else by the token's labels. */
export class RequesterCellIndex {
  private readonly byToken = new WeakMap<TokenIdentity, RequesterCells>();
  private readonly byLabels = new Map<string, RequesterCells>();
  private anonymous: RequesterCells | null = null;

  constructor(private readonly counters: RequestCounters) {}

  for(token: TokenIdentity | null): RequesterCells {
    if (token === null) return (this.anonymous ??= new RequesterCells(this.counters, '', '', false));
    const known = this.byToken.get(token);
    if (known !== undefined) return known;
    const client = token.clientId;
    const tenant = token.tenant ?? token.legacyTenant ?? '';
    const synthetic = token.synthetic === true;
    const key = `${synthetic ? 's' : 'r'}\u0000${client}\u0000${tenant}`;
    let cells = this.byLabels.get(key);
    if (cells === undefined) {
      if (this.byLabels.size >= MAX_REQUESTERS) this.byLabels.clear();
      cells = new RequesterCells(this.counters, client, tenant, synthetic);
      this.byLabels.set(key, cells);
    }
    this.byToken.set(token, cells);
    return cells;
  }
}
