import { PrivateSubnets, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';

/** Provisioned brokers, or MSK Serverless. */
export enum KafkaClusterMode {
  /** Provisioned brokers: you choose broker count, type and storage, and pay per broker and GB. */
  PROVISIONED = 'PROVISIONED',
  /** MSK Serverless: for intermittent workloads; no capacity to manage; IAM authentication only. */
  SERVERLESS = 'SERVERLESS',
}

/** Props for {@link KafkaCluster}. */
export interface KafkaClusterProps {
  /** The VPC of the brokers (MSK spans one Region, several Availability Zones). */
  readonly vpc: ec2.IVpc;
  /**
   * Client subnets: one per Availability Zone, 2 or 3 zones.
   * @default - the VPC's private subnets, one per zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Provisioned or serverless.
   * @default KafkaClusterMode.PROVISIONED
   */
  readonly mode?: KafkaClusterMode;
  /**
   * Apache Kafka version (provisioned).
   * @default '3.8.x'
   */
  readonly kafkaVersion?: string;
  /**
   * Broker count: a multiple of the number of client subnets (zones).
   * @default - one broker per zone
   */
  readonly brokers?: number;
  /**
   * Broker instance type.
   * @default 'kafka.m7g.large'
   */
  readonly brokerInstanceType?: string;
  /**
   * EBS storage per broker, 1-16,384 GiB.
   * @default 100
   */
  readonly volumeSizeGiB?: number;
  /**
   * Customer-managed key for data at rest and the broker log group (provisioned mode only).
   * @default - a new DataKey (provisioned); MSK Serverless always uses a service-managed key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Peers allowed to reach the brokers (IAM/TLS port 9098).
   * @default - none (use `connections`)
   */
  readonly allowedPeers?: ec2.IPeer[];
  /**
   * Cluster name (1-64 letters, digits and hyphens, starting with a letter).
   * @default - generated from the construct path
   */
  readonly clusterName?: string;
}

/**
 * An Amazon MSK cluster with the notes' (1.6) security options turned on:
 * TLS only between clients and brokers and between brokers (no plaintext), IAM
 * access control for both authentication and authorization (no unauthenticated
 * access), EBS encryption with a customer-managed key, broker logs to an encrypted
 * CloudWatch log group, per-topic-per-broker enhanced monitoring, and a security
 * group that opens only the IAM/TLS port to allowed peers. The serverless mode
 * (notes: for intermittent workloads) keeps IAM authentication.
 */
export class KafkaCluster extends Construct {
  /** The provisioned cluster (provisioned mode). */
  public readonly cluster?: msk.CfnCluster;
  /** The serverless cluster (serverless mode). */
  public readonly serverlessCluster?: msk.CfnServerlessCluster;
  /** ARN of the cluster. */
  public readonly clusterArn: string;
  /** Name of the cluster. */
  public readonly clusterName: string;
  /** The brokers' security group. */
  public readonly connections: ec2.Connections;
  /** The key for data at rest and broker logs (provisioned mode; MSK Serverless uses a service-managed key). */
  public readonly encryptionKey?: kms.IKey;
  /** Broker log group (provisioned). */
  public readonly brokerLogGroup?: logs.LogGroup;
  /** Alarm: broker disk over 80 % (provisioned). */
  public readonly diskUsedAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const mode = props.mode ?? KafkaClusterMode.PROVISIONED;
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc, true));
    const zones = subnets.subnets.length;
    Validate.that(this, zones >= 2 && zones <= 3, { prop: 'vpcSubnets', value: `${zones} subnets`, allowed: '2 or 3 subnets in distinct Availability Zones' });
    this.clusterName = props.clusterName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' }).replace(/^[^A-Za-z]+/, 'k');
    Validate.pattern(this, 'clusterName', '^[a-zA-Z][a-zA-Z0-9-]{0,63}$', '1-64 letters, digits and "-", starting with a letter', this.clusterName);
    if (mode === KafkaClusterMode.SERVERLESS) {
      for (const p of ['kafkaVersion', 'brokers', 'brokerInstanceType', 'volumeSizeGiB'] as const) {
        Validate.that(this, props[p] === undefined, { prop: p, value: props[p], allowed: 'not set with MSK Serverless (no brokers to size)' });
      }
    }
    const serverless = mode === KafkaClusterMode.SERVERLESS;
    const brokers = props.brokers ?? zones;
    const volume = props.volumeSizeGiB ?? 100;
    if (!serverless) {
      Validate.integer(this, 'brokers', 1, 90, brokers);
      Validate.that(this, brokers % zones === 0, { prop: 'brokers', value: brokers, allowed: `a multiple of the number of zones (${zones})` });
      Validate.integer(this, 'volumeSizeGiB', 1, 16_384, volume, 'GiB');
      Validate.pattern(this, 'brokerInstanceType', '^kafka\\.[a-z0-9]+\\.[a-z0-9]+$', 'an MSK broker type such as kafka.m7g.large', props.brokerInstanceType);
    }
    Validate.that(this, !serverless || props.encryptionKey === undefined, {
      prop: 'encryptionKey', value: 'given', allowed: 'not set with MSK Serverless (it encrypts at rest with a service-managed key)',
    });

    this.encryptionKey = serverless ? undefined : props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: `MSK ${this.node.path}: IAM/TLS port from allowed peers only`, allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [securityGroup], defaultPort: ec2.Port.tcp(9098) });
    for (const peer of props.allowedPeers ?? []) this.connections.allowDefaultPortFrom(peer, 'Kafka clients (IAM over TLS)');
    const iamAuth = { sasl: { iam: { enabled: true } } };

    if (mode === KafkaClusterMode.SERVERLESS) {
      this.serverlessCluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: this.clusterName,
        clientAuthentication: iamAuth,
        vpcConfigs: [{ subnetIds: subnets.subnetIds, securityGroups: [securityGroup.securityGroupId] }],
      });
      this.serverlessCluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
      this.clusterArn = this.serverlessCluster.attrArn;
      return;
    }

    const key = this.encryptionKey!;
    DataKey.allowCloudWatchLogs(key);
    this.brokerLogGroup = new logs.LogGroup(this, 'BrokerLogs', {
      encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: Sandbox.removalPolicy(this),
    });
    this.cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: this.clusterName,
      kafkaVersion: props.kafkaVersion ?? '3.8.x',
      numberOfBrokerNodes: brokers,
      brokerNodeGroupInfo: {
        clientSubnets: subnets.subnetIds,
        instanceType: props.brokerInstanceType ?? 'kafka.m7g.large',
        securityGroups: [securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: volume } },
      },
      encryptionInfo: {
        encryptionAtRest: { dataVolumeKmsKeyId: key.keyArn },
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
      },
      clientAuthentication: { ...iamAuth, unauthenticated: { enabled: false } },
      enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.brokerLogGroup.logGroupName } } },
    });
    this.cluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
    this.clusterArn = this.cluster.attrArn;

    // MSK publishes KafkaDataLogsDiskUsed per broker (Cluster Name + Broker ID): alarm on the fullest one.
    const perBroker: Record<string, cloudwatch.IMetric> = {};
    for (let broker = 1; broker <= brokers; broker++) {
      perBroker[`b${broker}`] = new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName: 'KafkaDataLogsDiskUsed',
        dimensionsMap: { 'Cluster Name': this.clusterName, 'Broker ID': String(broker) },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      });
    }
    this.diskUsedAlarm = new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(perBroker).join(', ')}])`,
      usingMetrics: perBroker,
      label: 'Fullest broker data volume (%)',
      period: Duration.minutes(5),
    }).createAlarm(this, 'DiskUsedAlarm', {
      threshold: 80,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      alarmDescription: 'A broker data volume is over 80 % full: add storage or brokers before writes fail.',
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets `grantee` connect and produce to topics whose names start with `topicPrefix` (IAM access control). */
  public grantProduce(grantee: iam.IGrantable, topicPrefix: string): iam.Grant {
    return this.grant(grantee, ['kafka-cluster:Connect', 'kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], topicPrefix);
  }

  /** Lets `grantee` consume topics whose names start with `topicPrefix` with consumer groups of the same prefix. */
  public grantConsume(grantee: iam.IGrantable, topicPrefix: string): iam.Grant {
    return this.grant(grantee, ['kafka-cluster:Connect', 'kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData', 'kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], topicPrefix);
  }

  private grant(grantee: iam.IGrantable, actions: string[], topicPrefix: string): iam.Grant {
    Validate.pattern(this, 'topicPrefix', '^[a-zA-Z0-9._-]{1,249}$', 'a Kafka topic name prefix (letters, digits, ".", "_", "-")', topicPrefix);
    const stack = Stack.of(this);
    // cluster ARN: arn:aws:kafka:region:account:cluster/<name>/<uuid>; topic/group ARNs share the name/uuid part
    const clusterPart = `${this.clusterName}/*`;
    return iam.Grant.addToPrincipal({
      grantee,
      actions,
      resourceArns: [
        this.clusterArn,
        stack.formatArn({ service: 'kafka', resource: 'topic', resourceName: `${clusterPart}/${topicPrefix}*` }),
        stack.formatArn({ service: 'kafka', resource: 'group', resourceName: `${clusterPart}/${topicPrefix}*` }),
      ],
    });
  }
}
