import { CustomerManagedPolicies, IotLimits, NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, ArnFormat, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DevicePartitionKey, DeviceIngestionRuleProps } from './device-ingestion-rule-props';

/** Why `filter` is not an MQTT topic filter IoT accepts, or undefined when it is one. */
function topicFilterProblem(filter: string): string | undefined {
  const bytes = Buffer.byteLength(filter, 'utf8');
  const levels = filter.split('/');
  if (bytes < IotLimits.TOPIC_BYTES.min || bytes > IotLimits.TOPIC_BYTES.max) return `It has ${bytes} bytes.`;
  if (levels.length - 1 > IotLimits.TOPIC_SLASHES.max) return `It has ${levels.length - 1} slashes.`;
  if (filter.includes("'")) return 'It contains a quote.';
  const wildcardsOk = levels.every((l, i) => (l === '#' ? i === levels.length - 1 : l === '+' || !/[+#]/.test(l)));
  return wildcardsOk ? undefined : 'A wildcard is not a whole level, or "#" is not the last level.';
}

/**
 * An AWS IoT Core rule that forwards device messages to a Kinesis data stream
 * (notes 1.4: devices publish to the message broker, the rules engine acts on the
 * messages with an IAM role). The role trusts only this rule of this account
 * (`aws:SourceAccount`, `aws:SourceArn`) and may only put records into that stream (with
 * its key, through Kinesis); failed actions go to an encrypted CloudWatch log group.
 */
export class DeviceIngestionRule extends Construct {
  /** The topic rule. */
  public readonly rule: iot.CfnTopicRule;
  /** Name of the topic rule. */
  public readonly ruleName: string;
  /** ARN of the topic rule (the `aws:SourceArn` the role trusts). */
  public readonly ruleArn: string;
  /** The role the rules engine assumes. */
  public readonly role: iam.Role;
  /** The log group of failed rule actions. */
  public readonly errorLogGroup: logs.LogGroup;
  /** The key of the error log group. */
  public readonly encryptionKey: kms.IKey;
  /** The rule's IoT SQL. */
  public readonly sql: string;

  constructor(scope: Construct, id: string, props: DeviceIngestionRuleProps) {
    super(scope, id);
    this.sql = this.validate(props);
    this.ruleName = props.ruleName ?? Names.uniqueResourceName(this, { maxLength: IotLimits.RULE_NAME.maxLength, separator: '_' });
    this.ruleArn = Stack.of(this).formatArn({ service: 'iot', resource: 'rule', resourceName: this.ruleName });
    this.encryptionKey = props.encryptionKey ?? props.stream.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.errorLogGroup = this.createErrorLogGroup();
    this.role = this.createRole();
    const policy = this.createPolicy(props);
    this.rule = this.createRule(props);
    this.rule.node.addDependency(policy);
    CustomerManagedPolicies.apply(this);
  }

  /** Checks the props and returns the rule's SQL. */
  private validate(props: DeviceIngestionRuleProps): string {
    const filter = props.topicFilter;
    if (!Token.isUnresolved(filter)) {
      const problem = topicFilterProblem(filter);
      Validate.that(this, problem === undefined, {
        prop: 'topicFilter',
        value: filter,
        allowed: `an MQTT topic filter of at most ${IotLimits.TOPIC_BYTES.max} bytes and ${IotLimits.TOPIC_SLASHES.max} slashes, without quotes, "+" as a whole level and "#" only as the last level`,
        hint: problem,
      });
    }
    const select = props.select ?? '*';
    if (!Token.isUnresolved(select)) {
      Validate.that(this, select.trim().length > 0 && !/[;']/.test(select), { prop: 'select', value: select, allowed: 'a column list without ";" or quotes' });
    }
    if (props.where !== undefined && !Token.isUnresolved(props.where)) {
      Validate.that(this, props.where.trim().length > 0 && !props.where.includes(';'), { prop: 'where', value: props.where, allowed: 'a non-empty condition without ";"' });
    }
    Validate.resourceName(this, 'ruleName', props.ruleName, IotLimits.RULE_NAME);
    return `SELECT ${select} FROM '${filter}'${props.where !== undefined ? ` WHERE ${props.where}` : ''}`;
  }

  private createErrorLogGroup(): logs.LogGroup {
    if (!DataKey.allowCloudWatchLogs(this.encryptionKey)) {
      Annotations.of(this).addWarningV2('@analytics-patterns/collection:ErrorLogKey',
        `${this.encryptionKey.node.path} is imported: its key policy must allow logs.${Stack.of(this).region}.amazonaws.com to use it for log groups, or the error log group cannot be created.`);
    }
    return new logs.LogGroup(this, 'Errors', {
      encryptionKey: this.encryptionKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
  }

  /** Trusted by the IoT rules engine for this rule of this account only. */
  private createRole(): iam.Role {
    return new iam.Role(this, 'Role', {
      description: `IoT rules engine role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': this.ruleArn },
        },
      }),
    });
  }

  private createPolicy(props: DeviceIngestionRuleProps): iam.Policy {
    const stack = Stack.of(this);
    const logStreams = stack.formatArn({
      service: 'logs', resource: 'log-group', resourceName: `${this.errorLogGroup.logGroupName}:log-stream:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const policy = new iam.Policy(this, 'Policy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ sid: 'PutIntoStream', actions: ['kinesis:PutRecord'], resources: [props.stream.streamArn] }),
        new iam.PolicyStatement({
          sid: 'WriteErrors',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.errorLogGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }), logStreams],
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
    NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, logStreams)}]`,
      'The IoT CloudWatch Logs error action creates log streams with names it chooses in this construct\'s own error log group; the wildcard covers only that group\'s streams.');
    return policy;
  }

  private createRule(props: DeviceIngestionRuleProps): iot.CfnTopicRule {
    // L1: aws-cdk-lib has no stable TopicRule L2 (it is in @aws-cdk/aws-iot-alpha)
    const partitionKey = (props.partitionKey ?? DevicePartitionKey.TOPIC) === DevicePartitionKey.TOPIC ? '${topic()}' : '${newuuid()}';
    return new iot.CfnTopicRule(this, 'Rule', {
      ruleName: this.ruleName,
      topicRulePayload: {
        sql: this.sql,
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        description: `Forwards ${props.topicFilter} to Kinesis (${this.node.path})`,
        actions: [{ kinesis: { streamName: props.stream.streamName, partitionKey, roleArn: this.role.roleArn } }],
        errorAction: { cloudwatchLogs: { logGroupName: this.errorLogGroup.logGroupName, roleArn: this.role.roleArn } },
      },
    });
  }
}
