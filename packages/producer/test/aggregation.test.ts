import { createHash } from 'crypto';
import { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { Aggregator, deaggregate, isAggregated, KinesisProducer, KPL_MAGIC, PartitionKeys } from '../src';

describe('KPL aggregation format', () => {
  test('aggregate -> de-aggregate round trip keeps data, order, partition keys and explicit hash keys', () => {
    const agg = new Aggregator();
    const input = Array.from({ length: 50 }, (_, i) => ({
      data: Buffer.from(`record ${i} ${'é'.repeat(i)}`),
      partitionKey: `key-${i % 6}`,
      explicitHashKey: i % 4 === 0 ? (BigInt(i) * 10n ** 30n).toString() : undefined,
    }));
    input.forEach((r) => agg.add(r));
    const encoded = agg.encode();
    expect(encoded.partitionKey).toBe('key-0');
    expect(encoded.explicitHashKey).toBe('0');
    expect(isAggregated(encoded.data)).toBe(true);
    const out = deaggregate(encoded.data, encoded.partitionKey, encoded.explicitHashKey);
    expect(out.map((r) => ({ data: Buffer.from(r.data), partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey }))).toEqual(input);
    expect(out.map((r) => r.subSequenceNumber)).toEqual(input.map((_, i) => i));
    expect(out.every((r) => r.aggregated)).toBe(true);
  });

  test('layout: magic bytes, protobuf, MD5 of the protobuf', () => {
    const agg = new Aggregator();
    agg.add({ data: Buffer.from('a'), partitionKey: 'p' });
    agg.add({ data: Buffer.from('b'), partitionKey: 'q' });
    const { data } = agg.encode();
    expect([...data.subarray(0, 4)]).toEqual([...KPL_MAGIC]);
    const message = data.subarray(4, data.length - 16);
    expect(data.subarray(data.length - 16)).toEqual(createHash('md5').update(message).digest());
    // field 1 (partition_key_table), wire type 2, length 1, "p"
    expect([...message.subarray(0, 3)]).toEqual([0x0a, 0x01, 0x70]);
  });

  test('the size computed while adding equals the encoded size (so the 1 MiB limit holds)', () => {
    const agg = new Aggregator();
    for (let i = 0; i < 200; i++) {
      const r = { data: Buffer.alloc(i * 7), partitionKey: `k${i % 9}`, explicitHashKey: i % 5 === 0 ? `${i}` : undefined };
      const expected = agg.kinesisBytesWith(r);
      agg.add(r);
      const e = agg.encode();
      expect(e.data.length + Buffer.byteLength(e.partitionKey)).toBe(expected);
      expect(agg.kinesisBytes).toBe(expected);
    }
  });

  test('plain records, and records with a bad digest, come back as one record', () => {
    const plain = Buffer.from('{"a":1}');
    expect(deaggregate(plain, 'p')).toEqual([{ data: plain, partitionKey: 'p', explicitHashKey: undefined, subSequenceNumber: 0, aggregated: false }]);
    const agg = new Aggregator();
    agg.add({ data: Buffer.from('x'), partitionKey: 'p' });
    agg.add({ data: Buffer.from('y'), partitionKey: 'p' });
    const corrupted = Buffer.from(agg.encode().data);
    corrupted[corrupted.length - 1] ^= 0xff;
    expect(deaggregate(corrupted, 'p')).toHaveLength(1);
  });
});

describe('producer with aggregation', () => {
  test('aggregates stay under aggregationMaxBytes, group by key, and a lone record is sent plain', async () => {
    const calls: PutRecordsCommand['input'][] = [];
    const client = {
      send: async (c: PutRecordsCommand): Promise<PutRecordsCommandOutput> => {
        calls.push(c.input);
        return { $metadata: {}, FailedRecordCount: 0, Records: c.input.Records!.map((_, i) => ({ ShardId: 's', SequenceNumber: `${i}` })) };
      },
    };
    const producer = new KinesisProducer({ client, streamName: 's', aggregate: true, aggregationMaxBytes: 4096, partitionKeys: PartitionKeys.field('k'), maxBufferedTimeMs: 10_000 });
    for (let i = 0; i < 300; i++) void producer.put({ k: i % 3, pad: 'x'.repeat(100) });
    void producer.put({ k: 'alone' });
    const summary = await producer.close();
    const entries = calls.flatMap((c) => c.Records!);
    for (const e of entries) expect(e.Data!.length + Buffer.byteLength(e.PartitionKey!)).toBeLessThanOrEqual(4096);
    const users = entries.flatMap((e) => deaggregate(e.Data!, e.PartitionKey!));
    expect(users).toHaveLength(301);
    for (const u of users) expect(u.partitionKey).toBe(String(JSON.parse(Buffer.from(u.data).toString()).k));
    const lone = entries.find((e) => e.PartitionKey === 'alone')!;
    expect(isAggregated(lone.Data!)).toBe(false);
    expect(summary.kinesisRecords).toBe(entries.length);
    expect(entries.length).toBeLessThan(20);
  });
});
