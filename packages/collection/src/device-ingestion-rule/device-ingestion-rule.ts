import { Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
   * MQTT topic filter the rule listens to, e.g. `devices/+/telemetry` (`+` one level, `#` the rest).
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
   * Key for the error log group.
   * @default - the stream's key, or a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * An AWS IoT Core rule that forwards device messages to a Kinesis data stream
 * (notes 1.4: devices publish to the message broker, the rules engine acts on the
 * messages with an IAM role). The role may only put records into that stream (and
 * use its key); failed actions go to an encrypted CloudWatch log group.
 */
export class DeviceIngestionRule extends Construct {
  /** The topic rule. */
  public readonly rule: iot.CfnTopicRule;
  /** The role the rules engine assumes. */
  public readonly role: iam.Role;
  /** The log group of failed rule actions. */
  public readonly errorLogGroup: logs.LogGroup;
  /** The rule's IoT SQL. */
  public readonly sql: string;

  constructor(scope: Construct, id: string, props: DeviceIngestionRuleProps) {
    super(scope, id);
    const filter = props.topicFilter;
    const levels = filter.split('/');
    const validFilter = filter.length > 0 && filter.length <= 256 && !filter.includes("'")
      && levels.every((l, i) => (l === '#' ? i === levels.length - 1 : l === '+' || !/[+#]/.test(l)));
    Validate.that(this, validFilter, {
      prop: 'topicFilter',
      value: filter,
      allowed: 'an MQTT topic filter of at most 256 characters, without quotes, "+" as a whole level and "#" only as the last level',
    });
    const select = props.select ?? '*';
    Validate.that(this, select.trim().length > 0 && !/[;']/.test(select), { prop: 'select', value: select, allowed: 'a column list without ";" or quotes' });
    if (props.where !== undefined) {
      Validate.that(this, props.where.trim().length > 0 && !props.where.includes(';'), { prop: 'where', value: props.where, allowed: 'a non-empty condition without ";"' });
    }
    this.sql = `SELECT ${select} FROM '${filter}'${props.where ? ` WHERE ${props.where}` : ''}`;

    const key = props.encryptionKey ?? props.stream.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(key);
    this.errorLogGroup = new logs.LogGroup(this, 'Errors', {
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      description: `IoT rules engine role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ sid: 'PutIntoStream', actions: ['kinesis:PutRecord'], resources: [props.stream.streamArn] }),
        new iam.PolicyStatement({
          sid: 'WriteErrors',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.errorLogGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${this.errorLogGroup.logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
        }),
      ],
    });
    if (props.stream.encryptionKey) {
      policy.addStatements(new iam.PolicyStatement({
        sid: 'EncryptForStream',
        actions: ['kms:GenerateDataKey'],
        resources: [props.stream.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `kinesis.${stack.region}.amazonaws.com` } },
      }));
    }

    const partitionKey = (props.partitionKey ?? DevicePartitionKey.TOPIC) === DevicePartitionKey.TOPIC ? '${topic()}' : '${newuuid()}';
    this.rule = new iot.CfnTopicRule(this, 'Rule', {
      topicRulePayload: {
        sql: this.sql,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        description: `Forwards ${filter} to Kinesis (${this.node.path})`,
        actions: [{ kinesis: { streamName: props.stream.streamName, partitionKey, roleArn: this.role.roleArn } }],
        errorAction: { cloudwatchLogs: { logGroupName: this.errorLogGroup.logGroupName, roleArn: this.role.roleArn } },
      },
    });
    this.rule.node.addDependency(policy);
  }
}
