import { StreamIngestion, TimeGranularity } from '@analytics-patterns/collection';
import { AlarmTopic, ContextValues, SandboxLifetime } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Props for {@link ClickstreamIngestionStack}. */
export interface ClickstreamIngestionStackProps extends StackProps {
  /** E-mail addresses that receive alarm notifications. Default: none (context `alarm-emails`, comma-separated). */
  readonly alarmEmails?: string[];
}

/**
 * Reference app: clickstream ingestion (notes 1.1, 1.2, 2.2, 6.1).
 *
 * Web and mobile clients (or the lab producer CLI) put JSON click events such as
 * `{"event_id": "...", "event_type": "click", "page": "/cart", "user_id": "u-42", "event_time": "2026-11-28 10:15:00.000"}`
 * into an on-demand Kinesis data stream. Firehose partitions them by `event_type`
 * (JQ, no Lambda) and by arrival day and hour, GZIP-compresses them and writes
 * SSE-KMS objects to `s3://<bucket>/clickstream/event_type=<type>/year=/month=/day=/hour=/`.
 * Alarms go to an encrypted SNS topic.
 */
export class ClickstreamIngestionStack extends Stack {
  public readonly ingestion: StreamIngestion;
  public readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: ClickstreamIngestionStackProps = {}) {
    super(scope, id, { description: 'analytics-patterns reference app: clickstream ingestion (Kinesis -> Firehose -> partitioned S3)', ...props });
    const key = new DataKey(this, 'DataKey', { alias: 'analytics-patterns/clickstream', description: 'Clickstream data key' });
    const contextEmails = ContextValues.list(this, 'alarm-emails');
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { encryptionKey: key.key, emails: props.alarmEmails ?? contextEmails });

    this.ingestion = new StreamIngestion(this, 'Clickstream', {
      encryptionKey: key.key,
      retentionPeriod: Duration.hours(48),
      prefix: 'clickstream',
      partitioning: {
        fields: [{ name: 'event_type' }],
        timeGranularity: TimeGranularity.HOUR,
      },
      bufferingInterval: Duration.seconds(60),
      alarmTopic: this.alarmTopic.topic,
    });

    new CfnOutput(this, 'StreamName', { value: this.ingestion.stream.streamName, description: 'Send records here (npx produce --stream <name>)' });
    new CfnOutput(this, 'BucketName', { value: this.ingestion.bucket.bucketName, description: 'Partitioned records land here' });
    new CfnOutput(this, 'DataPrefix', { value: this.ingestion.dataPrefix });
    new CfnOutput(this, 'DeliveryStreamName', { value: this.ingestion.deliveryStreamName });
    // sandbox mode only: -c analytics-patterns:sandbox-ttl-hours=N and -c analytics-patterns:budget-usd=AMOUNT
    SandboxLifetime.apply(this, { budgetEmails: props.alarmEmails ?? contextEmails });
  }
}
