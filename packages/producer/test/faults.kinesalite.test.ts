/**
 * Issue 11, library side: the producer against kinesalite behind a fault-injecting proxy
 * (slow, hanging, dropping, refusing, failing). Every record must end within its TTL,
 * delivered or failed with a cause; close() must always finish. Tests whose title says
 * "scripted client" use a fake PutRecords client instead (no server); "scripted over kinesalite"
 * means a client that writes to kinesalite but scripts which entries fail; "SDK client, no server"
 * means the real SDK client failing before any request.
 */
import { KinesisClient, PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createKinesisClient, deaggregate, FailedRecord, KinesisProducer, PartitionKeys, PutRecordsClient, RecordResult } from '../src';
import { FaultProxy } from './fault-proxy';
import { createStream, LocalKinesis, readAll, startKinesalite } from './local-kinesis';

let local: LocalKinesis;
let proxy: FaultProxy;
let streams = 0;
const clients: KinesisClient[] = [];

beforeAll(async () => {
  local = await startKinesalite();
  proxy = await FaultProxy.start(local.endpoint);
});
afterEach(async () => {
  await proxy.set({ mode: 'pass' });
  clients.splice(0).forEach((c) => c.destroy());
});
afterAll(async () => {
  await proxy.stop();
  await local.stop();
});

async function newStream(shards = 2): Promise<string> {
  const name = `faults-${++streams}`;
  await createStream(local.client, name, shards);
  return name;
}

/** A client through the proxy, with the producer's own timeouts doing the work. */
function proxied(requestTimeoutMs = 10_000): KinesisClient {
  const client = createKinesisClient({ endpoint: proxy.endpoint, requestTimeoutMs });
  clients.push(client);
  return client;
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function idsInStream(stream: string): Promise<string[]> {
  const raw = await readAll(local.client, stream);
  return raw.flatMap((r) => deaggregate(r.data, r.partitionKey)).map((u) => JSON.parse(Buffer.from(u.data).toString('utf8')).recordId);
}

/** Answers each call as `answer` says, or never (respecting the abort signal like the SDK does). */
class ScriptedClient implements PutRecordsClient {
  public readonly calls: PutRecordsCommand['input'][] = [];
  constructor(private readonly answer: (input: PutRecordsCommand['input'], call: number) => PutRecordsCommandOutput | Error | 'hang') {}
  public send(command: PutRecordsCommand, options?: { abortSignal?: AbortSignal }): Promise<PutRecordsCommandOutput> {
    this.calls.push(command.input);
    const answer = this.answer(command.input, this.calls.length);
    if (answer === 'hang') {
      return new Promise((_, reject) => options?.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }))));
    }
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  }
}

const ok = (input: PutRecordsCommand['input']): PutRecordsCommandOutput => ({
  $metadata: {}, FailedRecordCount: 0, Records: input.Records!.map((_, i) => ({ ShardId: 'shardId-0', SequenceNumber: `${i}` })),
});

describe('case 1: a server that never answers', () => {
  test('close() finishes within the TTL; every record is reported with the timeout as its cause', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'hang' });
    const producer = new KinesisProducer({ client: proxied(), streamName: stream, recordTtlMs: 1500, maxBufferedTimeMs: 10 });
    const results = Array.from({ length: 40 }, (_, i) => producer.put({ i }));
    const summary = await producer.close();
    expect(summary).toMatchObject({ put: 40, delivered: 0, failed: 40, pending: 0 });
    expect(summary.timeouts).toBeGreaterThanOrEqual(1);
    for (const r of await Promise.all(results)) {
      expect(r).toMatchObject({ ok: false, errorCode: 'RecordTtlExceeded' });
      expect(r.errorMessage).toMatch(/TimeoutError: PutRecords call aborted when the TTL of its earliest record ran out without an answer/);
    }
  }, 15_000);

  test('a call with no answer is aborted after requestTimeoutMs and retried: everything is delivered once the server answers', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'hang' });
    const producer = new KinesisProducer({
      client: proxied(), streamName: stream, requestTimeoutMs: 300, recordTtlMs: 20_000, backoff: { baseDelayMs: 10, maxDelayMs: 20 },
    });
    const before = proxy.requests;
    const results = Array.from({ length: 30 }, (_, i) => producer.put({ i }));
    await until(() => proxy.requests > before, 'the first call');
    await proxy.set({ mode: 'pass' });
    const summary = await producer.close();
    expect(summary).toMatchObject({ delivered: 30, failed: 0 });
    expect(summary.timeouts).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(results)).every((r) => r.ok && r.attempts >= 2)).toBe(true);
    expect(new Set(await idsInStream(stream)).size).toBe(30);
  }, 15_000);
});

describe('other faults: every record delivered or failed with the network cause', () => {
  test('dropped connections (before and after the server wrote the records) are retried; duplicates carry the same id', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'drop', dropAfterForward: true });
    const producer = new KinesisProducer({ client: proxied(), streamName: stream, backoff: { baseDelayMs: 10, maxDelayMs: 20 } });
    const before = proxy.requests;
    const results = Array.from({ length: 30 }, (_, i) => producer.put({ i }));
    await until(() => proxy.requests >= before + 2, 'two dropped calls');
    await proxy.set({ mode: 'drop' });
    await until(() => proxy.requests >= before + 4, 'two more dropped calls');
    await proxy.set({ mode: 'pass' });
    const summary = await producer.close();
    expect(summary).toMatchObject({ delivered: 30, failed: 0 });
    const ids = await idsInStream(stream);
    // the replies of the first calls were lost after the write: those records are there twice, with one id
    expect(ids.length).toBeGreaterThan(30);
    expect(new Set(ids)).toEqual(new Set((await Promise.all(results)).map((r) => r.id)));
  }, 15_000);

  test('a refusing server and HTTP 500s: retried until the TTL, then failed with the last network error', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'error' });
    const first = new KinesisProducer({ client: proxied(), streamName: stream, recordTtlMs: 800, backoff: { baseDelayMs: 10, maxDelayMs: 50 } });
    const failed500 = await Promise.all([first.put({ a: 1 }), first.put({ a: 2 })]);
    await first.close();
    expect(failed500.every((r) => !r.ok && r.attempts > 1 && /InternalFailure/.test(r.errorMessage!))).toBe(true);
    await proxy.set({ mode: 'refuse' });
    const second = new KinesisProducer({ client: proxied(), streamName: stream, recordTtlMs: 800, backoff: { baseDelayMs: 10, maxDelayMs: 50 } });
    const refused = await second.put({ b: 1 });
    await second.close();
    expect(refused).toMatchObject({ ok: false, errorCode: 'RecordTtlExceeded' });
    expect(refused.errorMessage).toContain('ECONNREFUSED');
  }, 15_000);

  test('a server that fails, then stops answering: the TTL failure names the timeout and the error of the earlier attempts', async () => {
    const stream = await newStream();
    await proxy.set({ mode: 'error' });
    const producer = new KinesisProducer({ client: proxied(), streamName: stream, recordTtlMs: 1500, backoff: { baseDelayMs: 10, maxDelayMs: 20 } });
    const before = proxy.requests;
    const result = producer.put({ c: 1 });
    await until(() => proxy.requests >= before + 2, 'two failed calls');
    await proxy.set({ mode: 'hang' });
    const r = await result;
    await producer.close();
    expect(r).toMatchObject({ ok: false, errorCode: 'RecordTtlExceeded' });
    expect(r.errorMessage).toMatch(/last error TimeoutError: PutRecords call aborted when the TTL .*; an earlier attempt failed with InternalFailure/);
  }, 15_000);
});

describe('case 2: order per key and full batches', () => {
  test('5,000 records of 20 keys with the defaults (order kept): ceil(N/500) calls, not one record per key per call', async () => {
    const stream = await newStream(4);
    const producer = new KinesisProducer({ client: local.client, streamName: stream, partitionKeys: PartitionKeys.field('device') });
    const seq = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const device = `d${i % 20}`;
      seq.set(device, (seq.get(device) ?? 0) + 1);
      void producer.put({ device, seq: seq.get(device) });
    }
    const summary = await producer.close();
    expect(summary).toMatchObject({ delivered: 5000, failed: 0, reordered: 0 });
    // a key is in one call at a time, so the tail of a run can take a few partial calls (the old design made >= 250)
    expect(summary.putRecordsCalls).toBeLessThanOrEqual(Math.ceil(5000 / 500) + 4);
    const raw = await readAll(local.client, stream);
    const last = new Map<string, number>();
    for (const r of raw) {
      const body = JSON.parse(Buffer.from(r.data).toString('utf8'));
      expect(body.seq).toBe((last.get(body.device) ?? 0) + 1);
      last.set(body.device, body.seq);
    }
    expect(raw).toHaveLength(5000);
  });

  test('a key whose entries fail as a suffix (how a throttled shard refuses), scripted over kinesalite: order kept with many records per call', async () => {
    const stream = await newStream(2);
    let throttled = 0;
    // the first two calls: from the 100th entry on, every entry of the call is refused
    const client: PutRecordsClient = {
      send: async (command, options) => {
        const entries = command.input.Records!;
        if (throttled >= 2 || entries.length <= 100) return local.client.send(command, options);
        throttled++;
        const written = await local.client.send(new PutRecordsCommand({ ...command.input, Records: entries.slice(0, 100) }));
        const refused = entries.slice(100).map(() => ({ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded (injected)' }));
        return { ...written, FailedRecordCount: refused.length, Records: [...written.Records!, ...refused] };
      },
    };
    const producer = new KinesisProducer({ client, streamName: stream, partitionKeys: PartitionKeys.field('device'), backoff: { baseDelayMs: 5, maxDelayMs: 10 } });
    for (let i = 0; i < 1500; i++) void producer.put({ device: `d${i % 3}`, seq: Math.floor(i / 3) + 1 });
    const summary = await producer.close();
    expect(throttled).toBe(2);
    expect(summary).toMatchObject({ delivered: 1500, reordered: 0 });
    expect(summary.retries).toBeGreaterThan(0);
    const last = new Map<string, number>();
    for (const r of await readAll(local.client, stream)) {
      const body = JSON.parse(Buffer.from(r.data).toString('utf8'));
      expect(body.seq).toBe((last.get(body.device) ?? 0) + 1);
      last.set(body.device, body.seq);
    }
  });
  /**
   * PutRecords does not stop at a failed entry ("a single record failure does not stop the processing of subsequent
   * records", https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html): when the failures of a key
   * are not a suffix of its entries in the call, later records of the key are written before the failed one's retry.
   */
  test('interleaved (non-suffix) entry failures, scripted over kinesalite: the defaults reorder and count it in `reordered`; strictOrder does not', async () => {
    const run = async (strictOrder: boolean) => {
      const stream = await newStream(2);
      const failedInFirstCall: Array<{ device: string; seq: number }> = [];
      let expectedReordered = 0;
      let expectedOutOfOrder = 0;
      let calls = 0;
      // the first call only: every 4th entry is refused (ProvisionedThroughputExceededException), the rest written
      const client: PutRecordsClient = {
        send: async (command, options) => {
          if (++calls > 1) return local.client.send(command, options);
          const entries = command.input.Records!;
          const refused = entries.map((_, i) => i % 4 === 0);
          const kept = entries.filter((_, i) => !refused[i]);
          const written = await local.client.send(new PutRecordsCommand({ ...command.input, Records: kept }), options);
          // what `reordered` must count: entries written after an earlier entry of their key failed in this call
          const failedKeys = new Set<string>();
          const bodies = entries.map((e) => JSON.parse(Buffer.from(e.Data!).toString('utf8')) as { device: string; seq: number });
          entries.forEach((e, i) => {
            if (refused[i]) {
              failedKeys.add(e.PartitionKey!);
              failedInFirstCall.push(bodies[i]);
            } else if (failedKeys.has(e.PartitionKey!)) {
              expectedReordered++;
            }
          });
          // a refused entry ends up behind a later entry of its key if one of those was written
          expectedOutOfOrder = failedInFirstCall.filter((f) => bodies.some((b, i) => !refused[i] && b.device === f.device && b.seq > f.seq)).length;
          let k = 0;
          const results = refused.map((r) => (r
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded (injected)' }
            : written.Records![k++]));
          return { ...written, FailedRecordCount: refused.filter(Boolean).length, Records: results };
        },
      };
      const producer = new KinesisProducer({
        client, streamName: stream, partitionKeys: PartitionKeys.field('device'), strictOrder, backoff: { baseDelayMs: 5, maxDelayMs: 10 },
      });
      for (let i = 0; i < 600; i++) void producer.put({ device: `d${i % 3}`, seq: Math.floor(i / 3) + 1 });
      const summary = await producer.close();
      // read back: a record is out of order when a record of its key with a higher seq precedes it in the shard
      const highest = new Map<string, number>();
      let outOfOrder = 0;
      const raw = await readAll(local.client, stream);
      for (const r of raw) {
        const body = JSON.parse(Buffer.from(r.data).toString('utf8'));
        if (body.seq < (highest.get(body.device) ?? 0)) outOfOrder++;
        highest.set(body.device, Math.max(body.seq, highest.get(body.device) ?? 0));
      }
      return { summary, raw: raw.length, failedInFirstCall: failedInFirstCall.length, expectedReordered, expectedOutOfOrder, outOfOrder };
    };

    const defaults = await run(false);
    // the first call carries d0 1-167, d1 1-167, d2 1-166 (a fair share of 500 each); 125 refused (every 4th entry), so
    // 372 written entries follow a refused one of their key, and every refused one is written after a higher seq of its key
    expect(defaults).toMatchObject({ raw: 600, failedInFirstCall: 125, expectedReordered: 372, expectedOutOfOrder: 125 });
    expect(defaults.summary).toMatchObject({ delivered: 600, failed: 0, retries: 125, reordered: defaults.expectedReordered });
    expect(defaults.outOfOrder).toBe(defaults.expectedOutOfOrder);

    // strictOrder: one entry per key per call, so a refusal cannot be overtaken
    const strict = await run(true);
    expect(strict).toMatchObject({ raw: 600, failedInFirstCall: 1, expectedReordered: 0, expectedOutOfOrder: 0, outOfOrder: 0 });
    expect(strict.summary).toMatchObject({ delivered: 600, failed: 0, reordered: 0 });
  });
});

describe('case 3: bounded memory', () => {
  test('scripted client (stream not found): failures go to onFailure as they happen; close() keeps only the first keepFailures', async () => {
    const notFound = Object.assign(new Error('Stream x not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    const streamed: FailedRecord[] = [];
    const producer = new KinesisProducer({ client: new ScriptedClient(() => notFound), streamName: 'x', onFailure: (f) => streamed.push(f) });
    for (let i = 0; i < 3000; i++) void producer.put({ i });
    const summary = await producer.close();
    expect(summary.failed).toBe(3000);
    expect(summary.failures).toHaveLength(100);
    expect(streamed).toHaveLength(3000);
    expect(streamed[2999]).toMatchObject({ ok: false, errorCode: 'ResourceNotFoundException', record: { i: 2999 } });
  });

  test('scripted client (never answers): a put beyond maxBufferedRecords fails at once with QueueFull; waitForCapacity() waits for room', async () => {
    const client = new ScriptedClient(() => 'hang');
    const producer = new KinesisProducer({ client, streamName: 's', maxBufferedRecords: 100, recordTtlMs: 500 });
    const results = Array.from({ length: 150 }, (_, i) => producer.put({ i }));
    const refused = await Promise.race([Promise.all(results.slice(100)), new Promise<RecordResult[]>((r) => setTimeout(() => r([]), 200))]);
    expect(refused).toHaveLength(50);
    expect(refused.every((r) => r.errorCode === 'QueueFull' && r.attempts === 0)).toBe(true);
    expect(producer.stats.pending).toBe(100);
    let waited = false;
    const capacity = producer.waitForCapacity().then(() => (waited = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(waited).toBe(false);
    await capacity; // the hanging calls are aborted at the TTL, the records fail, room is back
    expect(producer.stats.pending).toBeLessThan(100);
    await producer.close();
  });
});

describe('case 4: configuration errors fail at once', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  test('SDK client, no server: a client without a region: every record fails after one attempt, later puts fail at once', async () => {
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    process.env.AWS_CONFIG_FILE = '/nonexistent/config';
    const client = new KinesisClient({ credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    clients.push(client);
    const producer = new KinesisProducer({ client, streamName: 's', recordTtlMs: 10_000, maxBufferedTimeMs: 0 });
    const first = await Promise.all([producer.put({ a: 1 }), producer.put({ a: 2 })]);
    expect(first.map((r) => [r.ok, r.attempts, r.errorCode])).toEqual([[false, 1, 'ConfigurationError'], [false, 1, 'ConfigurationError']]);
    expect(first[0].errorMessage).toMatch(/Region is missing/);
    expect(producer.fatalError).toMatchObject({ code: 'ConfigurationError' });
    expect(await producer.put({ a: 3 })).toMatchObject({ ok: false, attempts: 0, errorCode: 'ConfigurationError' });
    await producer.close();
  });

  test('SDK client, no server: an invalid endpoint URL fails at once', async () => {
    const client = new KinesisClient({ region: 'us-east-1', endpoint: 'not a url', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    clients.push(client);
    const producer = new KinesisProducer({ client, streamName: 's', recordTtlMs: 10_000 });
    const result = await producer.put('x', { partitionKey: 'p' });
    expect(result).toMatchObject({ ok: false, attempts: 1, errorCode: 'TypeError' });
    expect(() => createKinesisClient({ endpoint: 'htp:/x' })).toThrow(/must be an http:\/\/ or https:\/\/ URL/);
    await producer.close();
  });
});

describe('case 6: one bad entry fails alone', () => {
  test('a partition key of 200 emoji (400 UTF-16 code units) fails alone; the other 499 records of the call are delivered', async () => {
    const stream = await newStream();
    const producer = new KinesisProducer({ client: local.client, streamName: stream, maxBufferedTimeMs: 1000 });
    const results = Array.from({ length: 500 }, (_, i) => producer.put({ i }, { partitionKey: i === 250 ? '😀'.repeat(200) : `k${i}` }));
    const summary = await producer.close();
    const bad = (await Promise.all(results))[250];
    expect(bad).toMatchObject({ ok: false, attempts: 0, errorCode: 'InvalidPartitionKey' });
    expect(bad.errorMessage).toMatch(/has 400/);
    expect(summary).toMatchObject({ delivered: 499, failed: 1, putRecordsCalls: 1 });
  });

  test('partition key length in UTF-16 code units (the strict reading), on both sides of 256 (kinesalite accepts what passes)', async () => {
    const stream = await newStream();
    const producer = new KinesisProducer({ client: local.client, streamName: stream });
    const keys = ['a'.repeat(256), '😀'.repeat(128), 'é'.repeat(256), 'a'.repeat(257), '😀'.repeat(129), ''];
    const results = await Promise.all(keys.map((partitionKey) => producer.put('x', { partitionKey })));
    await producer.close();
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false, false]);
    expect(results.slice(3).every((r) => r.errorCode === 'InvalidPartitionKey')).toBe(true);
  });

  test('scripted client: explicit hash keys follow the API pattern 0|([1-9]\\d{0,38}) and the range 0 to 2^128-1', async () => {
    const producer = new KinesisProducer({ client: new ScriptedClient(ok), streamName: 's' });
    const max = ((1n << 128n) - 1n).toString();
    const keys = ['0', '7', max, '00', '007', (1n << 128n).toString(), '-1', '1.5', ''];
    const results = await Promise.all(keys.map((explicitHashKey) => producer.put('x', { partitionKey: 'p', explicitHashKey })));
    await producer.close();
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false, false, false, false, false, false]);
    expect(results.slice(3).every((r) => r.errorCode === 'InvalidExplicitHashKey')).toBe(true);
  });
});

describe('case 7: smaller ones', () => {
  test('scripted client: put(Buffer) sends the bytes as they were at put(), not what the caller writes afterwards', async () => {
    const client = new ScriptedClient(ok);
    const producer = new KinesisProducer({ client, streamName: 's' });
    const buffer = Buffer.from('original');
    const view = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
    const sent = [producer.put(buffer, { partitionKey: 'p' }), producer.put(view, { partitionKey: 'q' })];
    buffer.write('CHANGED!');
    await Promise.all(sent);
    await producer.close();
    expect(client.calls.flatMap((c) => c.Records!).map((r) => Buffer.from(r.Data!).toString())).toEqual(['original', 'original']);
  });

  test('scripted client (never answers): records expiring behind a failing record of their key carry that failure as the cause', async () => {
    // strictOrder: the first record of the key is sent alone; its call never gets an answer
    const client = new ScriptedClient(() => 'hang');
    const producer = new KinesisProducer({ client, streamName: 's', strictOrder: true, maxBufferedTimeMs: 0, recordTtlMs: 500 });
    const results = ['head', 'b1', 'b2', 'b3'].map((v) => producer.put(v, { partitionKey: 'stuck' }));
    await producer.close();
    const [head, ...behind] = await Promise.all(results);
    expect(client.calls.map((c) => c.Records!.length)).toEqual([1]);
    expect(head).toMatchObject({ ok: false, errorCode: 'RecordTtlExceeded', attempts: 1 });
    expect(head.errorMessage).toContain('TimeoutError');
    for (const r of behind) {
      expect(r).toMatchObject({ ok: false, errorCode: 'RecordTtlExceeded', attempts: 0 });
      expect(r.errorMessage).toMatch(/never sent, waiting behind earlier records of its key \(p:stuck\) that failed with TimeoutError: PutRecords call aborted/);
    }
  }, 10_000);

  test('scripted client (never answers): a call aborted when its record\'s TTL ran out does not retry it, even when the timer fires before Date.now() reaches the deadline', async () => {
    // Node may run a timer a millisecond before Date.now() reaches its due time; with a zero backoff
    // (random 0) the record would then be sent a second time after its TTL had run out
    const client = new ScriptedClient(() => 'hang');
    const realNow = Date.now.bind(Date);
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => (client.calls.length > 0 ? realNow() - 5 : realNow()));
    try {
      const producer = new KinesisProducer({ client, streamName: 's', maxBufferedTimeMs: 0, recordTtlMs: 300, random: () => 0 });
      const result = producer.put('only', { partitionKey: 'p' });
      await producer.close();
      expect(client.calls.map((c) => c.Records!.length)).toEqual([1]);
      expect(await result).toMatchObject({ ok: false, errorCode: 'RecordTtlExceeded', attempts: 1 });
    } finally {
      clock.mockRestore();
    }
  }, 10_000);
});
