import { AddressInfo } from 'net';
import { Aggregator } from '@analytics-patterns/producer';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { BatchStats, ConsumedRecord, createStreamHandler } from '../lambda/stream-consumer/consumer';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');

let server: any;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function newTable(): Promise<string> {
  const name = `seen-${++tables}`;
  await client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'recordId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'recordId', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  return name;
}

let seq = 0;
function kinesisRecord(data: Buffer, partitionKey: string): KinesisStreamRecord {
  const sequenceNumber = String(49600000000000000000000000000000000000000000000000000000n + BigInt(++seq));
  return {
    kinesis: { kinesisSchemaVersion: '1.0', partitionKey, sequenceNumber, data: data.toString('base64'), approximateArrivalTimestamp: 0 },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/r',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/s',
  };
}
const json = (o: object) => Buffer.from(JSON.stringify(o));
const event = (records: KinesisStreamRecord[]): KinesisStreamEvent => ({ Records: records });

function setup(tableName: string, fail?: (r: ConsumedRecord) => boolean) {
  const processed: ConsumedRecord[] = [];
  const stats: BatchStats[] = [];
  const handler = createStreamHandler({
    client,
    tableName,
    ttlSeconds: 3600,
    now: () => 1_700_000_000_000,
    process: async (r) => {
      if (fail?.(r)) throw new Error(`cannot process ${r.id}`);
      processed.push(r);
    },
    report: (s) => stats.push(s),
  });
  return { handler, processed, stats };
}

describe('stream consumer handler (dynalite seen-set)', () => {
  test('duplicates across invocations and inside a batch are skipped; ids are stored with a TTL', async () => {
    const table = await newTable();
    const { handler, processed, stats } = setup(table);
    const a = kinesisRecord(json({ recordId: 'a', n: 1 }), 'k');
    const b = kinesisRecord(json({ recordId: 'b', n: 2 }), 'k');
    const bAgain = kinesisRecord(json({ recordId: 'b', n: 2 }), 'k'); // a producer retry wrote it twice
    expect(await handler(event([a, b, bAgain]))).toEqual({ batchItemFailures: [] });
    // Lambda retries the whole batch (e.g. after a timeout): nothing is processed twice
    expect(await handler(event([a, b, kinesisRecord(json({ recordId: 'c' }), 'k')]))).toEqual({ batchItemFailures: [] });
    expect(processed.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(stats.map((s) => [s.processed, s.duplicates])).toEqual([[2, 1], [1, 2]]);
    const item = await client.send(new GetItemCommand({ TableName: table, Key: { recordId: { S: 'a' } } }));
    expect(item.Item).toEqual({ recordId: { S: 'a' }, expiresAt: { N: String(1_700_000_000 + 3600) }, sequenceNumber: { S: a.kinesis.sequenceNumber } });
  });

  test('KPL-aggregated records are de-aggregated; plain text records are processed without dedupe', async () => {
    const table = await newTable();
    const { handler, processed, stats } = setup(table);
    const agg = new Aggregator();
    for (let i = 0; i < 120; i++) agg.add({ data: json({ recordId: `r${i}`, i }), partitionKey: `k${i % 3}` });
    const encoded = agg.encode();
    const record = kinesisRecord(encoded.data, encoded.partitionKey);
    await handler(event([record, kinesisRecord(Buffer.from('plain'), 'p')]));
    await handler(event([record])); // redelivered aggregate
    expect(processed).toHaveLength(121);
    expect(processed.slice(0, 120).map((r) => [r.id, r.partitionKey, r.subSequenceNumber])).toEqual(
      Array.from({ length: 120 }, (_, i) => [`r${i}`, `k${i % 3}`, i]));
    expect(processed[120].id).toBeUndefined();
    expect(processed[120].body).toBeUndefined();
    expect(processed[120].data.toString()).toBe('plain');
    expect(stats[0]).toMatchObject({ kinesisRecords: 2, userRecords: 121, processed: 121, withoutId: 1 });
    expect(stats[1]).toMatchObject({ processed: 0, duplicates: 120 });
    const scan = await client.send(new ScanCommand({ TableName: table, Select: 'COUNT' }));
    expect(scan.Count).toBe(120);
  });

  test('a failure stops the batch at its Kinesis record; the retry skips what was already processed', async () => {
    const table = await newTable();
    let broken = true;
    const { handler, processed, stats } = setup(table, (r) => broken && r.id === 'x3');
    const agg = new Aggregator();
    ['x2', 'x3', 'x4'].forEach((id) => agg.add({ data: json({ recordId: id }), partitionKey: 'k' }));
    const enc = agg.encode();
    const records = [kinesisRecord(json({ recordId: 'x1' }), 'k'), kinesisRecord(enc.data, enc.partitionKey), kinesisRecord(json({ recordId: 'x5' }), 'k')];
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const first = await handler(event(records));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: records[1].kinesis.sequenceNumber }] });
    // the operator's trace of the failure: which record, where in the aggregate, and why
    expect(logged.mock.calls.map((c) => JSON.parse(c[0]))).toEqual([{
      message: 'record failed', sequenceNumber: records[1].kinesis.sequenceNumber, subSequenceNumber: 1, id: 'x3', error: 'Error: cannot process x3',
    }]);
    logged.mockRestore();
    expect(processed.map((r) => r.id)).toEqual(['x1', 'x2']);
    expect(stats[0]).toMatchObject({ processed: 2, failed: 1 });
    // Lambda retries from the reported record
    broken = false;
    expect(await handler(event(records.slice(1)))).toEqual({ batchItemFailures: [] });
    expect(processed.map((r) => r.id)).toEqual(['x1', 'x2', 'x3', 'x4', 'x5']);
    expect(stats[1]).toMatchObject({ processed: 3, duplicates: 1 });
  });

  test('more than 100 ids (BatchGetItem chunks) and 25 writes (BatchWriteItem chunks)', async () => {
    const table = await newTable();
    const { handler, processed } = setup(table);
    const records = Array.from({ length: 260 }, (_, i) => kinesisRecord(json({ recordId: `id-${i}` }), `k${i % 5}`));
    await handler(event(records));
    await handler(event(records));
    expect(processed).toHaveLength(260);
  });
});
