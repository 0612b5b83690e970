import {
  ConstructAlarms, CustomerManagedPolicies, MskConnectLimits, MskLimits, NagAcknowledgements, PrivateSubnets, Sandbox, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kafkaconnect from 'aws-cdk-lib/aws-kafkaconnect';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConnectorCapacity } from './connector-capacity';
import { ConnectorPluginType, KafkaS3SinkConnectorProps } from './kafka-s3-sink-connector-props';

const DEFAULT_CONNECTOR_CLASS = 'io.confluent.connect.s3.S3SinkConnector';
const DEFAULT_KAFKA_CONNECT_VERSION = '3.7.x';
const DEFAULT_PREFIX = 'kafka';
/** Connector properties the construct owns (bucket, Region, prefix, topics, encryption). */
const MANAGED_PROPERTIES = ['connector.class', 'topics', 'topics.regex', 's3.bucket.name', 's3.region', 'topics.dir', 's3.ssea.name', 's3.sse.kms.key.id'];
/** JSON records in, JSON files out (the Confluent S3 sink's storage and format classes). */
const DEFAULT_PROPERTIES: Record<string, string> = {
  'storage.class': 'io.confluent.connect.s3.storage.S3Storage',
  'format.class': 'io.confluent.connect.s3.format.json.JsonFormat',
  'flush.size': '1000',
  'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
  'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
  'value.converter.schemas.enable': 'false',
};
const AUTO_SCALING_DEFAULTS = { mcuCount: 1, minWorkers: 1, maxWorkers: 2, scaleInCpuPercent: 20, scaleOutCpuPercent: 80 };
const TOPIC_NAME = '^[a-zA-Z0-9._-]{1,249}$';
const BOOTSTRAP_SERVERS = '^[A-Za-z0-9.-]+:\\d{1,5}(,[A-Za-z0-9.-]+:\\d{1,5})*$';
const PREFIX = '^[A-Za-z0-9!_.*\'()-][A-Za-z0-9!_.*\'()/-]{0,199}$';

const bare = (n: number) => !Token.isUnresolved(n);

/**
 * An Amazon MSK Connect sink connector that copies Kafka topics into S3 (notes 1.6: MSK
 * Connect workers poll topic data from the cluster and write it to S3, with no
 * infrastructure to manage). The connector plugin is your artifact in S3; this construct
 * creates the custom plugin (`AWS::KafkaConnect::CustomPlugin`) and the connector
 * (`AWS::KafkaConnect::Connector`) with:
 *
 * - IAM authentication to the cluster over TLS, from a security group that may reach only the
 *   brokers' IAM port and HTTPS;
 * - a service execution role trusted by `kafkaconnect.amazonaws.com` for connectors of this name
 *   in this account only (`aws:SourceAccount`, `aws:SourceArn`), that may read the given topics,
 *   use MSK Connect's internal topics and its own consumer group, and write under its S3 prefix
 *   with the object key (SSE-KMS, through S3 only);
 * - worker logs in a log group encrypted with a customer-managed key;
 * - capacity fixed or scaled on CPU (MCU and worker limits checked at synth);
 * - an alarm on errored tasks that notifies a topic.
 */
export class KafkaS3SinkConnector extends Construct implements ec2.IConnectable {
  /** The connector. */
  public readonly connector: kafkaconnect.CfnConnector;
  /** The custom plugin made from your artifact. */
  public readonly customPlugin: kafkaconnect.CfnCustomPlugin;
  /** The service execution role of the connector. */
  public readonly role: iam.Role;
  /** Log group of the workers. */
  public readonly workerLogGroup: logs.LogGroup;
  /** The workers' security group. */
  public readonly connections: ec2.Connections;
  /** Key of the worker log group and the alarm topic. */
  public readonly encryptionKey: kms.IKey;
  /** Key of the objects (the bucket's key, else `encryptionKey`). */
  public readonly objectKey: kms.IKey;
  /** Name of the connector. */
  public readonly connectorName: string;
  /** Prefix under which the connector writes. */
  public readonly prefix: string;
  /** Alarm: a task of the connector failed. */
  public readonly erroredTaskAlarm: cloudwatch.Alarm;
  private readonly monitoring: ConstructAlarms;

  constructor(scope: Construct, id: string, props: KafkaS3SinkConnectorProps) {
    super(scope, id);
    const pluginType = this.validate(props);
    const capacity = this.capacityOf(props.capacity ?? ConnectorCapacity.autoScaling());
    this.connectorName = props.connectorName ?? Names.uniqueResourceName(this, { maxLength: MskConnectLimits.NAME.maxLength, separator: '-' });
    this.prefix = props.prefix ?? DEFAULT_PREFIX;
    this.encryptionKey = props.encryptionKey ?? props.bucket.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.objectKey = props.bucket.encryptionKey ?? this.encryptionKey;
    this.connections = this.createConnections(props);
    this.workerLogGroup = this.createWorkerLogGroup(props);
    this.role = this.createRole();
    const policy = this.createPolicy(props);
    this.customPlugin = this.createPlugin(props, pluginType);
    this.connector = this.createConnector(props, capacity);
    this.connector.node.addDependency(policy);
    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    this.erroredTaskAlarm = this.createErroredTaskAlarm();
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of the connector. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring.alarms;
  }

  /** The topic the alarms notify. */
  public get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  /** ARN pattern of connectors of this name (what the service role trusts). */
  public get connectorArnPattern(): string {
    return Stack.of(this).formatArn({ service: 'kafkaconnect', resource: 'connector', resourceName: `${this.connectorName}/*` });
  }

  /** Checks the props (skipping tokens) and returns the plugin's content type. */
  private validate(props: KafkaS3SinkConnectorProps): ConnectorPluginType {
    this.validateTopics(props.topics);
    Validate.resourceName(this, 'connectorName', props.connectorName, MskConnectLimits.NAME);
    Validate.oneOf(this, 'kafkaConnectVersion', MskConnectLimits.KAFKA_CONNECT_VERSIONS, props.kafkaConnectVersion);
    Validate.pattern(this, 'bootstrapServers', BOOTSTRAP_SERVERS, 'a comma-separated list of host:port (the cluster\'s BootstrapBrokerStringSaslIam)', props.bootstrapServers);
    Validate.pattern(this, 'prefix', PREFIX, 'an S3 key prefix of 1-200 characters without expressions or a leading "/"', props.prefix);
    const overridden = Object.keys(props.connectorConfiguration ?? {}).filter((k) => MANAGED_PROPERTIES.includes(k));
    Validate.that(this, overridden.length === 0, {
      prop: 'connectorConfiguration', value: overridden, allowed: `properties other than ${MANAGED_PROPERTIES.join(', ')} (set by the construct or its props)`,
    });
    return this.validatePlugin(props);
  }

  private validateTopics(topics: string[]): void {
    Validate.that(this, !Token.isUnresolved(topics), {
      prop: 'topics', value: 'a list token', allowed: 'an array of topic names (each may be a token): the role grants each topic by name',
    });
    Validate.that(this, topics.length > 0, { prop: 'topics', value: topics, allowed: 'at least one topic name' });
    Validate.unique(this, 'topics', topics);
    topics.forEach((t, i) => {
      Validate.pattern(this, `topics[${i}]`, TOPIC_NAME, 'a Kafka topic name (1-249 letters, digits, ".", "_", "-")', t);
      Validate.that(this, Token.isUnresolved(t) || !t.startsWith(MskConnectLimits.INTERNAL_TOPIC_PREFIX), {
        prop: `topics[${i}]`, value: t, allowed: `a topic that is not one of MSK Connect's internal topics (${MskConnectLimits.INTERNAL_TOPIC_PREFIX}*)`,
      });
    });
  }

  private validatePlugin(props: KafkaS3SinkConnectorProps): ConnectorPluginType {
    const { key, contentType } = props.plugin;
    if (Token.isUnresolved(key)) {
      Validate.that(this, contentType !== undefined, { prop: 'plugin.contentType', value: undefined, allowed: 'ZIP or JAR when plugin.key is a token' });
      return contentType!;
    }
    const extension = /\.(zip|jar)$/i.exec(key)?.[1]?.toUpperCase() as ConnectorPluginType | undefined;
    Validate.that(this, extension !== undefined, { prop: 'plugin.key', value: key, allowed: 'an S3 object key ending with .zip or .jar' });
    Validate.that(this, contentType === undefined || contentType === extension, {
      prop: 'plugin.contentType', value: contentType, allowed: `${extension} (the key's extension)`,
    });
    return extension!;
  }

  /** The CloudFormation capacity, after checking MCU counts, worker counts and CPU thresholds. */
  private capacityOf(capacity: ConnectorCapacity): kafkaconnect.CfnConnector.CapacityProperty {
    const mcu = (value: number, prop: string) => {
      if (bare(value)) Validate.that(this, MskConnectLimits.MCU_COUNTS.includes(value), { prop, value, allowed: `one of ${MskConnectLimits.MCU_COUNTS.join(', ')}` });
      return value;
    };
    const fixed = capacity.provisionedOptions;
    if (fixed) {
      Validate.number(this, fixed.workerCount, { prop: 'capacity.workerCount', ...MskConnectLimits.WORKERS });
      return { provisionedCapacity: { workerCount: fixed.workerCount, mcuCount: mcu(fixed.mcuCount ?? 1, 'capacity.mcuCount') } };
    }
    const o = { ...AUTO_SCALING_DEFAULTS, ...capacity.autoScalingOptions };
    Validate.number(this, o.minWorkers, { prop: 'capacity.minWorkers', ...MskConnectLimits.WORKERS });
    Validate.number(this, o.maxWorkers, { prop: 'capacity.maxWorkers', ...MskConnectLimits.WORKERS });
    Validate.number(this, o.scaleInCpuPercent, { prop: 'capacity.scaleInCpuPercent', ...MskConnectLimits.CPU_UTILIZATION_PERCENT });
    Validate.number(this, o.scaleOutCpuPercent, { prop: 'capacity.scaleOutCpuPercent', ...MskConnectLimits.CPU_UTILIZATION_PERCENT });
    if (bare(o.minWorkers) && bare(o.maxWorkers)) {
      Validate.that(this, o.minWorkers <= o.maxWorkers, { prop: 'capacity.minWorkers', value: o.minWorkers, allowed: `at most capacity.maxWorkers (${o.maxWorkers})` });
    }
    if (bare(o.scaleInCpuPercent) && bare(o.scaleOutCpuPercent)) {
      Validate.that(this, o.scaleInCpuPercent < o.scaleOutCpuPercent, {
        prop: 'capacity.scaleInCpuPercent', value: o.scaleInCpuPercent, allowed: `below capacity.scaleOutCpuPercent (${o.scaleOutCpuPercent})`,
      });
    }
    return {
      autoScaling: {
        mcuCount: mcu(o.mcuCount, 'capacity.mcuCount'),
        minWorkerCount: o.minWorkers,
        maxWorkerCount: o.maxWorkers,
        scaleInPolicy: { cpuUtilizationPercentage: o.scaleInCpuPercent },
        scaleOutPolicy: { cpuUtilizationPercentage: o.scaleOutCpuPercent },
      },
    };
  }

  /** Workers reach only the brokers' IAM port and HTTPS (S3, through an endpoint or NAT). */
  private createConnections(props: KafkaS3SinkConnectorProps): ec2.Connections {
    const group = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, allowAllOutbound: false, description: `MSK Connect ${this.node.path}: to the brokers (IAM/TLS) and HTTPS only; no inbound`,
    });
    const connections = new ec2.Connections({ securityGroups: [group] });
    connections.allowTo(props.cluster, ec2.Port.tcp(MskLimits.IAM_TLS_PORT), 'Kafka brokers (IAM over TLS)');
    connections.allowToAnyIpv4(ec2.Port.tcp(443), 'HTTPS to S3 (gateway endpoint or NAT)');
    return connections;
  }

  private createWorkerLogGroup(props: KafkaS3SinkConnectorProps): logs.LogGroup {
    if (!DataKey.allowCloudWatchLogs(this.encryptionKey)) {
      Annotations.of(this).addWarningV2('@analytics-patterns/collection:WorkerLogKey',
        `${this.encryptionKey.node.path} is imported: its key policy must allow logs.${Stack.of(this).region}.amazonaws.com to use it for log groups, or the worker log group cannot be created.`);
    }
    return new logs.LogGroup(this, 'WorkerLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
  }

  /** Trusted by MSK Connect for connectors of this name in this account only. */
  private createRole(): iam.Role {
    return new iam.Role(this, 'ServiceRole', {
      description: `MSK Connect service execution role of ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('kafkaconnect.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account }, ArnLike: { 'aws:SourceArn': this.connectorArnPattern } },
      }),
    });
  }

  /** Least privilege on the cluster (the topics, internal topics, own groups) and the bucket (the prefix, with the key). */
  private createPolicy(props: KafkaS3SinkConnectorProps): iam.Policy {
    const policy = new iam.Policy(this, 'ServicePolicy', { roles: [this.role], statements: [...this.kafkaStatements(props), ...this.s3Statements(props)] });
    this.acknowledgeWildcards(policy, props);
    return policy;
  }

  private kafkaStatements(props: KafkaS3SinkConnectorProps): iam.PolicyStatement[] {
    const cluster = props.cluster;
    const internal = `${MskConnectLimits.INTERNAL_TOPIC_PREFIX}*`;
    return [
      new iam.PolicyStatement({ sid: 'ConnectToCluster', actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], resources: [cluster.clusterArn] }),
      new iam.PolicyStatement({ sid: 'ReadTopics', actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: props.topics.map((t) => cluster.topicArn(t)) }),
      new iam.PolicyStatement({
        sid: 'InternalTopics',
        actions: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData', 'kafka-cluster:WriteData'],
        resources: [cluster.topicArn(internal)],
      }),
      new iam.PolicyStatement({
        sid: 'ConsumerGroups',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [cluster.groupArn(`${MskConnectLimits.SINK_GROUP_PREFIX}${this.connectorName}`), cluster.groupArn(internal)],
      }),
    ];
  }

  private s3Statements(props: KafkaS3SinkConnectorProps): iam.PolicyStatement[] {
    const objects = props.bucket.arnForObjects(`${this.prefix}/*`);
    return [
      new iam.PolicyStatement({ sid: 'ListBucket', actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads', 's3:GetBucketLocation'], resources: [props.bucket.bucketArn] }),
      new iam.PolicyStatement({
        sid: 'WriteObjects', actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], resources: [objects],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptObjects',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.objectKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` },
          // with S3 Bucket Keys the context is the bucket ARN, otherwise the object ARN
          StringLike: { 'kms:EncryptionContext:aws:s3:arn': [props.bucket.bucketArn, objects] },
        },
      }),
    ];
  }

  /** Each wildcard resource of the policy, acknowledged with its own finding id and reason. */
  private acknowledgeWildcards(policy: iam.Policy, props: KafkaS3SinkConnectorProps): void {
    const cluster = props.cluster;
    const uuid = 'the cluster UUID is not known at synth time, so the ARN has a wildcard in its place';
    const ack = (arn: string, reason: string) =>
      NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, arn)}]`, reason);
    NagAcknowledgements.objectsUnder(policy, props.bucket, `${this.prefix}/`,
      `The sink writes one object per topic partition and flush under ${this.node.path}'s prefix (prop prefix); the object ARN must end with a wildcard.`);
    props.topics.forEach((t) => ack(cluster.topicArn(t), `Topic ${t} of cluster ${cluster.clusterName} only (prop topics); ${uuid}.`));
    ack(cluster.topicArn(`${MskConnectLimits.INTERNAL_TOPIC_PREFIX}*`),
      'MSK Connect keeps the connector\'s offsets, configuration and status in internal topics it names with this prefix (AWS documents this resource for the service execution role).');
    ack(cluster.groupArn(`${MskConnectLimits.SINK_GROUP_PREFIX}${this.connectorName}`), `The sink connector's own consumer group (connect-<connector name>); ${uuid}.`);
    ack(cluster.groupArn(`${MskConnectLimits.INTERNAL_TOPIC_PREFIX}*`),
      'MSK Connect\'s internal consumer groups, named by the service with this prefix (AWS documents this resource for the service execution role).');
  }

  private createPlugin(props: KafkaS3SinkConnectorProps, contentType: ConnectorPluginType): kafkaconnect.CfnCustomPlugin {
    // L1: aws-cdk-lib has no MSK Connect L2
    return new kafkaconnect.CfnCustomPlugin(this, 'Plugin', {
      name: `${this.connectorName}-plugin`.slice(0, MskConnectLimits.NAME.maxLength),
      description: `S3 sink connector plugin of ${this.node.path}`,
      contentType,
      location: { s3Location: { bucketArn: props.plugin.bucket.bucketArn, fileKey: props.plugin.key, objectVersion: props.plugin.objectVersion } },
    });
  }

  private createConnector(props: KafkaS3SinkConnectorProps, capacity: kafkaconnect.CfnConnector.CapacityProperty): kafkaconnect.CfnConnector {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc));
    // L1: aws-cdk-lib has no MSK Connect L2
    return new kafkaconnect.CfnConnector(this, 'Connector', {
      connectorName: this.connectorName,
      connectorDescription: `Copies ${props.topics.length} topic(s) of ${props.cluster.clusterName} to S3 (${this.node.path})`,
      kafkaConnectVersion: props.kafkaConnectVersion ?? DEFAULT_KAFKA_CONNECT_VERSION,
      capacity,
      connectorConfiguration: this.connectorConfiguration(props),
      kafkaCluster: {
        apacheKafkaCluster: {
          bootstrapServers: props.bootstrapServers,
          vpc: { subnets: subnets.subnetIds, securityGroups: this.connections.securityGroups.map((g) => g.securityGroupId) },
        },
      },
      kafkaClusterClientAuthentication: { authenticationType: 'IAM' },
      kafkaClusterEncryptionInTransit: { encryptionType: 'TLS' },
      plugins: [{ customPlugin: { customPluginArn: this.customPlugin.attrCustomPluginArn, revision: this.customPlugin.attrRevision } }],
      serviceExecutionRoleArn: this.role.roleArn,
      logDelivery: { workerLogDelivery: { cloudWatchLogs: { enabled: true, logGroup: this.workerLogGroup.logGroupName } } },
    });
  }

  /** Defaults, then the user's properties, then the ones the construct owns. */
  private connectorConfiguration(props: KafkaS3SinkConnectorProps): Record<string, string> {
    return {
      ...DEFAULT_PROPERTIES,
      ...props.connectorConfiguration,
      'connector.class': props.connectorClass ?? DEFAULT_CONNECTOR_CLASS,
      'topics': props.topics.join(','),
      's3.bucket.name': props.bucket.bucketName,
      's3.region': Stack.of(this).region,
      'topics.dir': this.prefix,
      's3.ssea.name': 'aws:kms',
      's3.sse.kms.key.id': this.objectKey.keyArn,
    };
  }

  private createErroredTaskAlarm(): cloudwatch.Alarm {
    return this.monitoring.add('ErroredTaskAlarm', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/KafkaConnect',
        metricName: 'ErroredTaskCount',
        dimensionsMap: { ConnectorName: this.connectorName },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `A task of connector ${this.connectorName} (${this.node.path}) failed: records of its partitions are not copied to S3; see the worker log group.`,
    });
  }
}
