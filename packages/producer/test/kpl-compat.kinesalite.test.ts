/**
 * KPL compatibility against an independent implementation, `aws-kinesis-agg` (AWS Labs'
 * Node.js KPL aggregation module), both ways, and through kinesalite.
 * Its quirks: integer-like partition keys come back reordered in its tables (so keys here are
 * not integers), and it reports an explicit hash key even for records that had none (so only
 * records that had one are compared on it).
 */
import { Aggregator, deaggregate, KinesisProducer, PartitionKeys } from '../src';
import { createStream, LocalKinesis, readAll, startKinesalite } from './local-kinesis';

interface AggUserRecord { partitionKey: string; explicitPartitionKey?: string; data: string; subSequenceNumber: number }

// eslint-disable-next-line @typescript-eslint/no-require-imports
const agg = require('aws-kinesis-agg') as {
  deaggregateSync(record: { partitionKey: string; data: string; sequenceNumber?: string }, computeChecksums: boolean,
    done: (err: Error | null, users?: AggUserRecord[]) => void): void;
  aggregate(records: Array<{ partitionKey: string; explicitHashKey?: string; data: Buffer }>,
    onEncoded: (encoded: { partitionKey: string; data: Buffer; ExplicitHashKey?: string }, callback: (err?: Error) => void) => void,
    afterAll: () => void, onError: (err: Error) => void): void;
};

interface UserRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

function theirDeaggregate(data: Uint8Array, partitionKey: string): Array<{ partitionKey: string; explicitPartitionKey?: string; data: Buffer }> {
  let out: Array<{ partitionKey: string; explicitPartitionKey?: string; data: Buffer }> = [];
  agg.deaggregateSync({ partitionKey, data: Buffer.from(data).toString('base64'), sequenceNumber: '1' }, true, (err, users) => {
    if (err) throw err;
    out = users!.map((u) => ({ partitionKey: u.partitionKey, explicitPartitionKey: u.explicitPartitionKey, data: Buffer.from(u.data, 'base64') }));
  });
  return out;
}

function theirAggregate(records: UserRecord[]): Promise<Array<{ partitionKey: string; data: Buffer }>> {
  return new Promise((resolve, reject) => {
    const encoded: Array<{ partitionKey: string; data: Buffer }> = [];
    agg.aggregate(records.map((r) => ({ ...r })), (e, callback) => {
      encoded.push({ partitionKey: e.partitionKey, data: e.data });
      callback();
    }, () => resolve(encoded), reject);
  });
}

const sample: UserRecord[] = Array.from({ length: 60 }, (_, i) => ({
  data: Buffer.from(JSON.stringify({ i, text: `é ${'x'.repeat(i * 3)}` })),
  partitionKey: `key-${String.fromCharCode(97 + (i % 7))}`,
  explicitHashKey: i % 5 === 0 ? (BigInt(i + 1) * 10n ** 35n).toString() : undefined,
}));

describe('KPL aggregation compatible with aws-kinesis-agg', () => {
  test('in memory, no server: our aggregate, their de-aggregation: data, partition keys and explicit hash keys, in order', () => {
    const ours = new Aggregator();
    sample.forEach((r) => ours.add(r));
    const encoded = ours.encode();
    const users = theirDeaggregate(encoded.data, encoded.partitionKey);
    expect(users.map((u) => [u.data.toString(), u.partitionKey])).toEqual(sample.map((r) => [r.data.toString(), r.partitionKey]));
    sample.forEach((r, i) => {
      if (r.explicitHashKey !== undefined) expect(users[i].explicitPartitionKey).toBe(r.explicitHashKey);
    });
  });

  test('in memory, no server: their aggregate, our de-aggregation', async () => {
    const encoded = await theirAggregate(sample);
    expect(encoded.length).toBeGreaterThanOrEqual(1);
    const users = encoded.flatMap((e) => deaggregate(e.data, e.partitionKey));
    expect(users.every((u) => u.aggregated)).toBe(true);
    expect(users.map((u) => ({ data: Buffer.from(u.data), partitionKey: u.partitionKey, explicitHashKey: u.explicitHashKey }))).toEqual(sample);
  });

  describe('through kinesalite', () => {
    let local: LocalKinesis;
    beforeAll(async () => {
      local = await startKinesalite();
    });
    afterAll(async () => {
      await local.stop();
    });

    test('records the producer aggregated, read back from the stream, de-aggregate with aws-kinesis-agg to what was put', async () => {
      await createStream(local.client, 'kpl', 2);
      const producer = new KinesisProducer({ client: local.client, streamName: 'kpl', aggregate: true, aggregationMaxBytes: 4096, partitionKeys: PartitionKeys.field('device') });
      const sent = Array.from({ length: 400 }, (_, i) => ({ recordId: `id-${i}`, device: `dev-${String.fromCharCode(97 + (i % 5))}`, seq: i }));
      for (const r of sent) void producer.put(r);
      const summary = await producer.close();
      expect(summary).toMatchObject({ delivered: 400, failed: 0 });
      const raw = await readAll(local.client, 'kpl');
      expect(raw.length).toBe(summary.kinesisRecords);
      expect(raw.length).toBeLessThan(60);
      const users = raw.flatMap((r) => theirDeaggregate(r.data, r.partitionKey));
      const bodies = users.map((u) => ({ pk: u.partitionKey, body: JSON.parse(u.data.toString('utf8')) }));
      expect(bodies.map((b) => b.body).sort((a, b) => a.seq - b.seq)).toEqual(sent);
      for (const b of bodies) expect(b.pk).toBe(b.body.device);
    });
  });
});
