import { CloudWatchLimits, ConstructAlarms, CustomerManagedPolicies, MskLimits, PrivateSubnets, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IKafkaCluster, KafkaClusterMode, KafkaClusterProps } from './kafka-cluster-props';

const DEFAULT_KAFKA_VERSION = '3.8.x';
const DEFAULT_BROKER_TYPE = 'kafka.m7g.large';
const DEFAULT_VOLUME_GIB = 100;
/** The broker disk alarm fires above this share of a data volume (library choice: room to add storage). */
const DISK_USED_ALARM_PERCENT = 80;
const BROKER_TYPE = '^kafka\\.[a-z0-9]+\\.[a-z0-9]+$';
const SERVERLESS_ONLY_UNSET = ['kafkaVersion', 'brokers', 'brokerInstanceType', 'volumeSizeGiB', 'encryptionKey', 'alarmTopic'] as const;

/** What a provisioned cluster is built from. */
interface ProvisionedParts {
  readonly subnets: ec2.SelectedSubnets;
  readonly brokers: number;
  readonly key: kms.IKey;
  readonly logGroup: logs.LogGroup;
}

/** One statement of a grant: actions on resources of one IAM resource type. */
interface GrantPart {
  readonly actions: string[];
  readonly resources: string[];
}

/**
 * An Amazon MSK cluster with the notes' (1.6) security options turned on:
 * TLS only between clients and brokers and between brokers (no plaintext), IAM
 * access control for both authentication and authorization (no unauthenticated
 * access), EBS encryption with a customer-managed key, broker logs to an encrypted
 * CloudWatch log group, per-topic-per-broker enhanced monitoring, an alarm on the fullest
 * broker's disk that notifies a topic, and a security group that opens only the IAM/TLS port
 * to allowed peers. The serverless mode (notes: for intermittent workloads) keeps IAM
 * authentication.
 *
 * Grants follow MSK's IAM access control: `grantProduce` (Connect and WriteDataIdempotently on
 * the cluster, DescribeTopic and WriteData on the topics: Kafka 3.x producers are idempotent by
 * default) and `grantConsume` (Connect on the cluster, DescribeTopic and ReadData on the topics,
 * DescribeGroup and AlterGroup on the consumer groups).
 */
export class KafkaCluster extends Construct implements IKafkaCluster {
  /** The provisioned cluster (provisioned mode). */
  public readonly cluster?: msk.CfnCluster;
  /** The serverless cluster (serverless mode). */
  public readonly serverlessCluster?: msk.CfnServerlessCluster;
  /** Provisioned or serverless. */
  public readonly mode: KafkaClusterMode;
  /** ARN of the cluster. */
  public readonly clusterArn: string;
  /** Name of the cluster. */
  public readonly clusterName: string;
  /** The brokers' security group (default port: IAM over TLS, 9098). */
  public readonly connections: ec2.Connections;
  /** The key for data at rest, broker logs and the alarm topic (provisioned mode; MSK Serverless uses a service-managed key). */
  public readonly encryptionKey?: kms.IKey;
  /** Broker log group (provisioned). */
  public readonly brokerLogGroup?: logs.LogGroup;
  /** Alarm: the fullest broker data volume is over 80 % (provisioned). */
  public readonly diskUsedAlarm?: cloudwatch.Alarm;
  private readonly monitoring?: ConstructAlarms;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    this.mode = props.mode ?? KafkaClusterMode.PROVISIONED;
    const subnets = this.validate(props);
    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: MskLimits.CLUSTER_NAME.maxLength, separator: '-' }).replace(/^[^A-Za-z]+/, 'k');
    this.connections = this.createConnections(props);
    if (this.mode === KafkaClusterMode.SERVERLESS) {
      this.serverlessCluster = this.createServerlessCluster(subnets);
      this.clusterArn = this.serverlessCluster.attrArn;
    } else {
      const brokers = props.brokers ?? subnets.subnets.length;
      this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
      this.brokerLogGroup = this.createBrokerLogGroup(this.encryptionKey);
      this.cluster = this.createProvisionedCluster(props, { subnets, brokers, key: this.encryptionKey, logGroup: this.brokerLogGroup });
      this.clusterArn = this.cluster.attrArn;
      this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
      this.diskUsedAlarm = this.createDiskUsedAlarm(this.monitoring, brokers);
    }
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of the cluster (none in serverless mode). */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring?.alarms ?? [];
  }

  /** The topic the alarms notify (provisioned mode; undefined in serverless mode, which has no alarms). */
  public get alarmTopic(): sns.ITopic | undefined {
    return this.monitoring?.topic;
  }

  /** @inheritdoc */
  public topicArn(pattern: string): string {
    return this.dataPlaneArn('topic', pattern);
  }

  /** @inheritdoc */
  public groupArn(pattern: string): string {
    return this.dataPlaneArn('group', pattern);
  }

  /**
   * Lets `grantee` connect and produce to topics whose names start with `topicPrefix`:
   * `kafka-cluster:Connect` and `WriteDataIdempotently` on the cluster (idempotence is on by
   * default in Kafka 3.x producers), `DescribeTopic` and `WriteData` on the topics.
   * Transactional producers also need `transactional-id` permissions, not granted here.
   */
  public grantProduce(grantee: iam.IGrantable, topicPrefix: string): iam.Grant {
    this.validateTopicPrefix(topicPrefix);
    return this.grantParts(grantee, [
      { actions: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'], resources: [this.clusterArn] },
      { actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: [this.topicArn(`${topicPrefix}*`)] },
    ]);
  }

  /**
   * Lets `grantee` consume topics whose names start with `topicPrefix` with consumer groups
   * of the same prefix: `Connect` on the cluster, `DescribeTopic` and `ReadData` on the
   * topics, `DescribeGroup` and `AlterGroup` on the groups.
   */
  public grantConsume(grantee: iam.IGrantable, topicPrefix: string): iam.Grant {
    this.validateTopicPrefix(topicPrefix);
    return this.grantParts(grantee, [
      { actions: ['kafka-cluster:Connect'], resources: [this.clusterArn] },
      { actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [this.topicArn(`${topicPrefix}*`)] },
      { actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [this.groupArn(`${topicPrefix}*`)] },
    ]);
  }

  /**
   * Grants a principal that creates or updates the cluster (e.g. a least-privilege
   * CloudFormation execution role) what MSK needs from it on the encryption key:
   * `kms:DescribeKey`, and `kms:CreateGrant` for AWS resources only (MSK creates the grants
   * its EBS volumes use), both through MSK only. Without a customer-managed key (serverless
   * mode) nothing is granted.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-working-with-encryption.html
   */
  public grantEncryptionKeyToCreator(grantee: iam.IGrantable): iam.Grant {
    if (!this.encryptionKey) return iam.Grant.drop(grantee, 'MSK Serverless encrypts with a service-managed key');
    const viaMsk = { 'kms:ViaService': `kafka.${Stack.of(this).region}.amazonaws.com` };
    return iam.Grant.addToPrincipal({
      grantee, actions: ['kms:DescribeKey'], resourceArns: [this.encryptionKey.keyArn], conditions: { StringEquals: viaMsk },
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['kms:CreateGrant'],
      resourceArns: [this.encryptionKey.keyArn],
      conditions: { StringEquals: viaMsk, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  }

  /** Checks the props (skipping tokens) and returns the client subnets. */
  private validate(props: KafkaClusterProps): ec2.SelectedSubnets {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc, true));
    this.validateZones(subnets);
    Validate.resourceName(this, 'clusterName', props.clusterName, MskLimits.CLUSTER_NAME);
    if (this.mode === KafkaClusterMode.SERVERLESS) {
      for (const p of SERVERLESS_ONLY_UNSET) {
        const value = typeof props[p] === 'object' ? 'given' : props[p];
        Validate.that(this, props[p] === undefined, { prop: p, value, allowed: 'not set with MSK Serverless (no brokers to size, a service-managed key, no alarms)' });
      }
      return subnets;
    }
    Validate.oneOf(this, 'kafkaVersion', MskLimits.KAFKA_VERSIONS, props.kafkaVersion);
    Validate.number(this, props.brokers, { prop: 'brokers', ...MskLimits.BROKERS });
    const zones = subnets.subnets.length;
    if (props.brokers !== undefined && !Token.isUnresolved(props.brokers)) {
      Validate.that(this, props.brokers % zones === 0, { prop: 'brokers', value: props.brokers, allowed: `a multiple of the number of zones (${zones})` });
    }
    Validate.number(this, props.volumeSizeGiB, { prop: 'volumeSizeGiB', ...MskLimits.VOLUME_GIB });
    Validate.pattern(this, 'brokerInstanceType', BROKER_TYPE, 'an MSK broker type such as kafka.m7g.large', props.brokerInstanceType);
    return subnets;
  }

  /** One subnet per zone: 2-3 zones (provisioned), at least 2 (serverless). */
  private validateZones(subnets: ec2.SelectedSubnets): void {
    const azs = subnets.availabilityZones;
    const distinct = azs.some((z) => Token.isUnresolved(z)) ? subnets.subnets.length : new Set(azs).size;
    const count = subnets.subnets.length;
    if (this.mode === KafkaClusterMode.SERVERLESS) {
      Validate.that(this, distinct >= MskLimits.SERVERLESS_MIN_ZONES && distinct === count, {
        prop: 'vpcSubnets', value: `${count} subnets in ${distinct} zones`, allowed: `at least ${MskLimits.SERVERLESS_MIN_ZONES} subnets, each in a different Availability Zone`,
      });
      return;
    }
    const { min, max } = MskLimits.PROVISIONED_ZONES;
    Validate.that(this, count >= min && count <= max && distinct === count, {
      prop: 'vpcSubnets', value: `${count} subnets in ${distinct} zones`, allowed: `${min} or ${max} subnets in distinct Availability Zones`,
    });
  }

  private validateTopicPrefix(topicPrefix: string): void {
    Validate.resourceName(this, 'topicPrefix', topicPrefix, MskLimits.TOPIC_PREFIX);
  }

  private createConnections(props: KafkaClusterProps): ec2.Connections {
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: `MSK ${this.node.path}: IAM/TLS port from allowed peers only`, allowAllOutbound: false,
    });
    const connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(MskLimits.IAM_TLS_PORT) });
    for (const peer of props.allowedPeers ?? []) connections.allowDefaultPortFrom(peer, 'Kafka clients (IAM over TLS)');
    return connections;
  }

  private securityGroupIds(): string[] {
    return this.connections.securityGroups.map((g) => g.securityGroupId);
  }

  private createServerlessCluster(subnets: ec2.SelectedSubnets): msk.CfnServerlessCluster {
    // L1: aws-cdk-lib has no stable MSK L2 (it is in @aws-cdk/aws-msk-alpha)
    const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [{ subnetIds: subnets.subnetIds, securityGroups: this.securityGroupIds() }],
    });
    cluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
    return cluster;
  }

  private createBrokerLogGroup(key: kms.IKey): logs.LogGroup {
    if (!DataKey.allowCloudWatchLogs(key)) {
      Annotations.of(this).addWarningV2('@analytics-patterns/collection:BrokerLogKey',
        `${key.node.path} is imported: its key policy must allow logs.${Stack.of(this).region}.amazonaws.com to use it for log groups, or the broker log group cannot be created.`);
    }
    return new logs.LogGroup(this, 'BrokerLogs', { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: Sandbox.removalPolicy(this) });
  }

  private createProvisionedCluster(props: KafkaClusterProps, parts: ProvisionedParts): msk.CfnCluster {
    const { subnets, brokers, key, logGroup } = parts;
    // L1: aws-cdk-lib has no stable MSK L2 (it is in @aws-cdk/aws-msk-alpha)
    const cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      kafkaVersion: props.kafkaVersion ?? DEFAULT_KAFKA_VERSION,
      numberOfBrokerNodes: brokers,
      brokerNodeGroupInfo: {
        clientSubnets: subnets.subnetIds,
        instanceType: props.brokerInstanceType ?? DEFAULT_BROKER_TYPE,
        securityGroups: this.securityGroupIds(),
        storageInfo: { ebsStorageInfo: { volumeSize: props.volumeSizeGiB ?? DEFAULT_VOLUME_GIB } },
      },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: key.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: logGroup.logGroupName } } },
    });
    cluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
    return cluster;
  }

  /**
   * MSK publishes KafkaDataLogsDiskUsed per broker (Cluster Name + Broker ID): the alarm
   * watches the fullest one. With a known count of at most 10 brokers, MAX over one metric
   * per broker; with more brokers (a math alarm takes at most 10 metrics) or a token count
   * (unknown until deploy), a Metrics Insights query over every broker of the cluster, so no
   * broker is left out.
   */
  private createDiskUsedAlarm(monitoring: ConstructAlarms, brokers: number): cloudwatch.Alarm {
    const period = Duration.minutes(5);
    const label = 'Fullest broker data volume (%)';
    let metric: cloudwatch.IMetric;
    if (Token.isUnresolved(brokers) || brokers > CloudWatchLimits.ALARM_MATH_METRICS) {
      metric = new cloudwatch.MathExpression({
        expression: `SELECT MAX(KafkaDataLogsDiskUsed) FROM SCHEMA("AWS/Kafka", "Broker ID", "Cluster Name") WHERE "Cluster Name" = '${this.clusterName}'`,
        label,
        period,
      });
    } else {
      const perBroker: Record<string, cloudwatch.IMetric> = {};
      for (let broker = 1; broker <= brokers; broker++) {
        perBroker[`b${broker}`] = new cloudwatch.Metric({
          namespace: 'AWS/Kafka',
          metricName: 'KafkaDataLogsDiskUsed',
          dimensionsMap: { 'Cluster Name': this.clusterName, 'Broker ID': String(broker) },
          statistic: 'Maximum',
          period,
        });
      }
      metric = new cloudwatch.MathExpression({ expression: `MAX([${Object.keys(perBroker).join(', ')}])`, usingMetrics: perBroker, label, period });
    }
    return monitoring.add('DiskUsedAlarm', {
      metric,
      threshold: DISK_USED_ALARM_PERCENT,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `A broker data volume of ${this.node.path} is over ${DISK_USED_ALARM_PERCENT} % full: add storage or brokers before writes fail.`,
    });
  }

  /** `arn:...:kafka:<region>:<account>:<type>/<cluster name>/*\/<pattern>` (any cluster UUID of this name). */
  private dataPlaneArn(type: 'topic' | 'group', pattern: string): string {
    return Stack.of(this).formatArn({ service: 'kafka', resource: type, resourceName: `${this.clusterName}/*/${pattern}` });
  }

  private grantParts(grantee: iam.IGrantable, parts: GrantPart[]): iam.Grant {
    return parts
      .map((p) => iam.Grant.addToPrincipal({ grantee, actions: p.actions, resourceArns: p.resources }))
      .reduce((all, g) => all.combine(g));
  }
}
