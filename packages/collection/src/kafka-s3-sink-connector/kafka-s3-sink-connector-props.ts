import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ConnectorCapacity } from './connector-capacity';
import { IKafkaCluster } from '../kafka-cluster/kafka-cluster-props';

/** What the connector plugin artifact is. */
export enum ConnectorPluginType {
  /** A ZIP file with the connector's JARs (what Confluent Hub downloads are). */
  ZIP = 'ZIP',
  /** A single (uber) JAR. */
  JAR = 'JAR',
}

/**
 * The Kafka Connect plugin that implements the sink: your artifact in S3 (for example the
 * Confluent Amazon S3 sink connector ZIP from Confluent Hub, uploaded by you; its license is
 * yours to accept). MSK Connect reads it once, when CloudFormation creates the custom plugin,
 * with the deploying principal's permissions (it needs `s3:GetObject` on the object, and
 * `kms:Decrypt` if the bucket uses a customer-managed key).
 */
export interface ConnectorPluginLocation {
  /** Bucket holding the artifact (in the connector's Region). */
  readonly bucket: s3.IBucket;
  /** Object key of the artifact, ending with `.zip` or `.jar`. */
  readonly key: string;
  /**
   * Version of the object, to pin the artifact in a versioned bucket.
   * @default - the latest version when the plugin is created
   */
  readonly objectVersion?: string;
  /**
   * ZIP or JAR.
   * @default - from the key's extension (required when `key` is a token)
   */
  readonly contentType?: ConnectorPluginType;
}

/** Props for {@link KafkaS3SinkConnector}. */
export interface KafkaS3SinkConnectorProps {
  /** The MSK cluster to read from (IAM access control, e.g. a `KafkaCluster`). */
  readonly cluster: IKafkaCluster;
  /**
   * The cluster's bootstrap brokers for IAM authentication over TLS (port 9098), e.g.
   * `b-1.x.kafka.eu-west-1.amazonaws.com:9098,b-2...:9098`. CloudFormation does not return
   * them for an MSK cluster: read `BootstrapBrokerStringSaslIam` from
   * `aws kafka get-bootstrap-brokers --cluster-arn <arn>` and pass it (a CfnParameter or an
   * SSM parameter value is fine).
   */
  readonly bootstrapServers: string;
  /** VPC in which the workers run (the cluster's VPC or one routed to it). */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the workers (one IP address per worker).
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** The connector plugin (your artifact in S3). */
  readonly plugin: ConnectorPluginLocation;
  /** Topics to copy to S3 (Kafka topic names, 1-249 letters, digits, `.`, `_`, `-`). */
  readonly topics: string[];
  /** Bucket that receives the records. */
  readonly bucket: s3.IBucket;
  /**
   * Prefix under which the connector writes (`topics.dir`); its role may write only there.
   * @default 'kafka'
   */
  readonly prefix?: string;
  /**
   * Key for the worker log group, the alarm topic and (when the bucket has no key of its own)
   * the objects (SSE-KMS).
   * @default - the bucket's key, or a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Connector name (1-128 characters without white space); the sink's consumer group is
   * `connect-<name>`, and the service role trusts only connectors of this name.
   * @default - generated from the construct path
   */
  readonly connectorName?: string;
  /**
   * Workers: fixed, or scaled on CPU utilization.
   * @default ConnectorCapacity.autoScaling() (1 MCU per worker, 1-2 workers, scale in below 20 %, out above 80 %)
   */
  readonly capacity?: ConnectorCapacity;
  /**
   * Kafka Connect version MSK Connect runs: '2.7.1' or '3.7.x'.
   * @default '3.7.x'
   */
  readonly kafkaConnectVersion?: string;
  /**
   * Java class of the sink connector in the plugin.
   * @default 'io.confluent.connect.s3.S3SinkConnector'
   */
  readonly connectorClass?: string;
  /**
   * More connector properties (e.g. `format.class`, `flush.size`, converters, `tasks.max`).
   * The properties the construct sets for the bucket, Region, prefix, topics and encryption
   * (`s3.bucket.name`, `s3.region`, `topics.dir`, `topics`, `s3.sse.kms.key.id`, `s3.ssea.name`,
   * `connector.class`) cannot be overridden here.
   * @default - JSON records in, JSON files out (`flush.size` 1000)
   */
  readonly connectorConfiguration?: Record<string, string>;
  /**
   * Retention of the worker log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Topic that receives the ALARM and OK notifications of the errored-task alarm.
   * @default - a new encrypted topic (AlarmTopic) created by this construct
   */
  readonly alarmTopic?: sns.ITopic;
}
