import { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { backoffDelay, KinesisLimits, KinesisProducer, PartitionKeys, PutRecordsClient, partitionKeyHash } from '../src';

/** Records every PutRecords call and answers with success (or what `answer` says). */
class FakeClient implements PutRecordsClient {
  public readonly calls: PutRecordsCommand['input'][] = [];
  constructor(private readonly answer?: (input: PutRecordsCommand['input'], call: number) => PutRecordsCommandOutput | Error) {}
  public async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    this.calls.push(command.input);
    const custom = this.answer?.(command.input, this.calls.length);
    if (custom instanceof Error) throw custom;
    return custom ?? {
      $metadata: {},
      FailedRecordCount: 0,
      Records: (command.input.Records ?? []).map((_, i) => ({ ShardId: 'shardId-000000000000', SequenceNumber: `${this.calls.length}-${i}` })),
    };
  }
}

function callBytes(input: PutRecordsCommand['input']): number {
  return (input.Records ?? []).reduce((n, r) => n + r.Data!.length + Buffer.byteLength(r.PartitionKey!), 0);
}

describe('batching within PutRecords limits', () => {
  test('1,200 small records make calls of 500, 500 and 200', async () => {
    const client = new FakeClient();
    const producer = new KinesisProducer({ client, streamName: 's', maxBufferedTimeMs: 10_000 });
    for (let i = 0; i < 1200; i++) void producer.put({ i });
    const summary = await producer.close();
    expect(client.calls.map((c) => c.Records!.length)).toEqual([500, 500, 200]);
    expect(summary).toMatchObject({ put: 1200, delivered: 1200, putRecordsCalls: 3 });
  });

  test('large records: no call above 5 MiB, no record above 1 MiB with its key', async () => {
    const client = new FakeClient();
    const producer = new KinesisProducer({ client, streamName: 's', maxBufferedTimeMs: 10_000 });
    const big = 'x'.repeat(1000 * 1024);
    for (let i = 0; i < 12; i++) void producer.put(big, { partitionKey: `k${i}` });
    await producer.close();
    expect(client.calls.map((c) => c.Records!.length)).toEqual([5, 5, 2]);
    for (const c of client.calls) expect(callBytes(c)).toBeLessThanOrEqual(KinesisLimits.MAX_BYTES_PER_REQUEST);
  });

  test('a record over 1 MiB including its partition key is reported, not sent', async () => {
    const client = new FakeClient();
    const producer = new KinesisProducer({ client, streamName: 's' });
    const pk = 'k'.repeat(10);
    const result = await producer.put(Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES - 9), { partitionKey: pk });
    const fits = await producer.put(Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES - 10), { partitionKey: pk });
    const summary = await producer.close();
    expect(result).toMatchObject({ ok: false, errorCode: 'RecordTooLarge', attempts: 0 });
    expect(fits.ok).toBe(true);
    expect(summary.failures).toHaveLength(1);
    expect(client.calls).toHaveLength(1);
  });

  test('streams with a raised maximum record size: up to 10 MiB, a record above 5 MiB goes alone', async () => {
    const client = new FakeClient();
    const producer = new KinesisProducer({ client, streamName: 's', maxRecordBytes: 10 * 1024 * 1024, maxBufferedTimeMs: 10_000 });
    const results = await Promise.all([
      producer.put(Buffer.alloc(100), { partitionKey: 'a' }),
      producer.put(Buffer.alloc(6 * 1024 * 1024), { partitionKey: 'b' }),
      producer.put(Buffer.alloc(100), { partitionKey: 'c' }),
      producer.put(Buffer.alloc(10 * 1024 * 1024), { partitionKey: 'd' }),
      producer.flush().then(() => ({ ok: true })),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, true]);
    expect(client.calls.map((c) => c.Records!.map((r) => r.PartitionKey).join(''))).toEqual(['a', 'b', 'c']);
    expect(() => new KinesisProducer({ client, streamName: 's', maxRecordBytes: 11 * 1024 * 1024 })).toThrow(/maxRecordBytes/);
  });

  test('invalid partition and explicit hash keys are reported', async () => {
    const producer = new KinesisProducer({ client: new FakeClient(), streamName: 's' });
    expect(await producer.put('a', { partitionKey: '' })).toMatchObject({ ok: false, errorCode: 'InvalidPartitionKey' });
    expect(await producer.put('a', { partitionKey: 'é'.repeat(257) })).toMatchObject({ ok: false, errorCode: 'InvalidPartitionKey' });
    expect(await producer.put('a', { partitionKey: 'é'.repeat(256) })).toMatchObject({ ok: true });
    expect(await producer.put('a', { partitionKey: 'p', explicitHashKey: (1n << 128n).toString() })).toMatchObject({ ok: false, errorCode: 'InvalidExplicitHashKey' });
    expect(await producer.put('a', { partitionKey: 'p', explicitHashKey: ((1n << 128n) - 1n).toString() })).toMatchObject({ ok: true });
  });

  test('a lone record is sent after maxBufferedTime without flush', async () => {
    const client = new FakeClient();
    const producer = new KinesisProducer({ client, streamName: 's', maxBufferedTimeMs: 30 });
    const started = Date.now();
    const result = await producer.put({ a: 1 });
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    expect(client.calls).toHaveLength(1);
  });

  test('options outside AWS limits are refused', () => {
    const client = new FakeClient();
    expect(() => new KinesisProducer({ client, streamName: 's', maxRecordsPerRequest: 501 })).toThrow(/maxRecordsPerRequest must be a whole number from 1 to 500, got 501/);
    expect(() => new KinesisProducer({ client, streamName: 's', aggregationMaxBytes: 2 * 1024 * 1024 })).toThrow(/aggregationMaxBytes/);
    expect(() => new KinesisProducer({ client })).toThrow(/streamName or streamArn/);
  });
});

describe('record ids', () => {
  test('object records get a unique recordId; an existing one is kept; strings are sent as-is', async () => {
    const client = new FakeClient();
    const producer = new KinesisProducer({ client, streamName: 's' });
    const a = await producer.put({ v: 1 });
    const b = await producer.put({ v: 2, recordId: 'mine' });
    const c = await producer.put('plain text', { partitionKey: 'p' });
    await producer.close();
    const sent = client.calls.flatMap((x) => x.Records!).map((r) => Buffer.from(r.Data!).toString());
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(sent[0])).toEqual({ recordId: a.id, v: 1 });
    expect(b.id).toBe('mine');
    expect(JSON.parse(sent[1])).toEqual({ recordId: 'mine', v: 2 });
    expect(c.id).toBeUndefined();
    expect(sent[2]).toBe('plain text');
  });
});

describe('retries', () => {
  test('only the failed entries of a partial failure are retried', async () => {
    const client = new FakeClient((input, call) => call === 1 ? {
      $metadata: {},
      FailedRecordCount: 2,
      Records: input.Records!.map((_, i) => (i === 1 || i === 3
        ? { ErrorCode: i === 1 ? 'ProvisionedThroughputExceededException' : 'InternalFailure', ErrorMessage: 'x' }
        : { ShardId: 'shardId-0', SequenceNumber: `${i}` })),
    } : undefined as any);
    const producer = new KinesisProducer({ client, streamName: 's', backoff: { baseDelayMs: 1, maxDelayMs: 5 } });
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => producer.put(`r${i}`, { partitionKey: `k${i}` })));
    const summary = await producer.close();
    expect(client.calls[1].Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual(['r1', 'r3']);
    expect(results.map((r) => r.attempts)).toEqual([1, 2, 1, 2, 1]);
    expect(summary).toMatchObject({ delivered: 5, retries: 2, throttles: 1, putRecordsCalls: 2 });
  });

  test('a throttled call is retried whole; a non-retryable error fails the records at once', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } });
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const client = new FakeClient((_input, call) => (call === 1 ? throttled : call === 3 ? denied : undefined as any));
    const producer = new KinesisProducer({ client, streamName: 's', backoff: { baseDelayMs: 1, maxDelayMs: 2 } });
    const first = await Promise.all([producer.put('a', { partitionKey: 'a' }), producer.put('b', { partitionKey: 'b' })]);
    const second = await producer.put('c', { partitionKey: 'c' });
    const summary = await producer.close();
    expect(first.map((r) => [r.ok, r.attempts])).toEqual([[true, 2], [true, 2]]);
    expect(second).toMatchObject({ ok: false, errorCode: 'AccessDeniedException', attempts: 1 });
    expect(summary).toMatchObject({ delivered: 2, failed: 1, throttles: 2, retries: 2 });
  });

  test('with preserveOrder, a retried entry goes before the next records of its key, alone until it succeeds; then they share a call', async () => {
    let failedOnce = false;
    const client = new FakeClient((input) => {
      if (failedOnce) return undefined as any;
      failedOnce = true;
      return { $metadata: {}, FailedRecordCount: 1, Records: input.Records!.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'x' })) };
    });
    const producer = new KinesisProducer({ client, streamName: 's', maxBufferedTimeMs: 0, backoff: { baseDelayMs: 10, maxDelayMs: 10 } });
    await Promise.all(['1', '2', '3'].map((v) => producer.put(v, { partitionKey: 'same' })));
    await producer.close();
    const order = client.calls.map((c) => c.Records!.map((r) => Buffer.from(r.Data!).toString()).join(','));
    expect(order).toEqual(['1', '1', '2,3']);
  });
});

describe('backoff', () => {
  test('full jitter between 0 and min(cap, base * 2^(n-1))', () => {
    expect(backoffDelay(1, { baseDelayMs: 100 }, () => 0.999)).toBe(99);
    expect(backoffDelay(4, { baseDelayMs: 100 }, () => 0.5)).toBe(400);
    expect(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 5000 }, () => 0.999)).toBe(4995);
    expect(backoffDelay(3, {}, () => 0)).toBe(0);
  });
});

describe('partition keys', () => {
  test('field, random and round-robin explicit hash keys', () => {
    expect(PartitionKeys.field('device.id').route({ device: { id: 42 } }, 0)).toEqual({ partitionKey: '42' });
    expect(PartitionKeys.field('x', { ifMissing: 'random' }).route({}, 0).partitionKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(PartitionKeys.field('x', { ifTooLong: 'hash' }).route({ x: 'k'.repeat(300) }, 0).partitionKey).toHaveLength(64);
    const r = PartitionKeys.random();
    expect(r.route({}, 0).partitionKey).not.toBe(r.route({}, 1).partitionKey);
    const rr = PartitionKeys.roundRobin(4);
    const keys = [0, 1, 2, 3, 4].map((i) => BigInt(rr.route({}, i).explicitHashKey!));
    const quarter = (1n << 128n) / 4n;
    expect(keys.map((k) => Number(k / quarter))).toEqual([0, 1, 2, 3, 0]);
    expect(partitionKeyHash('a')).toBe(BigInt('0x0cc175b9c0f1b6a831c399e269772661'));
  });
});
