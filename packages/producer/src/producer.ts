import { randomUUID } from 'crypto';
import { PutRecordsCommand, PutRecordsCommandOutput, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import Denque from 'denque';
import { Aggregator } from './aggregation';
import { backoffDelay, BackoffOptions } from './backoff';
import { callErrorKind, describeError, entryErrorKind, THROTTLES } from './errors';
import { isValidExplicitHashKey, KinesisLimits, partitionKeyProblem, recordBytes } from './limits';
import { PartitionKeys, Routing, RoutingError } from './partition-keys';

/** The one call the producer makes; a KinesisClient fits, and tests can wrap it. */
export interface PutRecordsClient {
  send(command: PutRecordsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordsCommandOutput>;
}

/** Options of {@link KinesisProducer}. */
export interface KinesisProducerOptions {
  /** Client used for PutRecords (e.g. `createKinesisClient()`, which sets request timeouts). */
  readonly client: PutRecordsClient;
  /** Stream name (or give `streamArn`). */
  readonly streamName?: string;
  /** Stream ARN (or give `streamName`). */
  readonly streamArn?: string;
  /** How records are routed when `put` gets no partition key. @default PartitionKeys.random() */
  readonly partitionKeys?: PartitionKeys;
  /**
   * Longest time a record waits in the buffer for a fuller batch before a PutRecords call is
   * made for it, like the KPL's RecordMaxBufferedTime. @default 100 ms
   */
  readonly maxBufferedTimeMs?: number;
  /**
   * Time after `put` by which a record must be delivered, like the KPL's RecordTtl. A record
   * not delivered by then is reported as failed with the last error it met, whether it was
   * waiting, backing off or in a call the server has not answered (that call is aborted).
   * @default 30000 ms
   */
  readonly recordTtlMs?: number;
  /**
   * A PutRecords call with no answer after this long is aborted and its records retried (their
   * TTL allowing). A call is also aborted when the earliest TTL of its records runs out.
   * @default 10000 ms
   */
  readonly requestTimeoutMs?: number;
  /**
   * Largest record (data + partition key) the stream accepts: 1 MiB unless the stream's
   * maximum record size was raised (up to 10 MiB). A record larger than `maxBytesPerRequest`
   * is sent alone. @default 1 MiB
   */
  readonly maxRecordBytes?: number;
  /** Kinesis records per PutRecords call: 1 to 500. @default 500 */
  readonly maxRecordsPerRequest?: number;
  /** Bytes (data + partition keys) per PutRecords call: up to 5 MiB. @default 5 MiB */
  readonly maxBytesPerRequest?: number;
  /** PutRecords calls in flight at once. @default 4 */
  readonly maxInFlight?: number;
  /**
   * User records waiting or in flight at most. `waitForCapacity()` resolves below it; a `put`
   * beyond it fails at once with `QueueFull`. @default 20000
   */
  readonly maxBufferedRecords?: number;
  /** Bytes of user record data waiting or in flight at most (like `maxBufferedRecords`). @default 256 MiB */
  readonly maxBufferedBytes?: number;
  /** Backoff of retried entries. @default full jitter, 100 ms base, 5 s cap */
  readonly backoff?: BackoffOptions;
  /**
   * Keep the records of one partition key (or explicit hash key) in order as far as batching
   * allows: a key has at most one PutRecords call in flight, its records in that call are in
   * `put` order, and a failed entry is retried before the key's next records. Batches still fill
   * (one call can carry many records of a key). Order therefore holds when Kinesis refuses a
   * key's entries as a suffix of the call (as a throttled shard does), but not in general:
   * "a single record failure does not stop the processing of subsequent records", so an entry
   * refused between written entries of its key is written after them. Each entry written after
   * an earlier entry of its key failed in the same call is counted in `stats.reordered`, and the
   * key is then sent one record per call until its next success. With random entry failures
   * most records can be reordered (measured: 30 % of entries refused at random made
   * `reordered` about 98 % of the records).
   * Use `strictOrder` for order whatever fails.
   * @see https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
   * @default true
   */
  readonly preserveOrder?: boolean;
  /**
   * With `preserveOrder`, at most one Kinesis record per key in a call: order holds whatever
   * entries fail (a refused entry cannot be overtaken; duplicates from lost replies aside), at
   * the cost of calls carrying one record per key (slow with few keys and no aggregation). With
   * `aggregate`, that one Kinesis record holds up to `aggregationMaxBytes` of the key's user
   * records, so strict order costs little. The alternative, PutRecord with
   * SequenceNumberForOrdering, is one call per record. @default false
   */
  readonly strictOrder?: boolean;
  /**
   * KPL-compatible aggregation: user records with the same ordering key (partition key,
   * explicit hash key, or any key for random routing) share Kinesis records of up to
   * `aggregationMaxBytes`. @default false
   */
  readonly aggregate?: boolean;
  /** Largest aggregated Kinesis record (the KPL's AggregationMaxSize). @default 51200 bytes; at most 1 MiB */
  readonly aggregationMaxBytes?: number;
  /**
   * Field added to object records holding a unique record id, so consumers can drop the
   * duplicates that producer retries cause (notes 1.1). An existing value is kept as the id.
   * `false` embeds nothing. @default 'recordId'
   */
  readonly idField?: string | false;
  /**
   * Called once for every record that finally fails, with the record itself: write it somewhere
   * (the CLI's `--failed-out`). The producer keeps only the first `keepFailures` failures.
   * @default - none
   */
  readonly onFailure?: (failure: FailedRecord) => void;
  /** Failures kept for `close()`'s `failures` (the count in `failed` is always complete). @default 100 */
  readonly keepFailures?: number;
  /** Injectable random source for backoff jitter (tests). @default Math.random */
  readonly random?: () => number;
}

/** Per-put options. */
export interface PutOptions {
  /** Partition key (otherwise from the `partitionKeys` strategy). */
  readonly partitionKey?: string;
  /** Explicit hash key (decimal, 0 to 2^128 - 1, no leading zeros). */
  readonly explicitHashKey?: string;
  /** Record id to embed (otherwise the record's own id field or a random UUID). */
  readonly id?: string;
}

/** Outcome of one user record. */
export interface RecordResult {
  /** The record id (undefined when no id is embedded). */
  readonly id?: string;
  readonly ok: boolean;
  /** PutRecords attempts this record took part in. */
  readonly attempts: number;
  readonly shardId?: string;
  readonly sequenceNumber?: string;
  /** Why it failed (Kinesis error code, `RecordTtlExceeded`, `RecordTooLarge`, `QueueFull`, `Aborted`, ...). */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/** A record the producer gave up on, with the record itself so the caller can keep it. */
export interface FailedRecord extends RecordResult {
  readonly record: unknown;
}

/** Counters, readable at any time (e.g. for a progress bar). */
export interface ProducerStats {
  /** User records accepted by `put`. */
  readonly put: number;
  /** User records delivered. */
  readonly delivered: number;
  /** User records finally failed. */
  readonly failed: number;
  /** User records waiting or in flight. */
  readonly pending: number;
  /** Bytes of user record data delivered. */
  readonly bytesDelivered: number;
  /** PutRecords calls made. */
  readonly putRecordsCalls: number;
  /** Kinesis records sent successfully (aggregates count once). */
  readonly kinesisRecords: number;
  /** Kinesis record entries retried (partial failures and failed calls). */
  readonly retries: number;
  /** Entries refused with ProvisionedThroughputExceededException or throttled calls. */
  readonly throttles: number;
  /** PutRecords calls aborted because no answer came in time. */
  readonly timeouts: number;
  /**
   * Kinesis records written after an earlier record of their key failed in the same call, so
   * written before it (see `preserveOrder`); always 0 with `strictOrder` or without `preserveOrder`.
   */
  readonly reordered: number;
}

/** What `close()` returns. */
export interface ProducerSummary extends ProducerStats {
  /** The first `keepFailures` failed records (`failed` counts them all). */
  readonly failures: FailedRecord[];
}

/** Cause of a failure. */
interface Cause {
  readonly code: string;
  readonly message: string;
}

interface Pending {
  readonly id?: string;
  readonly input: unknown;
  readonly data: Buffer;
  readonly routing: Routing;
  readonly resolve: (result: RecordResult) => void;
}

type EntryState = 'queued' | 'inflight' | 'backoff' | 'done';

/** One Kinesis record: a user record, or an aggregate of several. */
interface Entry {
  records: Pending[];
  readonly lane: Lane;
  readonly group?: string;
  readonly firstPutAt: number;
  readonly deadline: number;
  aggregator?: Aggregator;
  request?: PutRecordsRequestEntry;
  bytes: number;
  attempts: number;
  lastError?: Cause;
  /** The latest error that was not a timeout: a later timeout's message keeps it as the cause. */
  lastAnswerError?: Cause;
  state: EntryState;
}

/**
 * The queue of one ordering key (or the one shared queue of records that need no order).
 * `queue` may hold `done` entries (expired, aborted): they are skipped when reached.
 */
interface Lane {
  readonly id: string;
  readonly ordered: boolean;
  readonly queue: Denque<Entry>;
  /** Live (queued) entries and their bytes. */
  count: number;
  bytes: number;
  /** In the ready deque. */
  ready: boolean;
  /** A call of this (ordered) lane is in flight. */
  busy: boolean;
  /** Backing off after a failure (ordered lanes). */
  delayed: boolean;
  /** After a failure: one record per call until a success (ordered lanes). */
  single: boolean;
  dueAt: number;
  lastError?: Cause;
}

interface Call {
  readonly entries: Entry[];
  readonly controller: AbortController;
  timer?: NodeJS.Timeout;
  /** When the call's timer is due: a timer may fire a millisecond before `Date.now()` gets there. */
  readonly timesOutAt: number;
  settled: boolean;
}

const DEFAULTS = {
  maxBufferedTimeMs: 100,
  recordTtlMs: 30_000,
  requestTimeoutMs: 10_000,
  maxInFlight: 4,
  maxBufferedRecords: 20_000,
  maxBufferedBytes: 256 * 1024 * 1024,
  /** The KPL's default AggregationMaxSize. */
  aggregationMaxBytes: 51_200,
  keepFailures: 100,
} as const;

/**
 * A Kinesis producer on `@aws-sdk/client-kinesis` (notes 1.1: producers, PutRecords,
 * partial failures, duplicates caused by retries).
 *
 * - Buffers records for at most `maxBufferedTimeMs` and sends them with PutRecords within
 *   AWS's limits (500 records, 5 MiB per call; 1 MiB per record including the partition key).
 * - Every record ends, within its TTL, as delivered or as failed with a cause, whatever the
 *   server does (answers, refuses, hangs, drops the connection): calls have a timeout and are
 *   aborted when their records' TTL runs out. `flush()` and `close()` always finish.
 * - PutRecords is not atomic: only the entries that failed are retried, with exponential
 *   backoff and full jitter, until the TTL.
 * - Constant cost per record: one queue per ordering key, a deque of keys ready to send and a
 *   FIFO of records by age; no scan of the whole buffer.
 * - Bounded memory: `maxBufferedRecords` / `maxBufferedBytes`, and failures are handed to
 *   `onFailure` instead of being kept.
 * - Each object record carries a unique id (`idField`), so a consumer can drop the
 *   duplicates that a retry of an already-written entry creates.
 */
export class KinesisProducer {
  private readonly client: PutRecordsClient;
  private readonly partitionKeys: PartitionKeys;
  private readonly maxBufferedTimeMs: number;
  private readonly recordTtlMs: number;
  private readonly requestTimeoutMs: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly maxRecordBytes: number;
  private readonly maxInFlight: number;
  private readonly maxBufferedRecords: number;
  private readonly maxBufferedBytes: number;
  private readonly preserveOrder: boolean;
  private readonly strictOrder: boolean;
  private readonly aggregate: boolean;
  private readonly aggregationMaxBytes: number;
  private readonly idField: string | false;
  private readonly keepFailures: number;
  private readonly random: () => number;

  /** Ordered lanes by ordering key; the shared lane of records that need no order. */
  private readonly lanes = new Map<string, Lane>();
  private readonly unordered: Lane;
  /** Lanes with entries that may be sent now, oldest first. */
  private readonly ready = new Denque<Lane>();
  /** Entries by creation (so by deadline: the TTL is the same for all), for expiry. */
  private readonly arrivals = new Denque<Entry>();
  /** Open aggregates by group. */
  private readonly openAggregates = new Map<string, Entry>();
  private readonly calls = new Set<Call>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readyEntries = 0;
  private readyBytes = 0;
  private liveEntries = 0;
  private pendingBytes = 0;
  private index = 0;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private flushing = 0;
  private closed = false;
  private fatal?: Cause;
  /** Set by a configuration error or abort(): nothing more is sent, every later put fails with it. */
  private stopped?: Cause;
  private lastCallError?: Cause;
  private flushWaiters: Array<() => void> = [];
  private capacityWaiters: Array<() => void> = [];
  private readonly failures: FailedRecord[] = [];
  private counters = {
    put: 0,
    delivered: 0,
    failed: 0,
    bytesDelivered: 0,
    putRecordsCalls: 0,
    kinesisRecords: 0,
    retries: 0,
    throttles: 0,
    timeouts: 0,
    reordered: 0,
  };

  constructor(private readonly options: KinesisProducerOptions) {
    if (!options.streamName && !options.streamArn) throw new Error('KinesisProducer needs streamName or streamArn');
    this.client = options.client;
    this.partitionKeys = options.partitionKeys ?? PartitionKeys.random();
    this.maxBufferedTimeMs = options.maxBufferedTimeMs ?? DEFAULTS.maxBufferedTimeMs;
    this.recordTtlMs = options.recordTtlMs ?? DEFAULTS.recordTtlMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs;
    this.maxRecords = options.maxRecordsPerRequest ?? KinesisLimits.MAX_RECORDS_PER_REQUEST;
    this.maxBytes = options.maxBytesPerRequest ?? KinesisLimits.MAX_BYTES_PER_REQUEST;
    this.maxRecordBytes = options.maxRecordBytes ?? KinesisLimits.MAX_RECORD_BYTES;
    this.maxInFlight = options.maxInFlight ?? DEFAULTS.maxInFlight;
    this.maxBufferedRecords = options.maxBufferedRecords ?? DEFAULTS.maxBufferedRecords;
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes;
    this.preserveOrder = options.preserveOrder ?? true;
    this.strictOrder = options.strictOrder ?? false;
    this.aggregate = options.aggregate ?? false;
    this.aggregationMaxBytes = options.aggregationMaxBytes ?? DEFAULTS.aggregationMaxBytes;
    this.idField = options.idField ?? 'recordId';
    this.keepFailures = options.keepFailures ?? DEFAULTS.keepFailures;
    this.random = options.random ?? Math.random;
    this.validateOptions();
    this.unordered = this.newLane('*', false);
  }

  /** Current counters. */
  public get stats(): ProducerStats {
    return { ...this.counters, pending: this.pendingRecords() };
  }

  /** The configuration error that stopped the producer (every later `put` fails with it), if any. */
  public get fatalError(): { code: string; message: string } | undefined {
    return this.fatal;
  }

  /**
   * Buffers a record. `data` is an object (sent as JSON with the id field added), a string
   * or bytes (copied: later changes to the caller's buffer are not sent). The promise resolves
   * when the record is delivered or finally failed; it never rejects.
   */
  public put(data: unknown, options: PutOptions = {}): Promise<RecordResult> {
    const index = this.index++;
    this.counters.put++;
    const now = Date.now();
    return new Promise<RecordResult>((resolve) => {
      const { id, payload } = this.encode(data, options);
      const partial = { id, input: data, data: payload, resolve };
      const refused = this.refusal(payload.length);
      if (refused) return this.fail([{ ...partial, routing: { partitionKey: '' } }], refused, 0, false);
      let routing: Routing;
      try {
        routing = this.route(data, options, index);
      } catch (e) {
        if (!(e instanceof RoutingError)) throw e;
        return this.fail([{ ...partial, routing: { partitionKey: '' } }], { code: e.code, message: e.message }, 0, false);
      }
      const pending: Pending = { ...partial, routing };
      const invalid = this.invalid(pending);
      if (invalid) return this.fail([pending], invalid, 0, false);
      this.pendingBytes += payload.length;
      this.enqueue(pending, this.byStrategy(options), now);
    });
  }

  /** Resolves when fewer than `maxBufferedRecords` records (and `maxBufferedBytes` bytes) are waiting (backpressure). */
  public waitForCapacity(): Promise<void> {
    if (this.hasCapacity()) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Sends everything buffered now and resolves when every record so far is delivered or failed. */
  public async flush(): Promise<void> {
    if (this.pendingRecords() === 0) return;
    this.flushing++;
    try {
      await new Promise<void>((resolve) => {
        this.flushWaiters.push(resolve);
        this.pump();
      });
    } finally {
      this.flushing--;
    }
  }

  /**
   * Gives up on every record not yet delivered: queued ones fail with `code` at once, and calls
   * in flight are aborted (their records fail with `code` too; they may have been written).
   */
  public abort(message = 'the producer was aborted', code = 'Aborted'): void {
    this.failEverything({ code, message });
  }

  /** Flushes, stops, and returns the final counters and the first `keepFailures` failed records. */
  public async close(): Promise<ProducerSummary> {
    this.closed = true;
    await this.flush();
    this.clearTimers();
    return { ...this.stats, failures: [...this.failures] };
  }

  // ---- put ---------------------------------------------------------------------------

  private validateOptions(): void {
    const check = (name: string, value: number, min: number, max: number) => {
      if (!Number.isInteger(value) || value < min || value > max) throw new Error(`KinesisProducer: ${name} must be a whole number from ${min} to ${max}, got ${value}`);
    };
    check('maxRecordsPerRequest', this.maxRecords, 1, KinesisLimits.MAX_RECORDS_PER_REQUEST);
    check('maxRecordBytes', this.maxRecordBytes, KinesisLimits.MAX_RECORD_BYTES, KinesisLimits.LARGE_RECORD_MAX_BYTES);
    check('maxBytesPerRequest', this.maxBytes, KinesisLimits.MAX_RECORD_BYTES, KinesisLimits.MAX_BYTES_PER_REQUEST);
    check('aggregationMaxBytes', this.aggregationMaxBytes, 1024, KinesisLimits.MAX_RECORD_BYTES);
    check('maxInFlight', this.maxInFlight, 1, 1000);
    check('maxBufferedTimeMs', this.maxBufferedTimeMs, 0, 3_600_000);
    check('recordTtlMs', this.recordTtlMs, 1, 86_400_000);
    check('requestTimeoutMs', this.requestTimeoutMs, 1, 86_400_000);
    check('maxBufferedRecords', this.maxBufferedRecords, 1, 100_000_000);
    check('maxBufferedBytes', this.maxBufferedBytes, 1, Number.MAX_SAFE_INTEGER);
    check('keepFailures', this.keepFailures, 0, 1_000_000);
  }

  private encode(data: unknown, options: PutOptions): { id?: string; payload: Buffer } {
    if (typeof data === 'string') return { id: options.id, payload: Buffer.from(data, 'utf8') };
    // a copy: the caller may reuse its buffer as soon as put() returns
    if (data instanceof Uint8Array) return { id: options.id, payload: Buffer.from(data) };
    if (this.idField !== false && data !== null && typeof data === 'object' && !Array.isArray(data)) {
      const own = (data as Record<string, unknown>)[this.idField];
      const id = options.id ?? (typeof own === 'string' && own.length > 0 ? own : randomUUID());
      const body = { [this.idField]: id, ...(data as object), ...(own === id ? {} : { [this.idField]: id }) };
      return { id, payload: Buffer.from(JSON.stringify(body), 'utf8') };
    }
    return { id: options.id, payload: Buffer.from(JSON.stringify(data) ?? 'null', 'utf8') };
  }

  private route(data: unknown, options: PutOptions, index: number): Routing {
    const routed = options.partitionKey !== undefined ? { partitionKey: options.partitionKey } : this.partitionKeys.route(data, index);
    return { partitionKey: routed.partitionKey, explicitHashKey: options.explicitHashKey ?? routed.explicitHashKey };
  }

  private byStrategy(options: PutOptions): boolean {
    return options.partitionKey === undefined && options.explicitHashKey === undefined;
  }

  private refusal(bytes: number): Cause | undefined {
    if (this.stopped) return this.stopped;
    if (this.closed) return { code: 'ProducerClosed', message: 'put() after close()' };
    // the record being put is already counted in pendingRecords()
    const holding = this.pendingRecords() - 1;
    if (holding >= this.maxBufferedRecords || this.pendingBytes + bytes > this.maxBufferedBytes) {
      return {
        code: 'QueueFull',
        message: `the producer already holds ${holding} records / ${this.pendingBytes} bytes `
          + `(maxBufferedRecords ${this.maxBufferedRecords}, maxBufferedBytes ${this.maxBufferedBytes}); await waitForCapacity() before put()`,
      };
    }
    return undefined;
  }

  private invalid(p: Pending): Cause | undefined {
    const keyProblem = partitionKeyProblem(p.routing.partitionKey);
    if (keyProblem) return { code: 'InvalidPartitionKey', message: keyProblem };
    if (p.routing.explicitHashKey !== undefined && !isValidExplicitHashKey(p.routing.explicitHashKey)) {
      return {
        code: 'InvalidExplicitHashKey',
        message: `explicit hash key must be a decimal from 0 to 2^128-1 without leading zeros, got '${p.routing.explicitHashKey}'`,
      };
    }
    const bytes = recordBytes(p.data, p.routing.partitionKey);
    if (bytes > this.maxRecordBytes) {
      return { code: 'RecordTooLarge', message: `record is ${bytes} bytes with its partition key; the stream allows ${this.maxRecordBytes}` };
    }
    return undefined;
  }

  private orderKey(routing: Routing): string {
    return routing.explicitHashKey !== undefined ? `h:${routing.explicitHashKey}` : `p:${routing.partitionKey}`;
  }

  private laneFor(p: Pending, byStrategy: boolean): Lane {
    if (!this.preserveOrder || (byStrategy && this.partitionKeys.anyKeyOrder)) return this.unordered;
    const key = this.orderKey(p.routing);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = this.newLane(key, true);
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private newLane(id: string, ordered: boolean): Lane {
    return { id, ordered, queue: new Denque<Entry>(), count: 0, bytes: 0, ready: false, busy: false, delayed: false, single: false, dueAt: 0 };
  }

  private enqueue(p: Pending, byStrategy: boolean, now: number): void {
    const lane = this.laneFor(p, byStrategy);
    if (this.aggregate) {
      // random routing needs no per-key order: any records may share an aggregate
      const group = byStrategy && this.partitionKeys.anyKeyOrder ? '*' : this.orderKey(p.routing);
      this.addToAggregate(lane, group, p, now);
    } else {
      const entry = this.newEntry(lane, undefined, now, [p]);
      entry.request = { Data: p.data, PartitionKey: p.routing.partitionKey, ExplicitHashKey: p.routing.explicitHashKey };
      this.addEntry(lane, entry, recordBytes(p.data, p.routing.partitionKey));
    }
    if (lane.ready) {
      if (this.isFull() || this.flushing > 0) this.pump();
    } else {
      this.makeReady(lane, now, false);
    }
  }

  private newEntry(lane: Lane, group: string | undefined, now: number, records: Pending[]): Entry {
    return { records, lane, group, firstPutAt: now, deadline: now + this.recordTtlMs, bytes: 0, attempts: 0, state: 'queued' };
  }

  private addEntry(lane: Lane, entry: Entry, bytes: number): void {
    entry.bytes = bytes;
    lane.queue.push(entry);
    this.arrivals.push(entry);
    this.liveEntries++;
    this.grow(lane, 1, bytes);
  }

  /** Adds to the counters of a lane (and of the ready set if the lane is in it). */
  private grow(lane: Lane, entries: number, bytes: number): void {
    lane.count += entries;
    lane.bytes += bytes;
    if (lane.ready) {
      this.readyEntries += entries;
      this.readyBytes += bytes;
    }
  }

  private addToAggregate(lane: Lane, group: string, p: Pending, now: number): void {
    const record = { data: p.data, partitionKey: p.routing.partitionKey, explicitHashKey: p.routing.explicitHashKey };
    let open = this.openAggregates.get(group);
    if (open && open.aggregator!.kinesisBytesWith(record) > this.aggregationMaxBytes) {
      this.seal(open);
      open = undefined;
    }
    if (!open) {
      open = this.newEntry(lane, group, now, []);
      open.aggregator = new Aggregator();
      this.openAggregates.set(group, open);
      this.addEntry(lane, open, 0);
    }
    const before = open.bytes;
    open.aggregator!.add(record);
    open.records.push(p);
    open.bytes = open.aggregator!.kinesisBytes;
    this.grow(lane, 0, open.bytes - before);
  }

  /** Freezes an open aggregate into its PutRecords entry. */
  private seal(entry: Entry): void {
    if (!entry.aggregator) return;
    if (this.openAggregates.get(entry.group!) === entry) this.openAggregates.delete(entry.group!);
    if (entry.records.length === 1) {
      // one record alone is sent plain: smaller, and readable by consumers that do not de-aggregate
      const p = entry.records[0];
      entry.request = { Data: p.data, PartitionKey: p.routing.partitionKey, ExplicitHashKey: p.routing.explicitHashKey };
    } else {
      const encoded = entry.aggregator.encode();
      entry.request = { Data: encoded.data, PartitionKey: encoded.partitionKey, ExplicitHashKey: encoded.explicitHashKey };
    }
    entry.aggregator = undefined;
    const bytes = recordBytes(entry.request.Data!, entry.request.PartitionKey!);
    if (entry.state === 'queued') this.grow(entry.lane, 0, bytes - entry.bytes);
    entry.bytes = bytes;
  }

  // ---- scheduling ----------------------------------------------------------------------

  /** Puts a lane with live entries into the ready deque (at the front if it is overdue: the caller then pumps). */
  private makeReady(lane: Lane, now: number, overdue: boolean): void {
    if (lane.ready || lane.busy || lane.delayed || lane.count === 0) return;
    lane.ready = true;
    this.readyEntries += lane.count;
    this.readyBytes += lane.bytes;
    if (overdue) {
      lane.dueAt = now;
      this.ready.unshift(lane);
    } else {
      lane.dueAt = now + this.maxBufferedTimeMs;
      this.ready.push(lane);
      if (this.isFull() || this.flushing > 0 || this.maxBufferedTimeMs === 0) this.pump();
      else this.wakeAt(lane.dueAt);
    }
  }

  private unready(lane: Lane): void {
    if (!lane.ready) return;
    lane.ready = false;
    this.readyEntries -= lane.count;
    this.readyBytes -= lane.bytes;
  }

  private isFull(): boolean {
    return this.readyEntries >= this.maxRecords || this.readyBytes >= this.maxBytes;
  }

  private wakeAt(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - Date.now()));
  }

  private pump(): void {
    const now = Date.now();
    this.expire(now);
    while (!this.stopped && this.inFlight() < this.maxInFlight && this.ready.length > 0) {
      const head = this.ready.peekFront()!;
      if (!(this.isFull() || this.flushing > 0 || this.closed || head.dueAt <= now)) break;
      const batch = this.takeBatch(now);
      if (batch.length > 0) this.send(batch, now);
      else if (this.ready.peekFront() === head) break; // nothing could be taken (cannot happen; no busy loop if it does)
    }
    this.schedule(now);
    this.settleWaiters();
    // nothing left to wait for: no timer keeps the process alive
    if (this.pendingRecords() === 0) this.clearTimers();
  }

  private inFlight(): number {
    return this.calls.size;
  }

  /** Arms the timer for the next linger deadline or record expiry. */
  private schedule(now: number): void {
    let next = Infinity;
    const head = this.ready.peekFront();
    if (head && this.inFlight() < this.maxInFlight) next = head.dueAt;
    const oldest = this.arrivals.peekFront();
    if (oldest && oldest.state === 'queued') next = Math.min(next, oldest.deadline);
    if (next < Infinity) this.wakeAt(Math.max(next, now + 1));
  }

  /** Fails queued entries whose TTL ran out (the oldest first; entries in calls are bounded by the call's timeout). */
  private expire(now: number): void {
    while (this.arrivals.length > 0) {
      const entry = this.arrivals.peekFront()!;
      if (entry.state === 'done') {
        this.arrivals.shift();
        continue;
      }
      if (entry.state !== 'queued' || entry.deadline > now) break;
      this.arrivals.shift();
      this.failQueued(entry, this.expiryCause(entry));
    }
    // entries that ended while others ahead of them were in flight: drop them in bulk
    if (this.arrivals.length > 2 * this.liveEntries + 1024) {
      const live = this.arrivals.toArray().filter((e) => e.state !== 'done');
      this.arrivals.clear();
      for (const e of live) this.arrivals.push(e);
    }
  }

  private expiryCause(entry: Entry): Cause {
    const lead = `not delivered within the record TTL of ${this.recordTtlMs} ms`;
    if (entry.lastError) {
      return { code: 'RecordTtlExceeded', message: `${lead} after ${entry.attempts} attempt(s) (last error ${entry.lastError.code}: ${entry.lastError.message})` };
    }
    const behind = entry.lane.ordered ? entry.lane.lastError : undefined;
    if (behind) {
      return { code: 'RecordTtlExceeded', message: `${lead}: never sent, waiting behind earlier records of its key (${entry.lane.id}) that failed with ${behind.code}: ${behind.message}` };
    }
    const calls = this.lastCallError ? ` (last call error ${this.lastCallError.code}: ${this.lastCallError.message})` : '';
    return { code: 'RecordTtlExceeded', message: `${lead}: never sent, ${this.inFlight()} of ${this.maxInFlight} calls were in flight${calls}` };
  }

  /** Fails a queued entry: out of its lane's counters; it stays in the lane's deque as a tombstone. */
  private failQueued(entry: Entry, cause: Cause): void {
    if (entry.aggregator) {
      if (this.openAggregates.get(entry.group!) === entry) this.openAggregates.delete(entry.group!);
      entry.aggregator = undefined;
    }
    this.grow(entry.lane, -1, -entry.bytes);
    this.finish(entry, cause);
    this.releaseIfIdle(entry.lane);
  }

  /** Forgets an ordered lane with nothing queued and nothing in flight. */
  private releaseIfIdle(lane: Lane): void {
    if (lane.count > 0 || lane.busy || lane.delayed) return;
    this.unready(lane);
    lane.queue.clear();
    if (lane.ordered) this.lanes.delete(lane.id);
  }

  /** Takes the next PutRecords batch from the ready lanes, oldest first. */
  private takeBatch(now: number): Entry[] {
    const batch: Entry[] = [];
    const state = { bytes: 0, full: false };
    while (!state.full && batch.length < this.maxRecords && this.ready.length > 0) {
      const lane = this.ready.peekFront()!;
      const limit = lane.ordered && (this.strictOrder || lane.single) ? 1 : Infinity;
      const taken = this.takeFromLane(lane, batch, state, limit, now);
      if (lane.ordered && (taken > 0 || lane.count === 0)) {
        this.ready.shift();
        this.unready(lane);
        if (taken > 0) lane.busy = true;
        else this.releaseIfIdle(lane);
      } else if (lane.count === 0) {
        this.ready.shift();
        this.unready(lane);
      } else if (taken > 0) {
        // the shared lane keeps its place; what it still holds is due by its own age
        lane.dueAt = this.overdue(lane, now) ? now : this.front(lane)!.firstPutAt + this.maxBufferedTimeMs;
      }
    }
    return batch;
  }

  private takeFromLane(lane: Lane, batch: Entry[], state: { bytes: number; full: boolean }, limit: number, now: number): number {
    let taken = 0;
    while (taken < limit && lane.queue.length > 0 && batch.length < this.maxRecords) {
      const entry = lane.queue.peekFront()!;
      if (entry.state === 'done') {
        lane.queue.shift();
        continue;
      }
      if (entry.deadline <= now) {
        lane.queue.shift();
        this.failQueued(entry, this.expiryCause(entry));
        continue;
      }
      this.seal(entry);
      // a record larger than a request (large-record streams) goes alone
      if (batch.length > 0 && state.bytes + entry.bytes > this.maxBytes) {
        state.full = true;
        break;
      }
      lane.queue.shift();
      this.grow(lane, -1, -entry.bytes);
      entry.state = 'inflight';
      batch.push(entry);
      state.bytes += entry.bytes;
      taken++;
    }
    return taken;
  }

  // ---- calls ---------------------------------------------------------------------------

  private send(entries: Entry[], now: number): void {
    let earliest = Infinity;
    for (const e of entries) {
      e.attempts++;
      earliest = Math.min(earliest, e.deadline);
    }
    this.counters.putRecordsCalls++;
    const byTtl = earliest - now < this.requestTimeoutMs;
    const timeoutMs = Math.max(1, Math.min(this.requestTimeoutMs, earliest - now));
    const call: Call = { entries, controller: new AbortController(), timesOutAt: now + timeoutMs, settled: false };
    this.calls.add(call);
    call.timer = setTimeout(() => this.onTimeout(call, timeoutMs, byTtl), timeoutMs);
    const command = new PutRecordsCommand({
      StreamName: this.options.streamName,
      StreamARN: this.options.streamArn,
      Records: entries.map((e) => e.request!),
    });
    let reply: Promise<PutRecordsCommandOutput>;
    try {
      reply = this.client.send(command, { abortSignal: call.controller.signal });
    } catch (error) {
      reply = Promise.reject(error);
    }
    reply.then(
      (output) => this.settle(call, () => this.onResponse(call, output)),
      (error) => this.settle(call, () => this.onError(call, error)),
    );
  }

  /** Runs the handler of the first outcome of a call (answer, error, timeout or abort) only. */
  private settle(call: Call, handle: () => void): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    this.calls.delete(call);
    try {
      handle();
    } catch (error) {
      process.emitWarning(`KinesisProducer: unexpected error handling a PutRecords result: ${error}`);
    }
    this.pump();
  }

  private onTimeout(call: Call, ms: number, byTtl: boolean): void {
    this.counters.timeouts++;
    const why = byTtl ? 'when the TTL of its earliest record ran out' : `after requestTimeoutMs (${ms} ms)`;
    const cause: Cause = { code: 'TimeoutError', message: `PutRecords call aborted ${why} without an answer; its records may or may not have been written` };
    // judged at the time the timer was due, so a call aborted because its earliest TTL ran out
    // never retries that record (Node may fire the timer just before Date.now() reaches it)
    const at = Math.max(Date.now(), call.timesOutAt);
    this.settle(call, () => this.retryOrFail(call.entries, cause, at));
    call.controller.abort();
  }

  private onResponse(call: Call, output: PutRecordsCommandOutput): void {
    const results = output.Records ?? [];
    const retry: Entry[] = [];
    const failedKeys = new Set<Lane>();
    call.entries.forEach((entry, i) => {
      const r = results[i];
      if (r && !r.ErrorCode && r.SequenceNumber) {
        if (failedKeys.has(entry.lane)) this.counters.reordered++;
        this.deliver(entry, r.ShardId, r.SequenceNumber);
        return;
      }
      const cause: Cause = r?.ErrorCode
        ? { code: r.ErrorCode, message: r.ErrorMessage ?? '' }
        : { code: 'MissingResult', message: 'no result for this entry in the PutRecords response' };
      entry.lastError = cause;
      entry.lastAnswerError = cause;
      if (entry.lane.ordered) failedKeys.add(entry.lane);
      if (THROTTLES.has(cause.code)) this.counters.throttles++;
      if (entryErrorKind(cause.code) === 'retry' || cause.code === 'MissingResult') retry.push(entry);
      else this.finish(entry, cause);
    });
    this.requeue(retry);
    this.release(call.entries, failedKeys);
  }

  private deliver(entry: Entry, shardId?: string, sequenceNumber?: string): void {
    this.counters.kinesisRecords++;
    for (const p of entry.records) {
      this.counters.delivered++;
      this.counters.bytesDelivered += p.data.length;
      this.pendingBytes -= p.data.length;
      p.resolve({ id: p.id, ok: true, attempts: entry.attempts, shardId, sequenceNumber });
    }
    this.retire(entry);
  }

  private onError(call: Call, error: unknown): void {
    const cause: { code: string; message: string } = describeError(error);
    this.lastCallError = cause;
    const kind = callErrorKind(error);
    if (THROTTLES.has(cause.code)) this.counters.throttles += call.entries.length;
    if (kind === 'fatal') {
      // e.g. the SDK's plain Error 'Region is missing'
      if (cause.code === 'Error') cause.code = 'ConfigurationError';
      this.fatal = cause;
      for (const entry of call.entries) this.finish(entry, cause);
      this.release(call.entries, new Set());
      this.failEverything(cause);
      return;
    }
    if (kind === 'fail') {
      for (const entry of call.entries) this.finish(entry, cause);
      this.release(call.entries, new Set());
      return;
    }
    this.retryOrFail(call.entries, cause);
  }

  private retryOrFail(entries: Entry[], cause: Cause, now = Date.now()): void {
    this.lastCallError = cause;
    const failed = new Set<Lane>();
    for (const entry of entries) {
      // an aborted call says nothing about why the earlier attempts failed: keep that cause too
      if (cause.code !== 'TimeoutError') entry.lastAnswerError = cause;
      const earlier = cause.code === 'TimeoutError' ? entry.lastAnswerError : undefined;
      entry.lastError = earlier ? { code: cause.code, message: `${cause.message}; an earlier attempt failed with ${earlier.code}: ${earlier.message}` } : cause;
      if (entry.lane.ordered) failed.add(entry.lane);
    }
    this.requeue(entries, now);
    this.release(entries, failed);
  }

  /**
   * Retries entries after one backoff (per call), or fails those whose TTL would pass first.
   * Ordered lanes get their entries back at the front, in order, and wait out the backoff;
   * the shared lane gets them back when the backoff ends.
   */
  private requeue(entries: Entry[], now = Date.now()): void {
    if (entries.length === 0) return;
    const attempts = Math.max(...entries.map((e) => e.attempts));
    const delay = backoffDelay(attempts, this.options.backoff, this.random);
    const back: Entry[] = [];
    for (const entry of entries) {
      if (now + delay >= entry.deadline) {
        this.finish(entry, { code: 'RecordTtlExceeded', message: `not delivered within the record TTL of ${this.recordTtlMs} ms after ${entry.attempts} attempt(s) (last error ${entry.lastError!.code}: ${entry.lastError!.message})` });
        continue;
      }
      this.counters.retries++;
      back.push(entry);
    }
    const orderedLanes = new Set<Lane>();
    for (let i = back.length - 1; i >= 0; i--) {
      const entry = back[i];
      if (!entry.lane.ordered) {
        entry.state = 'backoff';
        continue;
      }
      entry.state = 'queued';
      entry.lane.queue.unshift(entry);
      this.grow(entry.lane, 1, entry.bytes);
      entry.lane.delayed = true;
      orderedLanes.add(entry.lane);
    }
    const unordered = back.filter((e) => !e.lane.ordered);
    const timer = setTimeout(() => this.endBackoff(timer, orderedLanes, unordered), delay);
    this.retryTimers.add(timer);
  }

  private endBackoff(timer: NodeJS.Timeout, lanes: Set<Lane>, unordered: Entry[]): void {
    this.retryTimers.delete(timer);
    const now = Date.now();
    for (let i = unordered.length - 1; i >= 0; i--) {
      const entry = unordered[i];
      if (entry.state !== 'backoff') continue;
      entry.state = 'queued';
      this.unordered.queue.unshift(entry);
      this.grow(this.unordered, 1, entry.bytes);
    }
    if (unordered.length > 0) this.makeReady(this.unordered, now, true);
    for (const lane of lanes) {
      lane.delayed = false;
      this.makeReady(lane, now, true);
      this.releaseIfIdle(lane);
    }
    this.pump();
  }

  /** After a call: its ordered lanes are free again (a lane with a failure keeps sending one record per call). */
  private release(entries: Entry[], failed: Set<Lane>): void {
    const now = Date.now();
    // one pass: each ordered lane of the call with the last error one of its entries met
    const lanes = new Map<Lane, Cause | undefined>();
    for (const e of entries) {
      if (e.lane.ordered) lanes.set(e.lane, e.lastError ?? lanes.get(e.lane));
    }
    for (const [lane, lastError] of lanes) {
      lane.busy = false;
      lane.single = failed.has(lane);
      lane.lastError = lane.single ? lastError : undefined;
      this.makeReady(lane, now, this.overdue(lane, now));
      this.releaseIfIdle(lane);
    }
  }

  private overdue(lane: Lane, now: number): boolean {
    const front = this.front(lane);
    return front !== undefined && (front.attempts > 0 || front.firstPutAt + this.maxBufferedTimeMs <= now);
  }

  /** The first live entry of a lane (dropping the tombstones before it). */
  private front(lane: Lane): Entry | undefined {
    while (lane.queue.length > 0 && lane.queue.peekFront()!.state === 'done') lane.queue.shift();
    return lane.queue.peekFront();
  }

  // ---- outcomes ------------------------------------------------------------------------

  /** Fails an entry that is in flight or backing off. */
  private finish(entry: Entry, cause: Cause): void {
    this.fail(entry.records, cause, entry.attempts);
    this.retire(entry);
  }

  private retire(entry: Entry): void {
    if (entry.state === 'done') return;
    entry.state = 'done';
    entry.records = [];
    entry.request = undefined;
    this.liveEntries--;
  }

  /** Reports records as failed; `buffered` says whether they were counted in the buffer. */
  private fail(records: Pending[], cause: Cause, attempts: number, buffered = true): void {
    for (const p of records) {
      this.counters.failed++;
      if (buffered) this.pendingBytes -= p.data.length;
      const result: RecordResult = { id: p.id, ok: false, attempts, errorCode: cause.code, errorMessage: cause.message };
      const failure: FailedRecord = { ...result, record: p.input };
      if (this.failures.length < this.keepFailures) this.failures.push(failure);
      this.report(failure);
      p.resolve(result);
    }
  }

  private report(failure: FailedRecord): void {
    if (!this.options.onFailure) return;
    try {
      this.options.onFailure(failure);
    } catch (error) {
      process.emitWarning(`KinesisProducer: onFailure threw: ${error}`);
    }
  }

  /** Stops the producer and fails every queued, backing-off and in-flight record with `cause` (configuration error, abort). */
  private failEverything(cause: Cause): void {
    this.stopped = this.stopped ?? cause;
    for (const call of [...this.calls]) {
      this.settle(call, () => {
        for (const entry of call.entries) this.finish(entry, cause);
        this.release(call.entries, new Set());
      });
      call.controller.abort();
    }
    for (const entry of this.arrivals.toArray()) {
      if (entry.state === 'queued') this.failQueued(entry, cause);
      else if (entry.state === 'backoff') this.finish(entry, cause);
    }
    this.arrivals.clear();
    this.openAggregates.clear();
    this.pump();
  }

  private pendingRecords(): number {
    return this.counters.put - this.counters.delivered - this.counters.failed;
  }

  private hasCapacity(): boolean {
    return this.pendingRecords() < this.maxBufferedRecords && this.pendingBytes < this.maxBufferedBytes;
  }

  private settleWaiters(): void {
    if (this.capacityWaiters.length > 0 && (this.hasCapacity() || this.stopped)) {
      const waiters = this.capacityWaiters;
      this.capacityWaiters = [];
      waiters.forEach((w) => w());
    }
    if (this.flushWaiters.length > 0 && this.pendingRecords() === 0) {
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
  }
}
