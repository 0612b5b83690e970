import { ConnectorCapacity, KafkaCluster, KafkaS3SinkConnector } from '@analytics-patterns/collection';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { KAFKA_PREFIX, KAFKA_TOPIC } from './orders-schema';

/** The connector plugin: the user's artifact in S3 (e.g. the Confluent S3 sink ZIP they uploaded). */
export interface ConnectorPluginArtifact {
  /** Bucket of the artifact (same Region). */
  readonly bucketName: string;
  /** Object key of the ZIP or JAR. */
  readonly key: string;
}

/** Props for {@link StreamingAlternative}. */
export interface StreamingAlternativeProps {
  readonly vpc: ec2.IVpc;
  /** The raw zone's bucket (the sink writes under `kafka/`). */
  readonly rawBucket: s3.IBucket;
  readonly encryptionKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  /**
   * Bootstrap brokers for IAM (port 9098). CloudFormation cannot return them for an MSK
   * cluster, so the connector exists only from the second deployment on, once they are given.
   * @default - no connector yet (first step of the two-step deployment)
   */
  readonly bootstrapServers?: string;
  /**
   * The connector plugin.
   * @default - no connector
   */
  readonly plugin?: ConnectorPluginArtifact;
}

/** MSK broker type of the lab: the smallest Standard broker MSK offers for Kafka 3.x. */
const LAB_BROKER_TYPE = 'kafka.t3.small';
const LAB_BROKER_STORAGE_GIB = 10;

/**
 * The streaming alternative to DMS (notes 1.6), behind `-c cdc-streaming=true`: an MSK cluster
 * (IAM access control, TLS, two brokers in two zones) and an MSK Connect S3 sink that copies the
 * topic `sales.orders.changes` to `s3://<raw zone>/kafka/`. Changes reach the topic from the
 * application itself or from a CDC connector (Debezium) of your own.
 *
 * Two steps, because CloudFormation does not return an MSK cluster's bootstrap brokers: deploy
 * once (cluster only), read them with `aws kafka get-bootstrap-brokers`, deploy again with
 * `-c cdc-bootstrap-servers=...` and the plugin location (`-c cdc-connector-plugin=s3://bucket/key.zip`).
 */
export class StreamingAlternative extends Construct {
  public readonly cluster: KafkaCluster;
  public readonly connector?: KafkaS3SinkConnector;

  constructor(scope: Construct, id: string, props: StreamingAlternativeProps) {
    super(scope, id);
    this.cluster = new KafkaCluster(this, 'Cluster', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      brokerInstanceType: LAB_BROKER_TYPE,
      volumeSizeGiB: LAB_BROKER_STORAGE_GIB,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
    });
    new CfnOutput(Stack.of(this), 'KafkaClusterArn', {
      value: this.cluster.clusterArn,
      description: 'aws kafka get-bootstrap-brokers --cluster-arn <arn>: pass BootstrapBrokerStringSaslIam as -c cdc-bootstrap-servers=... (second deployment)',
    });
    if (props.bootstrapServers !== undefined && props.plugin !== undefined) {
      this.connector = this.createConnector(props, props.bootstrapServers, props.plugin);
    }
  }

  private createConnector(props: StreamingAlternativeProps, bootstrapServers: string, plugin: ConnectorPluginArtifact): KafkaS3SinkConnector {
    // the connector opens the brokers' IAM port to its workers itself
    return new KafkaS3SinkConnector(this, 'S3Sink', {
      cluster: this.cluster,
      bootstrapServers,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      plugin: { bucket: s3.Bucket.fromBucketName(this, 'PluginBucket', plugin.bucketName), key: plugin.key },
      topics: [KAFKA_TOPIC],
      bucket: props.rawBucket,
      prefix: KAFKA_PREFIX,
      capacity: ConnectorCapacity.provisioned({ mcuCount: 1, workerCount: 1 }),
      alarmTopic: props.alarmTopic,
    });
  }
}
