import { Limit, NameRule } from '../validation/limit';

/** Amazon MSK (provisioned and serverless) limits that constructs check at synth time. */
export class MskLimits {
  /**
   * Apache Kafka versions MSK documents for new provisioned clusters with Standard brokers
   * and no published end-of-support date (`.kraft` for KRaft metadata mode; 4.x is KRaft
   * only). Versions 3.6.0 and older have end-of-support dates; 4.2.x is Express-only.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/metadata-management.html#kraft-intro
   */
  public static readonly KAFKA_VERSIONS: string[] = [
    '3.7.x', '3.7.x.kraft', '3.8.x', '3.8.x.kraft', '3.9.x', '3.9.x.kraft', '4.0.x.kraft', '4.1.x.kraft',
  ];

  /**
   * Broker nodes of one provisioned cluster: at most the default per-account quota of Standard
   * brokers (per-cluster defaults are 30 with ZooKeeper, 60 with KRaft; both adjustable).
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/limits.html
   */
  public static readonly BROKERS: Limit = { min: 1, max: 90, unit: 'brokers', integer: true };

  /**
   * EBS storage per Standard broker.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/limits.html
   */
  public static readonly VOLUME_GIB: Limit = { min: 1, max: 16_384, unit: 'GiB', integer: true };

  /**
   * Client subnets (one per Availability Zone) of a provisioned cluster with Standard brokers.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-create-cluster.html
   */
  public static readonly PROVISIONED_ZONES: Limit = { min: 2, max: 3, unit: 'Availability Zones', integer: true };

  /**
   * Availability Zones of an MSK Serverless cluster's client subnets (at least two).
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/create-serverless-cluster.html
   */
  public static readonly SERVERLESS_MIN_ZONES = 2;

  /**
   * Cluster name: 1-64 characters (CloudFormation); letters, digits and hyphens starting with
   * a letter, as the MSK console requires.
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-msk-cluster.html
   */
  public static readonly CLUSTER_NAME: NameRule = {
    pattern: '^[a-zA-Z][a-zA-Z0-9-]*$',
    description: 'letters, digits and "-", starting with a letter',
    maxLength: 64,
  };

  /**
   * Topic and consumer-group name prefix in an IAM access-control resource ARN (Kafka topic
   * names are at most 249 characters of letters, digits, ".", "_" and "-").
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html#msk-iam-resources
   */
  public static readonly TOPIC_PREFIX: NameRule = {
    pattern: '^[a-zA-Z0-9._-]+$',
    description: 'a Kafka topic name prefix (letters, digits, ".", "_", "-")',
    maxLength: 249,
  };

  /**
   * TCP port of the brokers for IAM access control over TLS (private connectivity).
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html
   */
  public static readonly IAM_TLS_PORT = 9098;

  private constructor() {}
}
