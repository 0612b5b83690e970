import { AddressInfo } from 'net';
import { KinesisProducer, PartitionKeys, PutRecordsClient } from '@analytics-patterns/producer';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutRecordsCommand, PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent } from 'aws-lambda';
import { createStream, LocalKinesis, readAll, startKinesalite } from '../../producer/test/local-kinesis';
import { ConsumedRecord, createStreamHandler } from '../lambda/stream-consumer/consumer';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

/**
 * The notes' duplicate scenario end to end: the PutRecords response is "lost" for some entries
 * that Kinesis did write, so the producer retries them and the stream holds duplicates; the
 * consumer handler (fed Lambda-shaped batches read from the stream, and one batch redelivered)
 * processes every record exactly once.
 */
class LostAckClient implements PutRecordsClient {
  public lost = 0;
  constructor(private readonly inner: PutRecordsClient) {}
  public async send(command: PutRecordsCommand): Promise<PutRecordsCommandOutput> {
    const out = await this.inner.send(command);
    // every 7th entry is reported as failed although it was written
    const records = out.Records!.map((r, i) => (i % 7 === 3 ? (this.lost++, { ErrorCode: 'InternalFailure', ErrorMessage: 'response lost (injected)' }) : r));
    return { ...out, Records: records, FailedRecordCount: records.filter((r) => r.ErrorCode).length };
  }
}

let kinesis: LocalKinesis;
let dynamo: any;
let ddb: DynamoDBClient;
beforeAll(async () => {
  kinesis = await startKinesalite();
  dynamo = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  ddb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
});
afterAll(async () => {
  ddb.destroy();
  await new Promise<void>((resolve) => dynamo.close(() => resolve()));
  await kinesis.stop();
});

test('producer retries write duplicates; the consumer processes each record once, de-aggregating as it goes', async () => {
  await createStream(kinesis.client, 'e2e', 3);
  await ddb.send(new CreateTableCommand({
    TableName: 'seen',
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'recordId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'recordId', KeyType: 'HASH' }],
  }));
  const client = new LostAckClient(kinesis.client);
  const producer = new KinesisProducer({
    client,
    streamName: 'e2e',
    partitionKeys: PartitionKeys.field('user'),
    aggregate: true,
    aggregationMaxBytes: 2048,
    maxBufferedTimeMs: 10,
    backoff: { baseDelayMs: 1, maxDelayMs: 10 },
  });
  const n = 1500;
  for (let i = 0; i < n; i++) void producer.put({ user: `u${i % 25}`, n: i });
  const summary = await producer.close();
  expect(summary).toMatchObject({ delivered: n, failed: 0 });
  expect(client.lost).toBeGreaterThan(0);

  const processed: ConsumedRecord[] = [];
  const handler = createStreamHandler({ client: ddb, tableName: 'seen', ttlSeconds: 3600, process: async (r) => { processed.push(r); }, report: () => undefined });
  const raw = await readAll(kinesis.client, 'e2e');
  let duplicatesSkipped = 0;
  const batches: KinesisStreamEvent[] = [];
  for (let i = 0; i < raw.length; i += 100) {
    batches.push({
      Records: raw.slice(i, i + 100).map((r) => ({
        kinesis: { partitionKey: r.partitionKey, sequenceNumber: r.sequenceNumber, data: Buffer.from(r.data).toString('base64'), kinesisSchemaVersion: '1.0', approximateArrivalTimestamp: 0 },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${r.shardId}:${r.sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
        awsRegion: 'eu-west-1',
        eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/e2e',
      })),
    });
  }
  const handlerWithStats = createStreamHandler({
    client: ddb, tableName: 'seen', ttlSeconds: 3600, process: async (r) => { processed.push(r); }, report: (s) => { duplicatesSkipped += s.duplicates; },
  });
  for (const batch of batches) expect(await handlerWithStats(batch)).toEqual({ batchItemFailures: [] });
  await handler(batches[0]); // Lambda redelivers a batch
  const ids = processed.map((r) => r.id);
  expect(new Set(ids).size).toBe(n);
  expect(ids).toHaveLength(n);
  expect(duplicatesSkipped).toBeGreaterThan(0);
  // per user, records were processed in the order they were produced
  const last = new Map<string, number>();
  for (const r of processed) {
    const body = r.body as { user: string; n: number };
    expect(body.n).toBeGreaterThan(last.get(body.user) ?? -1);
    last.set(body.user, body.n);
  }
});
