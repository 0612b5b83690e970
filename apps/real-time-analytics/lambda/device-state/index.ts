import { streamHandler } from '@analytics-patterns/collection/runtime/stream-consumer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDeviceStateProcessor } from './device-state';

/** An environment variable the stack sets on the function. */
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the RealTimeAnalytics stack sets it on the DeviceState function`);
  return value;
}

/**
 * Handler of the DeviceState StreamConsumer: the construct's runtime (de-aggregation,
 * de-duplication by recordId in its seen-set table, partial batch responses) around the app's
 * processor, which upserts per-device state and sends anomaly alerts.
 */
export const handler = streamHandler(createDeviceStateProcessor({
  dynamodb: new DynamoDBClient({}),
  sqs: new SQSClient({}),
  tableName: required('STATE_TABLE_NAME'),
  queueUrl: required('ALERT_QUEUE_URL'),
}));
