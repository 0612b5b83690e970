import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';

/** How each device message's Kinesis partition key is chosen. */
export enum DevicePartitionKey {
  /** `${newuuid()}`: even spread over shards, no per-device order. */
  RANDOM = 'RANDOM',
  /** `${topic()}`: all messages of one MQTT topic (device) on one shard, in order. */
  TOPIC = 'TOPIC',
}

/** Props for {@link DeviceIngestionRule}. */
export interface DeviceIngestionRuleProps {
  /** The stream that receives device messages (e.g. `StreamIngestion.stream`). */
  readonly stream: kinesis.IStream;
  /**
   * MQTT topic filter the rule listens to, e.g. `devices/+/telemetry` (`+` one level, `#` the
   * rest): at most 256 bytes and 7 slashes, no quotes.
   */
  readonly topicFilter: string;
  /**
   * Columns of the rule's SELECT.
   * @default '*'
   */
  readonly select?: string;
  /**
   * WHERE condition of the rule (IoT SQL), without the WHERE keyword.
   * @default - every message
   */
  readonly where?: string;
  /**
   * Partition key strategy.
   * @default DevicePartitionKey.TOPIC
   */
  readonly partitionKey?: DevicePartitionKey;
  /**
   * Name of the topic rule (1-128 letters, digits and `_`). The rules engine role trusts
   * only this rule (`aws:SourceArn`), so the name is fixed at synth time.
   * @default - generated from the construct path
   */
  readonly ruleName?: string;
  /**
   * Key for the error log group.
   * @default - the stream's key, or a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
}
