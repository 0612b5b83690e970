import { PutRecordsCommand, PutRecordsCommandOutput, PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { deaggregate, KinesisProducer, PartitionKeys, PutRecordsClient } from '../src';
import { createStream, LocalKinesis, readAll, startKinesalite } from './local-kinesis';

interface Event {
  readonly recordId?: string;
  readonly device: string;
  readonly seq: number;
  readonly payload: string;
}

let local: LocalKinesis;
let streams = 0;

beforeAll(async () => {
  local = await startKinesalite();
});
afterAll(async () => {
  await local.stop();
});

async function newStream(shards = 4): Promise<string> {
  const name = `producer-test-${++streams}`;
  await createStream(local.client, name, shards);
  return name;
}

function events(count: number, devices: number): Event[] {
  const seq = new Map<string, number>();
  return Array.from({ length: count }, (_, i) => {
    const device = `device-${i % devices}`;
    const n = (seq.get(device) ?? 0) + 1;
    seq.set(device, n);
    return { device, seq: n, payload: `reading ${i}` };
  });
}

/** Reads the stream back, de-aggregates, and checks nothing is lost, duplicated or reordered per key. */
async function expectExactlyOnceInOrder(stream: string, sent: Event[], options: { expectedIds?: Set<string> } = {}) {
  const raw = await readAll(local.client, stream);
  const users = raw.flatMap((r) => deaggregate(r.data, r.partitionKey).map((u) => ({ shardId: r.shardId, ...u })));
  const decoded = users.map((u) => ({ shardId: u.shardId, pk: u.partitionKey, event: JSON.parse(Buffer.from(u.data).toString('utf8')) as Required<Event> }));
  const ids = decoded.map((d) => d.event.recordId);
  expect(new Set(ids).size).toBe(ids.length); // no duplicate
  expect(decoded).toHaveLength(options.expectedIds?.size ?? sent.length); // none lost
  if (options.expectedIds) expect(new Set(ids)).toEqual(options.expectedIds);
  // order per partition key: records of one device are on one shard, in sequence
  const lastSeq = new Map<string, number>();
  const shardOf = new Map<string, string>();
  for (const d of decoded) {
    expect(d.pk).toBe(d.event.device);
    expect(shardOf.get(d.pk) ?? d.shardId).toBe(d.shardId);
    shardOf.set(d.pk, d.shardId);
    expect(d.event.seq).toBeGreaterThan(lastSeq.get(d.pk) ?? 0);
    lastSeq.set(d.pk, d.event.seq);
  }
  if (!options.expectedIds) {
    for (const e of sent) expect(lastSeq.get(e.device)).toBeGreaterThanOrEqual(e.seq);
  }
  return { raw, decoded };
}

/**
 * Wraps a real client and makes a share of the entries fail with
 * ProvisionedThroughputExceededException: those entries are not written, the others are,
 * and the response merges both, exactly as Kinesis reports a partial failure.
 */
class FlakyClient implements PutRecordsClient {
  public calls = 0;
  public injected = 0;
  private state: number;
  constructor(private readonly inner: PutRecordsClient, private readonly share: number, seed = 42,
    private readonly alwaysFail: (pk: string) => boolean = () => false) {
    this.state = seed;
  }
  public async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    this.calls++;
    const entries = command.input.Records ?? [];
    const fail = entries.map((e) => this.alwaysFail(e.PartitionKey!) || this.next() < this.share);
    const keep = entries.filter((_, i) => !fail[i]);
    const written = keep.length > 0
      ? await this.inner.send(new PutRecordsCommand({ ...command.input, Records: keep }))
      : { Records: [], FailedRecordCount: 0, $metadata: {} };
    let k = 0;
    const records: PutRecordsResultEntry[] = fail.map((f) => {
      if (!f) return written.Records![k++];
      this.injected++;
      return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard (injected)' };
    });
    return { ...written, Records: records, FailedRecordCount: records.filter((r) => r.ErrorCode).length };
  }
  private next(): number {
    // xorshift: deterministic failures for a reproducible test
    this.state ^= this.state << 13; this.state ^= this.state >>> 17; this.state ^= this.state << 5;
    return ((this.state >>> 0) % 10000) / 10000;
  }
}

describe('KinesisProducer against kinesalite', () => {
  test('3,000 records over 4 shards: none lost, none duplicated, order kept per partition key, calls near ceil(N/500)', async () => {
    const stream = await newStream(4);
    // one key per record: the batches can be full
    const producer = new KinesisProducer({ client: local.client, streamName: stream, partitionKeys: PartitionKeys.field('device'), maxBufferedTimeMs: 50 });
    const sent = events(3000, 3000);
    const results = await Promise.all(sent.map((e) => producer.put(e)));
    const summary = await producer.close();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(summary).toMatchObject({ put: 3000, delivered: 3000, failed: 0, pending: 0, retries: 0, kinesisRecords: 3000 });
    expect(summary.putRecordsCalls).toBe(Math.ceil(3000 / 500));
    const { raw } = await expectExactlyOnceInOrder(stream, sent);
    expect(new Set(raw.map((r) => r.shardId)).size).toBe(4);
  });

  test('strictOrder, random partial failures scripted over kinesalite (25 % of entries refused): every record delivered exactly once and in order per key', async () => {
    const stream = await newStream(4);
    const flaky = new FlakyClient(local.client, 0.25);
    const producer = new KinesisProducer({
      client: flaky,
      streamName: stream,
      partitionKeys: PartitionKeys.field('device'),
      strictOrder: true,
      maxBufferedTimeMs: 20,
      backoff: { baseDelayMs: 5, maxDelayMs: 50 },
      recordTtlMs: 60_000,
    });
    const sent = events(2000, 100);
    const results = await Promise.all(sent.map((e) => producer.put(e)));
    const summary = await producer.close();
    expect(flaky.injected).toBeGreaterThan(200);
    expect(summary.retries).toBe(flaky.injected);
    expect(summary.throttles).toBe(flaky.injected);
    expect(summary).toMatchObject({ delivered: 2000, failed: 0 });
    expect(results.filter((r) => r.attempts > 1).length).toBeGreaterThan(0);
    await expectExactlyOnceInOrder(stream, sent);
  });

  test('records still failing at their deadline (failures scripted over kinesalite) are reported with their data, not dropped', async () => {
    const stream = await newStream(2);
    const flaky = new FlakyClient(local.client, 0.1, 7, (pk) => pk === 'device-3');
    const producer = new KinesisProducer({
      client: flaky,
      streamName: stream,
      partitionKeys: PartitionKeys.field('device'),
      strictOrder: true,
      maxBufferedTimeMs: 10,
      recordTtlMs: 1500,
      backoff: { baseDelayMs: 20, maxDelayMs: 100 },
    });
    const sent = events(500, 100);
    const results = await Promise.all(sent.map((e) => producer.put(e)));
    const summary = await producer.close();
    const doomed = sent.filter((e) => e.device === 'device-3');
    expect(summary.failed).toBe(doomed.length);
    expect(summary.delivered).toBe(500 - doomed.length);
    expect(summary.failures.map((f) => f.record)).toEqual(doomed);
    for (const f of summary.failures) {
      expect(f.errorCode).toBe('RecordTtlExceeded');
      expect(f.errorMessage).toContain('ProvisionedThroughputExceededException');
      expect(f.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(results.filter((r) => !r.ok).map((r) => r.id)).toEqual(summary.failures.map((f) => f.id));
    const delivered = new Set(results.filter((r) => r.ok).map((r) => r.id!));
    await expectExactlyOnceInOrder(stream, sent, { expectedIds: delivered });
  });

  test('KPL aggregation: 3,000 user records in far fewer Kinesis records, de-aggregated intact, under partial failures scripted over kinesalite', async () => {
    const stream = await newStream(4);
    const flaky = new FlakyClient(local.client, 0.2, 99);
    const producer = new KinesisProducer({
      client: flaky,
      streamName: stream,
      partitionKeys: PartitionKeys.field('device'),
      aggregate: true,
      maxBufferedTimeMs: 20,
      backoff: { baseDelayMs: 5, maxDelayMs: 50 },
    });
    const sent = events(3000, 40);
    for (const e of sent) void producer.put(e);
    const summary = await producer.close();
    expect(summary).toMatchObject({ delivered: 3000, failed: 0 });
    expect(summary.kinesisRecords).toBeLessThan(300);
    const { raw } = await expectExactlyOnceInOrder(stream, sent);
    expect(raw.length).toBe(summary.kinesisRecords);
  });
});
