import type { ConsumedRecord, RecordProcessor } from '@analytics-patterns/collection/runtime/stream-consumer';
import { ConditionalCheckFailedException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';

/**
 * The records the Flink job (`flink/main.py`) writes to the results stream: one per device and
 * tumbling window, and one per anomalous reading. Fields the other kind has are null.
 */
export interface WindowResult {
  readonly recordId: string;
  readonly kind: 'window';
  readonly deviceId: string;
  readonly event_time: string;
  readonly window_start: string;
  readonly window_end: string;
  readonly readings: number;
  readonly temperature_avg: number;
  readonly temperature_min: number;
  readonly temperature_max: number;
}

/** An anomalous reading: its z-score against the device's preceding readings is past the threshold. */
export interface AnomalyResult {
  readonly recordId: string;
  readonly kind: 'anomaly';
  readonly deviceId: string;
  readonly event_time: string;
  readonly temperature: number;
  readonly baseline_mean: number;
  readonly baseline_stddev: number;
  readonly zscore: number;
}

/** What the processor talks to (SDK v3 clients, or test doubles with the same `send`). */
export interface DeviceStateDependencies {
  readonly dynamodb: { send(command: any): Promise<any> };
  readonly sqs: { send(command: any): Promise<any> };
  /** The device state table (partition key `deviceId`). */
  readonly tableName: string;
  /** The alert queue. */
  readonly queueUrl: string;
  /** Where skipped records are reported. Default: one JSON log line each. */
  readonly onSkipped?: (reason: string, record: ConsumedRecord) => void;
}

/** Why a record is not a result of the job, or undefined when it is one. */
export function resultProblem(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return 'not a JSON object';
  const r = body as Record<string, unknown>;
  const text = (k: string) => typeof r[k] === 'string' && (r[k] as string).length > 0;
  const num = (k: string) => typeof r[k] === 'number' && Number.isFinite(r[k]);
  if (!text('deviceId') || !text('recordId') || !text('event_time')) return 'deviceId, recordId or event_time missing';
  if (r.kind === 'window') {
    const missing = [
      ...['readings', 'temperature_avg', 'temperature_min', 'temperature_max'].filter((k) => !num(k)),
      ...['window_start', 'window_end'].filter((k) => !text(k)),
    ];
    return missing.length > 0 ? `window without ${missing.join(', ')}` : undefined;
  }
  if (r.kind === 'anomaly') {
    const missing = ['temperature', 'baseline_mean', 'baseline_stddev', 'zscore'].filter((k) => !num(k));
    return missing.length > 0 ? `anomaly without ${missing.join(', ')}` : undefined;
  }
  return `unknown kind ${JSON.stringify(r.kind)}`;
}

const n = (v: number) => ({ N: String(v) });
const s = (v: string) => ({ S: v });

/**
 * Runs an update that only applies to newer data (its condition compares ISO-8601 UTC times,
 * which sort as text): a replayed or late result fails the condition and changes nothing.
 * @returns whether the item was updated
 */
async function updateIfNewer(deps: DeviceStateDependencies, input: ConstructorParameters<typeof UpdateItemCommand>[0]): Promise<boolean> {
  try {
    await deps.dynamodb.send(new UpdateItemCommand(input));
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException || (e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}

/** The latest window of the device: its aggregates replace the stored ones unless they are older. */
async function applyWindow(deps: DeviceStateDependencies, w: WindowResult): Promise<void> {
  await updateIfNewer(deps, {
    TableName: deps.tableName,
    Key: { deviceId: s(w.deviceId) },
    UpdateExpression: 'SET lastWindowStart = :start, lastWindowEnd = :end, readings = :readings, '
      + 'temperatureAvg = :avg, temperatureMin = :min, temperatureMax = :max, lastResultId = :id',
    ConditionExpression: 'attribute_not_exists(lastWindowEnd) OR lastWindowEnd < :end',
    ExpressionAttributeValues: {
      ':start': s(w.window_start),
      ':end': s(w.window_end),
      ':readings': n(w.readings),
      ':avg': n(w.temperature_avg),
      ':min': n(w.temperature_min),
      ':max': n(w.temperature_max),
      ':id': s(w.recordId),
    },
  });
}

/**
 * An anomaly: the alert goes to the queue first (if that fails, the batch is retried from this
 * record), then the device's anomaly count and latest anomaly are updated.
 */
async function applyAnomaly(deps: DeviceStateDependencies, a: AnomalyResult): Promise<void> {
  await deps.sqs.send(new SendMessageCommand({
    QueueUrl: deps.queueUrl,
    MessageBody: JSON.stringify({
      alert: 'temperature-anomaly',
      deviceId: a.deviceId,
      at: a.event_time,
      temperature: a.temperature,
      zscore: a.zscore,
      baselineMean: a.baseline_mean,
      baselineStddev: a.baseline_stddev,
      resultId: a.recordId,
    }),
    MessageAttributes: { deviceId: { DataType: 'String', StringValue: a.deviceId } },
  }));
  const key = { deviceId: s(a.deviceId) };
  const latest = await updateIfNewer(deps, {
    TableName: deps.tableName,
    Key: key,
    UpdateExpression: 'ADD anomalies :one SET lastAnomalyAt = :at, lastAnomalyTemperature = :t, lastAnomalyZscore = :z',
    ConditionExpression: 'attribute_not_exists(lastAnomalyAt) OR lastAnomalyAt < :at',
    ExpressionAttributeValues: { ':one': n(1), ':at': s(a.event_time), ':t': n(a.temperature), ':z': n(a.zscore) },
  });
  if (!latest) {
    // an older anomaly arriving late still counts; the latest one stays
    await deps.dynamodb.send(new UpdateItemCommand({
      TableName: deps.tableName, Key: key, UpdateExpression: 'ADD anomalies :one', ExpressionAttributeValues: { ':one': n(1) },
    }));
  }
}

/**
 * The per-device state processor of the real-time analytics app, run by the StreamConsumer
 * runtime (`streamHandler`), which de-duplicates by `recordId` before calling it:
 *
 * - a window result upserts the device's latest aggregates (older windows change nothing);
 * - an anomaly sends an alert to the queue and counts it on the device.
 *
 * Records that are not results of the job are reported and skipped rather than retried: they
 * would fail the same way every time and block the shard until they expire.
 */
export function createDeviceStateProcessor(deps: DeviceStateDependencies): RecordProcessor {
  const skipped = deps.onSkipped ?? ((reason: string, record: ConsumedRecord) => console.warn(JSON.stringify({
    message: 'skipped record', reason, sequenceNumber: record.sequenceNumber, partitionKey: record.partitionKey,
  })));
  return async (record: ConsumedRecord) => {
    const problem = resultProblem(record.body);
    if (problem !== undefined) {
      skipped(problem, record);
      return;
    }
    const result = record.body as WindowResult | AnomalyResult;
    if (result.kind === 'window') await applyWindow(deps, result);
    else await applyAnomaly(deps, result);
  };
}
