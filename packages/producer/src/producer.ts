import { randomUUID } from 'crypto';
import { PutRecordsCommand, PutRecordsCommandOutput, PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { Aggregator } from './aggregation';
import { backoffDelay, BackoffOptions } from './backoff';
import { isValidExplicitHashKey, KinesisLimits, recordBytes } from './limits';
import { PartitionKeys, Routing } from './partition-keys';

/** The one call the producer makes; a KinesisClient fits, and tests can wrap it. */
export interface PutRecordsClient {
  send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput>;
}

/** Options of {@link KinesisProducer}. */
export interface KinesisProducerOptions {
  /** Client used for PutRecords (e.g. `new KinesisClient({})`, standard credential chain). */
  readonly client: PutRecordsClient;
  /** Stream name (or give `streamArn`). */
  readonly streamName?: string;
  /** Stream ARN (or give `streamName`). */
  readonly streamArn?: string;
  /** How records are routed when `put` gets no partition key. @default PartitionKeys.random() */
  readonly partitionKeys?: PartitionKeys;
  /**
   * Longest time a record waits in the buffer before a PutRecords call is made for it,
   * like the KPL's RecordMaxBufferedTime. @default 100 ms
   */
  readonly maxBufferedTimeMs?: number;
  /**
   * Time after `put` by which a record must be delivered, like the KPL's RecordTtl.
   * Records not delivered by then are reported as failed (never silently dropped). @default 30000 ms
   */
  readonly recordTtlMs?: number;
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
  /** Records buffered before `waitForCapacity()` blocks. @default 20000 */
  readonly maxBufferedRecords?: number;
  /** Backoff of retried entries. @default full jitter, 100 ms base, 5 s cap */
  readonly backoff?: BackoffOptions;
  /**
   * Keep records of one partition key in order even when entries are retried: at most one
   * Kinesis record per ordering key is in flight at a time (a failed one is retried before
   * the next is sent). Costs throughput with few keys and no aggregation.
   * @default true
   */
  readonly preserveOrder?: boolean;
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
  /** Injectable random source for backoff jitter (tests). @default Math.random */
  readonly random?: () => number;
}

/** Per-put options. */
export interface PutOptions {
  /** Partition key (otherwise from the `partitionKeys` strategy). */
  readonly partitionKey?: string;
  /** Explicit hash key (decimal, 0 to 2^128 - 1). */
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
  /** Why it failed (Kinesis error code, `RecordTtlExceeded`, `RecordTooLarge`, ...). */
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
}

/** What `close()` returns. */
export interface ProducerSummary extends ProducerStats {
  readonly failures: FailedRecord[];
}

interface Pending {
  readonly id?: string;
  readonly input: unknown;
  readonly data: Buffer;
  readonly routing: Routing;
  readonly deadline: number;
  /** Routed by the strategy (not by per-put keys). */
  readonly byStrategy: boolean;
  readonly resolve: (result: RecordResult) => void;
}

interface Entry {
  readonly records: Pending[];
  readonly orderKey: string;
  readonly firstPutAt: number;
  aggregator?: Aggregator;
  sealed: boolean;
  deadline: number;
  attempts: number;
  notBefore: number;
  lastError?: { code: string; message: string };
  request?: PutRecordsRequestEntry;
  bytes: number;
}

const RETRYABLE_ENTRY_ERRORS = new Set(['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException']);
const RETRYABLE_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException', 'LimitExceededException', 'InternalFailure', 'InternalFailureException',
  'KMSThrottlingException', 'ThrottlingException', 'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout', 'TimeoutError',
]);
const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException', 'KMSThrottlingException', 'ThrottlingException']);

function isRetryableCallError(error: any): boolean {
  if (RETRYABLE_CALL_ERRORS.has(error?.name)) return true;
  if (error?.$retryable) return true;
  const status = error?.$metadata?.httpStatusCode;
  if (status === undefined) return true; // no HTTP response: network error, connection reset
  return status >= 500;
}

/**
 * A Kinesis producer on `@aws-sdk/client-kinesis` (notes 1.1: producers, PutRecords,
 * partial failures, duplicates caused by retries).
 *
 * - Buffers records for at most `maxBufferedTimeMs` and sends them with PutRecords within
 *   AWS's limits (500 records, 5 MiB per call; 1 MiB per record including the partition key).
 * - PutRecords is not atomic: a response can fail some entries (FailedRecordCount > 0).
 *   Only those are retried, with exponential backoff and full jitter, until the record's TTL;
 *   records still failing then are reported through `put`'s result and `close()`'s
 *   `failures`, never dropped.
 * - Each object record carries a unique id (`idField`), so a consumer can drop the
 *   duplicates that a retry of an already-written entry creates.
 * - Optional KPL-compatible aggregation.
 */
export class KinesisProducer {
  private readonly client: PutRecordsClient;
  private readonly partitionKeys: PartitionKeys;
  private readonly maxBufferedTimeMs: number;
  private readonly recordTtlMs: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly maxRecordBytes: number;
  private readonly maxInFlight: number;
  private readonly maxBufferedRecords: number;
  private readonly preserveOrder: boolean;
  private readonly aggregate: boolean;
  private readonly aggregationMaxBytes: number;
  private readonly idField: string | false;
  private readonly random: () => number;

  private queue: Entry[] = [];
  private readonly openAggregates = new Map<string, Entry>();
  private readonly inFlightKeys = new Set<string>();
  private inFlight = 0;
  private queuedBytes = 0;
  private index = 0;
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private flushWaiters: Array<() => void> = [];
  private capacityWaiters: Array<() => void> = [];
  private flushing = 0;
  private readonly failures: FailedRecord[] = [];
  private counters = { put: 0, delivered: 0, failed: 0, bytesDelivered: 0, putRecordsCalls: 0, kinesisRecords: 0, retries: 0, throttles: 0 };

  constructor(private readonly options: KinesisProducerOptions) {
    if (!options.streamName && !options.streamArn) throw new Error('KinesisProducer needs streamName or streamArn');
    this.client = options.client;
    this.partitionKeys = options.partitionKeys ?? PartitionKeys.random();
    this.maxBufferedTimeMs = options.maxBufferedTimeMs ?? 100;
    this.recordTtlMs = options.recordTtlMs ?? 30_000;
    this.maxRecords = options.maxRecordsPerRequest ?? KinesisLimits.MAX_RECORDS_PER_REQUEST;
    this.maxBytes = options.maxBytesPerRequest ?? KinesisLimits.MAX_BYTES_PER_REQUEST;
    this.maxRecordBytes = options.maxRecordBytes ?? KinesisLimits.MAX_RECORD_BYTES;
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxBufferedRecords = options.maxBufferedRecords ?? 20_000;
    this.preserveOrder = options.preserveOrder ?? true;
    this.aggregate = options.aggregate ?? false;
    this.aggregationMaxBytes = options.aggregationMaxBytes ?? 51_200;
    this.idField = options.idField ?? 'recordId';
    this.random = options.random ?? Math.random;
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
  }

  /** Current counters. */
  public get stats(): ProducerStats {
    return { ...this.counters, pending: this.pendingRecords() };
  }

  /**
   * Buffers a record. `data` is an object (sent as JSON with the id field added), a string
   * or bytes. The promise resolves when the record is delivered or finally failed; it never rejects.
   */
  public put(data: unknown, options: PutOptions = {}): Promise<RecordResult> {
    const index = this.index++;
    this.counters.put++;
    const now = Date.now();
    let id = options.id;
    let payload: Buffer;
    if (typeof data === 'string') {
      payload = Buffer.from(data, 'utf8');
    } else if (data instanceof Uint8Array) {
      payload = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    } else if (this.idField !== false && data !== null && typeof data === 'object' && !Array.isArray(data)) {
      const own = (data as Record<string, unknown>)[this.idField];
      id = id ?? (typeof own === 'string' && own.length > 0 ? own : randomUUID());
      payload = Buffer.from(JSON.stringify({ [this.idField]: id, ...(data as object), ...(own === id ? {} : { [this.idField]: id }) }), 'utf8');
    } else {
      payload = Buffer.from(JSON.stringify(data) ?? 'null', 'utf8');
    }
    const routed = options.partitionKey !== undefined ? { partitionKey: options.partitionKey } : this.partitionKeys.route(data, index);
    const routing: Routing = { partitionKey: routed.partitionKey, explicitHashKey: options.explicitHashKey ?? routed.explicitHashKey };

    return new Promise<RecordResult>((resolve) => {
      const byStrategy = options.partitionKey === undefined && options.explicitHashKey === undefined;
      const pending: Pending = { id, input: data, data: payload, routing, byStrategy, deadline: now + this.recordTtlMs, resolve };
      const invalid = this.invalid(pending);
      if (invalid) {
        this.fail([pending], invalid.code, invalid.message, 0);
        return;
      }
      this.enqueue(pending, now);
    });
  }

  /** Resolves when fewer than `maxBufferedRecords` records are waiting (backpressure). */
  public waitForCapacity(): Promise<void> {
    if (this.pendingRecords() < this.maxBufferedRecords) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Sends everything buffered now and resolves when every record so far is delivered or failed. */
  public async flush(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return;
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

  /** Flushes and returns the final counters and every failed record. */
  public async close(): Promise<ProducerSummary> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    return { ...this.stats, failures: [...this.failures] };
  }

  private pendingRecords(): number {
    return this.counters.put - this.counters.delivered - this.counters.failed;
  }

  private invalid(p: Pending): { code: string; message: string } | undefined {
    const pk = p.routing.partitionKey;
    const chars = [...pk].length;
    if (chars < 1 || chars > KinesisLimits.MAX_PARTITION_KEY_CHARS) {
      return { code: 'InvalidPartitionKey', message: `partition key must have 1 to 256 characters, has ${chars}` };
    }
    if (p.routing.explicitHashKey !== undefined && !isValidExplicitHashKey(p.routing.explicitHashKey)) {
      return { code: 'InvalidExplicitHashKey', message: `explicit hash key must be a decimal from 0 to 2^128-1, got ${p.routing.explicitHashKey}` };
    }
    const bytes = recordBytes(p.data, pk);
    if (bytes > this.maxRecordBytes) {
      return { code: 'RecordTooLarge', message: `record is ${bytes} bytes with its partition key; the stream allows ${this.maxRecordBytes}` };
    }
    return undefined;
  }

  private orderKey(routing: Routing): string {
    return routing.explicitHashKey !== undefined ? `h:${routing.explicitHashKey}` : `p:${routing.partitionKey}`;
  }

  private enqueue(p: Pending, now: number): void {
    const orderKey = this.orderKey(p.routing);
    const record = { data: p.data, partitionKey: p.routing.partitionKey, explicitHashKey: p.routing.explicitHashKey };
    if (this.aggregate) {
      // random routing needs no per-key order: any records may share an aggregate
      const group = this.partitionKeys.anyKeyOrder && p.byStrategy ? '*' : orderKey;
      let open = this.openAggregates.get(group);
      if (open && open.aggregator!.kinesisBytesWith(record) > this.aggregationMaxBytes) {
        this.seal(open);
        open = undefined;
      }
      if (!open) {
        const aggregator = new Aggregator();
        open = { records: [], orderKey: group === '*' ? `p:${p.routing.partitionKey}` : orderKey, firstPutAt: now, aggregator, sealed: false, deadline: p.deadline, attempts: 0, notBefore: 0, bytes: 0 };
        this.openAggregates.set(group, open);
        this.queue.push(open);
      }
      this.queuedBytes -= open.bytes;
      open.aggregator!.add(record);
      open.records.push(p);
      open.bytes = open.aggregator!.kinesisBytes;
      this.queuedBytes += open.bytes;
    } else {
      const entry: Entry = { records: [p], orderKey, firstPutAt: now, sealed: true, deadline: p.deadline, attempts: 0, notBefore: 0, bytes: recordBytes(p.data, p.routing.partitionKey) };
      entry.request = { Data: p.data, PartitionKey: p.routing.partitionKey, ExplicitHashKey: p.routing.explicitHashKey };
      this.queue.push(entry);
      this.queuedBytes += entry.bytes;
    }
    if (this.queue.length >= this.maxRecords || this.queuedBytes >= this.maxBytes || this.flushing > 0) {
      this.pump();
    } else {
      this.wakeAt(now + this.maxBufferedTimeMs);
    }
  }

  /** Freezes an open aggregate into its PutRecords entry. */
  private seal(entry: Entry): void {
    if (entry.sealed) return;
    entry.sealed = true;
    for (const [group, open] of this.openAggregates) {
      if (open === entry) this.openAggregates.delete(group);
    }
    if (entry.records.length === 1) {
      // one record alone is sent plain: smaller, and readable by consumers that do not de-aggregate
      const p = entry.records[0];
      entry.request = { Data: p.data, PartitionKey: p.routing.partitionKey, ExplicitHashKey: p.routing.explicitHashKey };
    } else {
      const encoded = entry.aggregator!.encode();
      entry.request = { Data: encoded.data, PartitionKey: encoded.partitionKey, ExplicitHashKey: encoded.explicitHashKey };
    }
    this.queuedBytes -= entry.bytes;
    entry.bytes = recordBytes(entry.request.Data!, entry.request.PartitionKey!);
    this.queuedBytes += entry.bytes;
    entry.aggregator = undefined;
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

  /** Picks the next PutRecords batch, or nothing if no batch is due yet. */
  private takeBatch(now: number): Entry[] | undefined {
    const batch: Entry[] = [];
    const blocked = new Set<string>(this.preserveOrder ? this.inFlightKeys : []);
    let bytes = 0;
    let due = this.flushing > 0;
    let full = false;
    const expired: Entry[] = [];
    for (const entry of this.queue) {
      if (entry.deadline < now) {
        expired.push(entry);
        continue;
      }
      if (this.preserveOrder && blocked.has(entry.orderKey)) continue;
      if (entry.notBefore > now) {
        blocked.add(entry.orderKey);
        continue;
      }
      const entryBytes = entry.sealed ? entry.bytes : entry.bytes + 1;
      // a record larger than a request (large-record streams) goes alone
      if (batch.length >= this.maxRecords || (batch.length > 0 && bytes + entryBytes > this.maxBytes)) {
        full = true;
        break;
      }
      batch.push(entry);
      bytes += entry.bytes;
      blocked.add(entry.orderKey);
      if (entry.attempts > 0 || now - entry.firstPutAt >= this.maxBufferedTimeMs) due = true;
    }
    for (const entry of expired) {
      this.remove(entry);
      const reason = entry.lastError ? ` (last error ${entry.lastError.code}: ${entry.lastError.message})` : '';
      this.fail(entry.records, 'RecordTtlExceeded', `not delivered within the record TTL of ${this.recordTtlMs} ms${reason}`, entry.attempts);
    }
    if (batch.length === 0 || !(due || full || batch.length >= this.maxRecords)) return undefined;
    for (const entry of batch) {
      this.seal(entry);
      this.remove(entry);
    }
    return batch;
  }

  private remove(entry: Entry): void {
    const i = this.queue.indexOf(entry);
    if (i >= 0) this.queue.splice(i, 1);
    this.queuedBytes -= entry.bytes;
    if (!entry.sealed) {
      for (const [group, open] of this.openAggregates) {
        if (open === entry) this.openAggregates.delete(group);
      }
    }
  }

  private pump(): void {
    const now = Date.now();
    while (this.inFlight < this.maxInFlight) {
      const batch = this.takeBatch(now);
      if (!batch) break;
      this.send(batch);
    }
    this.scheduleNext(now);
    this.settleWaiters();
  }

  private scheduleNext(now: number): void {
    let next = Infinity;
    for (const entry of this.queue) {
      const at = entry.attempts > 0 ? entry.notBefore : entry.firstPutAt + this.maxBufferedTimeMs;
      next = Math.min(next, at, entry.deadline + 1);
    }
    if (next < Infinity && this.inFlight < this.maxInFlight) this.wakeAt(Math.max(next, now + 1));
  }

  private settleWaiters(): void {
    if (this.pendingRecords() < this.maxBufferedRecords && this.capacityWaiters.length > 0) {
      const waiters = this.capacityWaiters;
      this.capacityWaiters = [];
      waiters.forEach((w) => w());
    }
    if (this.queue.length === 0 && this.inFlight === 0 && this.flushWaiters.length > 0) {
      const waiters = this.flushWaiters;
      this.flushWaiters = [];
      waiters.forEach((w) => w());
    }
  }

  private send(batch: Entry[]): void {
    this.inFlight++;
    for (const e of batch) {
      this.inFlightKeys.add(e.orderKey);
      e.attempts++;
    }
    this.counters.putRecordsCalls++;
    const command = new PutRecordsCommand({
      StreamName: this.options.streamName,
      StreamARN: this.options.streamArn,
      Records: batch.map((e) => e.request!),
    });
    this.client.send(command).then(
      (output) => this.onResponse(batch, output),
      (error) => this.onError(batch, error),
    ).catch((error) => {
      process.emitWarning(`KinesisProducer: unexpected error handling a PutRecords result: ${error}`);
    }).finally(() => {
      this.inFlight--;
      for (const e of batch) this.inFlightKeys.delete(e.orderKey);
      this.pump();
    });
  }

  private onResponse(batch: Entry[], output: PutRecordsCommandOutput): void {
    const results = output.Records ?? [];
    const retry: Entry[] = [];
    batch.forEach((entry, i) => {
      const r = results[i];
      if (r && !r.ErrorCode && r.SequenceNumber) {
        this.counters.kinesisRecords++;
        for (const p of entry.records) {
          this.counters.delivered++;
          this.counters.bytesDelivered += p.data.length;
          p.resolve({ id: p.id, ok: true, attempts: entry.attempts, shardId: r.ShardId, sequenceNumber: r.SequenceNumber });
        }
        return;
      }
      const code = r?.ErrorCode ?? 'MissingResult';
      const message = r?.ErrorMessage ?? 'no result for this entry in the PutRecords response';
      entry.lastError = { code, message };
      if (THROTTLES.has(code)) this.counters.throttles++;
      if (RETRYABLE_ENTRY_ERRORS.has(code) || code === 'MissingResult') {
        retry.push(entry);
      } else {
        this.fail(entry.records, code, message, entry.attempts);
      }
    });
    this.requeue(retry);
  }

  private onError(batch: Entry[], error: any): void {
    const code: string = error?.name ?? 'Error';
    const message: string = error?.message ?? String(error);
    if (THROTTLES.has(code)) this.counters.throttles += batch.length;
    if (!isRetryableCallError(error)) {
      for (const entry of batch) this.fail(entry.records, code, message, entry.attempts);
      return;
    }
    for (const entry of batch) entry.lastError = { code, message };
    this.requeue(batch);
  }

  /** Puts failed entries back at the front of the queue after a backoff, or fails them past their TTL. */
  private requeue(entries: Entry[]): void {
    const now = Date.now();
    const back: Entry[] = [];
    for (const entry of entries) {
      const delay = backoffDelay(entry.attempts, this.options.backoff, this.random);
      if (now + delay > entry.deadline) {
        const last = entry.lastError!;
        this.fail(entry.records, 'RecordTtlExceeded',
          `not delivered within the record TTL of ${this.recordTtlMs} ms after ${entry.attempts} attempt(s) (last error ${last.code}: ${last.message})`, entry.attempts);
        continue;
      }
      entry.notBefore = now + delay;
      this.counters.retries++;
      back.push(entry);
      this.queuedBytes += entry.bytes;
    }
    this.queue = [...back, ...this.queue];
  }

  private fail(records: Pending[], code: string, message: string, attempts: number): void {
    for (const p of records) {
      this.counters.failed++;
      const result: RecordResult = { id: p.id, ok: false, attempts, errorCode: code, errorMessage: message };
      this.failures.push({ ...result, record: p.input });
      p.resolve(result);
    }
  }
}
