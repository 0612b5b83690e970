import { RedshiftDestination, RedshiftEndpoint, StreamIngestion, TimeGranularity } from '@analytics-patterns/collection';
import { AlarmTopic, ContextValues, SandboxLifetime, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Columns of the Redshift table the clicks load into, in COPY order (JSON keys of a click event). */
export const CLICK_COLUMNS = ['event_id', 'event_type', 'page', 'user_id', 'event_time'];

/** Context keys of the optional Redshift delivery (`-c clickstream-redshift-host=...`). */
export const REDSHIFT_CONTEXT = {
  hostname: 'clickstream-redshift-host',
  port: 'clickstream-redshift-port',
  database: 'clickstream-redshift-database',
  tableName: 'clickstream-redshift-table',
  credentialsSecretArn: 'clickstream-redshift-secret-arn',
  credentialsKeyArn: 'clickstream-redshift-secret-key-arn',
  securityGroupId: 'clickstream-redshift-security-group',
} as const;

/**
 * A Redshift warehouse of yours that Firehose also loads the clicks into (notes 1.2: Redshift as
 * a Firehose destination). Firehose connects to Redshift from its regional CIDR block, never
 * through a VPC, so the cluster or Serverless workgroup must be publicly accessible: this app
 * never creates such an endpoint; you bring one (a sandbox workgroup, see LAB.md).
 */
export interface ClickstreamRedshiftTarget {
  /** Host name of the publicly accessible cluster or Serverless workgroup endpoint. */
  readonly hostname: string;
  /**
   * Port: 1150-65535 for a provisioned cluster, 5431-5455 or 8191-8215 for a Serverless workgroup.
   * @default 5439
   */
  readonly port?: number;
  /**
   * Database of the table.
   * @default 'dev'
   */
  readonly database?: string;
  /**
   * Table with the columns of {@link CLICK_COLUMNS} (schema-qualified).
   * @default 'public.clickstream_events'
   */
  readonly tableName?: string;
  /**
   * Complete ARN (with its 6-character suffix) of the Secrets Manager secret holding the
   * loading user's `username` and `password`; that user needs INSERT on the table and nothing more.
   */
  readonly credentialsSecretArn: string;
  /**
   * ARN of the customer-managed key encrypting that secret, so Firehose may decrypt it through
   * Secrets Manager.
   * @default - the secret uses the AWS managed key `aws/secretsmanager`
   */
  readonly credentialsKeyArn?: string;
  /**
   * Security group of the warehouse: an ingress rule from this region's Firehose CIDR block on
   * the port is added to it.
   * @default - none (a synth warning names the block to allow)
   */
  readonly securityGroupId?: string;
}

type RedshiftField = keyof ClickstreamRedshiftTarget;

/** Props for {@link ClickstreamIngestionStack}. */
export interface ClickstreamIngestionStackProps extends StackProps {
  /** E-mail addresses that receive alarm notifications. Default: none (context `alarm-emails`, comma-separated). */
  readonly alarmEmails?: string[];
  /**
   * Also load the clicks into a Redshift warehouse of yours (a second Firehose delivery from the
   * same stream).
   * @default - context `clickstream-redshift-host` and the other `REDSHIFT_CONTEXT` keys, else none
   */
  readonly redshift?: ClickstreamRedshiftTarget;
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
 *
 * Optionally (`redshift` or `-c clickstream-redshift-host=...`), a second Firehose delivery
 * from the same stream stages the clicks under `redshift-staging/` in the same bucket and COPYs
 * them into a publicly accessible Redshift warehouse of yours.
 */
export class ClickstreamIngestionStack extends Stack {
  public readonly ingestion: StreamIngestion;
  public readonly alarmTopic: AlarmTopic;
  /** The Firehose delivery into Redshift, with `redshift` (or its context keys). */
  public readonly redshiftLoad?: StreamIngestion;

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

    // errors name the prop, or the context key the value came from
    const redshift = props.redshift ?? this.redshiftFromContext();
    const named = (field: RedshiftField) => props.redshift ? `redshift.${field}` : `context ${REDSHIFT_CONTEXT[field]}`;
    if (redshift) this.redshiftLoad = this.loadIntoRedshift(redshift, key.key, named);

    new CfnOutput(this, 'StreamName', { value: this.ingestion.stream.streamName, description: 'Send records here (npx produce --stream <name>)' });
    new CfnOutput(this, 'BucketName', { value: this.ingestion.bucket.bucketName, description: 'Partitioned records land here' });
    new CfnOutput(this, 'DataPrefix', { value: this.ingestion.dataPrefix });
    new CfnOutput(this, 'DeliveryStreamName', { value: this.ingestion.deliveryStreamName });
    if (this.redshiftLoad) {
      new CfnOutput(this, 'RedshiftDeliveryStreamName', { value: this.redshiftLoad.deliveryStreamName, description: 'Loads the clicks into Redshift (staged under redshift-staging/)' });
    }
    // sandbox mode only: -c analytics-patterns:sandbox-ttl-hours=N and -c analytics-patterns:budget-usd=AMOUNT
    SandboxLifetime.apply(this, { budgetEmails: props.alarmEmails ?? contextEmails });
  }

  /**
   * A second Firehose delivery from the clickstream: files staged under `redshift-staging/` in
   * the same bucket (SSE-KMS), then COPY into the table. The stream's alarms stay with the first
   * delivery (same metrics); this one alarms on its own freshness, COPY and staging failures.
   */
  private loadIntoRedshift(target: ClickstreamRedshiftTarget, key: kms.IKey, named: (field: RedshiftField) => string): StreamIngestion {
    const pattern = (field: RedshiftField, regex: string, description: string, value?: string) =>
      Validate.pattern(this, named(field), regex, description, value);
    pattern('hostname', '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$',
      'a lower-case DNS host name (the endpoint without port or database)', target.hostname);
    Validate.number(this, target.port, { prop: named('port'), min: 1150, max: 65535, integer: true });
    pattern('credentialsSecretArn', '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$',
      'the complete ARN of a Secrets Manager secret (ending in -XXXXXX)', target.credentialsSecretArn);
    pattern('credentialsKeyArn', '^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$', 'the ARN of a KMS key', target.credentialsKeyArn);
    pattern('securityGroupId', '^sg-([0-9a-f]{8}|[0-9a-f]{17})$', 'a security group id (sg- and 8 or 17 hex digits)', target.securityGroupId);

    const credentials = secretsmanager.Secret.fromSecretAttributes(this, 'RedshiftLoaderSecret', {
      secretCompleteArn: target.credentialsSecretArn,
      encryptionKey: target.credentialsKeyArn ? kms.Key.fromKeyArn(this, 'RedshiftLoaderSecretKey', target.credentialsKeyArn) : undefined,
    });
    const securityGroup = target.securityGroupId
      ? ec2.SecurityGroup.fromSecurityGroupId(this, 'RedshiftSecurityGroup', target.securityGroupId, { mutable: false })
      : undefined;
    return new StreamIngestion(this, 'ClickstreamToRedshift', {
      existingStream: this.ingestion.stream,
      existingBucket: this.ingestion.bucket,
      encryptionKey: key,
      prefix: 'redshift-staging',
      bufferingInterval: Duration.seconds(60),
      destination: new RedshiftDestination({
        endpoint: RedshiftEndpoint.fromAttributes({ hostname: target.hostname, port: target.port, publiclyAccessible: true }),
        database: target.database ?? 'dev',
        tableName: target.tableName ?? 'public.clickstream_events',
        columns: CLICK_COLUMNS,
        // event_time is 'YYYY-MM-DD HH:MI:SS.sss'; GZIP is appended (the staged files are GZIP)
        copyOptions: "JSON 'auto' TIMEFORMAT 'auto'",
        credentials,
        securityGroup,
      }),
      alarmTopic: this.alarmTopic.topic,
      alarms: { streamAlarms: false },
    });
  }

  /** The Redshift target from context keys, undefined without `clickstream-redshift-host`. */
  private redshiftFromContext(): ClickstreamRedshiftTarget | undefined {
    const value = (key: string) => ContextValues.string(this, key);
    const hostname = value(REDSHIFT_CONTEXT.hostname);
    const secretArn = value(REDSHIFT_CONTEXT.credentialsSecretArn);
    if (hostname === undefined) {
      const stray = Object.values(REDSHIFT_CONTEXT).filter((k) => value(k) !== undefined);
      Validate.that(this, stray.length === 0, {
        prop: `context ${REDSHIFT_CONTEXT.hostname}`, value: undefined, allowed: `set whenever ${stray.join(', ')} is (the Redshift delivery needs its endpoint)`,
      });
      return undefined;
    }
    Validate.that(this, secretArn !== undefined, {
      prop: `context ${REDSHIFT_CONTEXT.credentialsSecretArn}`,
      value: undefined,
      allowed: `the complete ARN of the loading user's secret (required with ${REDSHIFT_CONTEXT.hostname})`,
    });
    const port = value(REDSHIFT_CONTEXT.port);
    Validate.that(this, port === undefined || /^[0-9]+$/.test(port), { prop: `context ${REDSHIFT_CONTEXT.port}`, value: port, allowed: 'a port number' });
    return {
      hostname,
      port: port === undefined ? undefined : Number(port),
      database: value(REDSHIFT_CONTEXT.database),
      tableName: value(REDSHIFT_CONTEXT.tableName),
      credentialsSecretArn: secretArn!,
      credentialsKeyArn: value(REDSHIFT_CONTEXT.credentialsKeyArn),
      securityGroupId: value(REDSHIFT_CONTEXT.securityGroupId),
    };
  }
}
