import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { AddressInfo } from 'net';
import * as path from 'path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { createDeviceStateProcessor, resultProblem } from '../lambda/device-state/device-state';
import { DEVICE_STATE_CODE_DIR } from '../src';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite');
/**
 * The StreamConsumer runtime exactly as the app's bundle inlines it (the published file the
 * collection package builds), not its sources.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = require(path.join(__dirname, '..', '..', '..', 'packages', 'collection', 'runtime', 'stream-consumer', 'index.js'));

/** An SQS client that keeps what it was sent (there is no local SQS server among the test tools). */
class RecordingQueue {
  public readonly sent: Array<Record<string, any>> = [];
  public failNext = 0;
  public async send(command: SendMessageCommand): Promise<object> {
    if (!(command instanceof SendMessageCommand)) throw new Error(`unexpected SQS command ${command}`);
    if (this.failNext > 0) {
      this.failNext--;
      throw Object.assign(new Error('throttled (injected)'), { name: 'ThrottlingException' });
    }
    this.sent.push(command.input);
    return { MessageId: String(this.sent.length) };
  }
}

let server: any;
let ddb: DynamoDBClient;
beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ddb = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: new NodeHttpHandler(),
  });
  for (const [name, key] of [['state', 'deviceId'], ['seen', 'recordId']]) {
    await ddb.send(new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
    }));
  }
});
afterAll(async () => {
  ddb.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const window = (device: string, end: string, avg: number) => ({
  recordId: `window/${device}/${end}`,
  kind: 'window',
  deviceId: device,
  event_time: end,
  window_start: end.replace(/:(\d\d)\.000Z$/, ':00.000Z').replace(/T(\d\d):(\d\d)/, (_m, h, m) => `T${h}:${String(Number(m) - 1).padStart(2, '0')}`),
  window_end: end,
  readings: 60,
  temperature_avg: avg,
  temperature_min: avg - 1,
  temperature_max: avg + 1,
  temperature: null,
  baseline_mean: null,
  baseline_stddev: null,
  zscore: null,
});
const anomaly = (device: string, at: string, t: number) => ({
  recordId: `anomaly/${device}/${at}`,
  kind: 'anomaly',
  deviceId: device,
  event_time: at,
  window_start: null,
  window_end: null,
  readings: null,
  temperature_avg: null,
  temperature_min: null,
  temperature_max: null,
  temperature: t,
  baseline_mean: 21,
  baseline_stddev: 0.4,
  zscore: (t - 21) / 0.4,
});
let sequence = 0;
/** A Lambda event of Kinesis records (the Flink sink writes plain JSON records, partitioned by deviceId). */
const event = (records: object[]) => ({
  Records: records.map((r: any) => ({
    kinesis: { data: Buffer.from(JSON.stringify(r)).toString('base64'), partitionKey: r.deviceId ?? 'x', sequenceNumber: String(++sequence).padStart(20, '0') },
    eventSourceARN: 'arn:aws:kinesis:eu-west-1:123456789012:stream/results',
  })),
});
async function item(deviceId: string): Promise<Record<string, string> | undefined> {
  const out = await ddb.send(new GetItemCommand({ TableName: 'state', Key: { deviceId: { S: deviceId } }, ConsistentRead: true }));
  return out.Item && Object.fromEntries(Object.entries(out.Item).map(([k, v]) => [k, (v as any).S ?? (v as any).N]));
}

describe('device state processor under the StreamConsumer runtime (DynamoDB: a real local server)', () => {
  const queue = new RecordingQueue();
  const skipped: string[] = [];
  let handler: (e: object) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;
  beforeAll(() => {
    handler = runtime.createStreamHandler({
      process: createDeviceStateProcessor({ dynamodb: ddb, sqs: queue, tableName: 'state', queueUrl: 'https://sqs/alerts', onSkipped: (reason: string) => skipped.push(reason) }),
      client: ddb,
      tableName: 'seen',
      ttlSeconds: 3600,
      report: () => undefined,
    });
  });

  test('a window upserts the device\'s latest aggregates; an older window arriving late changes nothing', async () => {
    expect(await handler(event([window('sensor-0001', '2026-11-29T10:01:00.000Z', 21.2), window('sensor-0001', '2026-11-29T10:02:00.000Z', 21.6)])))
      .toEqual({ batchItemFailures: [] });
    expect(await handler(event([window('sensor-0001', '2026-11-29T10:00:00.000Z', 99)]))).toEqual({ batchItemFailures: [] });
    expect(await item('sensor-0001')).toEqual({
      deviceId: 'sensor-0001',
      lastWindowStart: '2026-11-29T10:01:00.000Z',
      lastWindowEnd: '2026-11-29T10:02:00.000Z',
      readings: '60',
      temperatureAvg: '21.6',
      temperatureMin: '20.6',
      temperatureMax: '22.6',
      lastResultId: 'window/sensor-0001/2026-11-29T10:02:00.000Z',
    });
  });

  test('an anomaly sends one alert and counts on the device; the same batch delivered again sends no second alert', async () => {
    const batch = event([anomaly('sensor-0002', '2026-11-29T10:03:12.345Z', 29.4)]);
    await handler(batch);
    await handler(batch);
    expect(queue.sent).toEqual([{
      QueueUrl: 'https://sqs/alerts',
      MessageBody: JSON.stringify({
        alert: 'temperature-anomaly',
        deviceId: 'sensor-0002',
        at: '2026-11-29T10:03:12.345Z',
        temperature: 29.4,
        zscore: (29.4 - 21) / 0.4,
        baselineMean: 21,
        baselineStddev: 0.4,
        resultId: 'anomaly/sensor-0002/2026-11-29T10:03:12.345Z',
      }),
      MessageAttributes: { deviceId: { DataType: 'String', StringValue: 'sensor-0002' } },
    }]);
    expect(await item('sensor-0002')).toEqual({
      deviceId: 'sensor-0002', anomalies: '1', lastAnomalyAt: '2026-11-29T10:03:12.345Z', lastAnomalyTemperature: '29.4', lastAnomalyZscore: String((29.4 - 21) / 0.4),
    });
  });

  test('a later anomaly becomes the latest; an older one arriving late still counts but does not replace it', async () => {
    await handler(event([anomaly('sensor-0003', '2026-11-29T11:00:00.000Z', 30), anomaly('sensor-0003', '2026-11-29T10:00:00.000Z', 12)]));
    expect(await item('sensor-0003')).toEqual(expect.objectContaining({ anomalies: '2', lastAnomalyAt: '2026-11-29T11:00:00.000Z', lastAnomalyTemperature: '30' }));
  });

  test('a failed alert reports that record as the batch item failure: nothing after it is processed, and the retry completes the batch once', async () => {
    const before = queue.sent.length;
    queue.failNext = 1;
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const batch = event([window('sensor-0004', '2026-11-29T10:05:00.000Z', 20), anomaly('sensor-0004', '2026-11-29T10:05:30.000Z', 27), window('sensor-0004', '2026-11-29T10:06:00.000Z', 22)]);
    const failed = await handler(batch);
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[1].kinesis.sequenceNumber }] });
    expect(logged.mock.calls.map((c) => JSON.parse(c[0]).error)).toEqual(['ThrottlingException: throttled (injected)']);
    logged.mockRestore();
    expect(await item('sensor-0004')).toEqual(expect.objectContaining({ lastWindowEnd: '2026-11-29T10:05:00.000Z' }));
    expect(await handler({ Records: batch.Records.slice(1) })).toEqual({ batchItemFailures: [] });
    expect(queue.sent.length - before).toBe(1);
    expect(await item('sensor-0004')).toEqual(expect.objectContaining({ lastWindowEnd: '2026-11-29T10:06:00.000Z', anomalies: '1' }));
  });

  test('records that are not results of the job are skipped (not retried forever), with the reason', async () => {
    skipped.length = 0;
    expect(await handler(event([{ hello: 'world' }, { ...window('sensor-0005', '2026-11-29T10:07:00.000Z', 1), readings: null }, { recordId: 'x', kind: 'other', deviceId: 'd', event_time: 't' }])))
      .toEqual({ batchItemFailures: [] });
    expect(skipped).toEqual(['deviceId, recordId or event_time missing', 'window without readings', 'unknown kind "other"']);
    expect(await item('sensor-0005')).toBeUndefined();
    expect(resultProblem(window('d', '2026-11-29T10:07:00.000Z', 1))).toBeUndefined();
    expect(resultProblem(anomaly('d', '2026-11-29T10:07:00.000Z', 30))).toBeUndefined();
    expect(resultProblem([])).toBe('deviceId, recordId or event_time missing');
  });
});

describe('the deployed handler bundle', () => {
  test('is one file with the StreamConsumer runtime inlined; only the AWS SDK and Node built-ins stay external', () => {
    const code = fs.readFileSync(path.join(DEVICE_STATE_CODE_DIR, 'index.js'), 'utf8');
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    expect(required.filter((r) => !r.startsWith('@aws-sdk/') && !['crypto', 'fs'].includes(r))).toEqual([]);
    expect(required).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/client-sqs']));
    expect(code).not.toMatch(/@analytics-patterns\//);
  });

  test('fails at cold start with a clear message when the stack\'s environment is missing', () => {
    const run = () => execFileSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(DEVICE_STATE_CODE_DIR, 'index.js'))})`], {
      env: { PATH: process.env.PATH, NODE_PATH: path.join(__dirname, '..', '..', '..', 'node_modules'), SEEN_TABLE_NAME: 'seen' }, encoding: 'utf8', stdio: 'pipe',
    });
    expect(run).toThrow(/STATE_TABLE_NAME is not set: the RealTimeAnalytics stack sets it/);
  });
});
