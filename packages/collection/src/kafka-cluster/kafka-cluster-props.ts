import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';

/** Provisioned brokers, or MSK Serverless. */
export enum KafkaClusterMode {
  /** Provisioned brokers: you choose broker count, type and storage, and pay per broker and GB. */
  PROVISIONED = 'PROVISIONED',
  /** MSK Serverless: for intermittent workloads; no capacity to manage; IAM authentication only. */
  SERVERLESS = 'SERVERLESS',
}

/**
 * An MSK cluster with IAM access control, as other constructs use it (e.g. `KafkaS3SinkConnector`).
 */
export interface IKafkaCluster extends IConstruct, ec2.IConnectable {
  /** ARN of the cluster. */
  readonly clusterArn: string;
  /** Name of the cluster (part of its topic and group ARNs). */
  readonly clusterName: string;
  /**
   * ARN of the topics matching `pattern` (a topic name, or a pattern with `*`), for IAM access
   * control: `arn:<partition>:kafka:<region>:<account>:topic/<cluster name>/<cluster uuid or *>/<pattern>`.
   */
  topicArn(pattern: string): string;
  /** ARN of the consumer groups matching `pattern` (like {@link topicArn}). */
  groupArn(pattern: string): string;
  /** Lets `grantee` connect and produce to topics whose names start with `topicPrefix`. */
  grantProduce(grantee: iam.IGrantable, topicPrefix: string): iam.Grant;
  /** Lets `grantee` consume topics whose names start with `topicPrefix`, in groups of the same prefix. */
  grantConsume(grantee: iam.IGrantable, topicPrefix: string): iam.Grant;
}

/** Props for {@link KafkaCluster}. */
export interface KafkaClusterProps {
  /** The VPC of the brokers (MSK spans one Region, several Availability Zones). */
  readonly vpc: ec2.IVpc;
  /**
   * Client subnets: one per Availability Zone, 2 or 3 zones (provisioned), at least 2 zones
   * (serverless).
   * @default - the VPC's private subnets, one per zone
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Provisioned or serverless.
   * @default KafkaClusterMode.PROVISIONED
   */
  readonly mode?: KafkaClusterMode;
  /**
   * Apache Kafka version (provisioned): one MSK documents for new clusters with Standard
   * brokers (`MskLimits.KAFKA_VERSIONS`, e.g. `'3.9.x'`, `'3.9.x.kraft'`, `'4.1.x.kraft'`).
   * @default '3.8.x'
   */
  readonly kafkaVersion?: string;
  /**
   * Broker count: 1-90 and a multiple of the number of client subnets (zones). A token is
   * accepted (the disk alarm then watches every broker of the cluster with a Metrics Insights query).
   * @default - one broker per zone
   */
  readonly brokers?: number;
  /**
   * Broker instance type (Standard brokers).
   * @default 'kafka.m7g.large'
   */
  readonly brokerInstanceType?: string;
  /**
   * EBS storage per broker, 1-16,384 GiB.
   * @default 100
   */
  readonly volumeSizeGiB?: number;
  /**
   * Customer-managed key for data at rest, the broker log group and the alarm topic
   * (provisioned mode only).
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
  /**
   * Topic that receives the ALARM and OK notifications of the broker disk alarm (provisioned mode).
   * @default - a new encrypted topic (AlarmTopic) created by this construct
   */
  readonly alarmTopic?: sns.ITopic;
}
