import { Aggregator } from '@analytics-patterns/producer';
import type { KinesisStreamRecord } from 'aws-lambda';
import { ConsumedRecord, createStreamHandler } from '../lambda/stream-consumer/consumer';

test('each de-aggregated user record keeps its own explicit hash key (issue 11, item 7)', async () => {
  const agg = new Aggregator();
  const keys = ['340282366920938463463374607431768211455', undefined, '0', '170141183460469231731687303715884105728'];
  keys.forEach((explicitHashKey, i) => agg.add({ data: Buffer.from(`plain ${i}`), partitionKey: `k${i}`, explicitHashKey }));
  const encoded = agg.encode();
  const record: KinesisStreamRecord = {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey: encoded.partitionKey, sequenceNumber: '1', data: encoded.data.toString('base64'), approximateArrivalTimestamp: 0 },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: 'shardId-000000000000:1',
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s',
  };
  const processed: ConsumedRecord[] = [];
  // records without ids: the seen-set table is never called
  const client = { send: async () => { throw new Error('no DynamoDB call expected'); } };
  const handler = createStreamHandler({ client: client as any, tableName: 't', ttlSeconds: 60, report: () => undefined, process: async (r) => { processed.push(r); } });
  expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });
  expect(processed.map((r) => [r.partitionKey, r.explicitHashKey, r.data.toString()])).toEqual(keys.map((k, i) => [`k${i}`, k, `plain ${i}`]));
});
