import { Limit, NameRule } from '../validation/limit';

/** Amazon MSK Connect limits that constructs check at synth time. */
export class MskConnectLimits {
  /**
   * MSK Connect units (1 vCPU and 4 GiB each) per worker.
   * @see https://docs.aws.amazon.com/MSKC/latest/mskc/API_ProvisionedCapacity.html
   */
  public static readonly MCU_COUNTS: number[] = [1, 2, 4, 8];

  /**
   * Workers of a connector (provisioned count, or autoscaling minimum and maximum).
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-kafkaconnect-connector-autoscaling.html
   */
  public static readonly WORKERS: Limit = { min: 1, max: 10, unit: 'workers', integer: true };

  /**
   * CPU utilization that triggers autoscaling in or out.
   * @see https://docs.aws.amazon.com/MSKC/latest/mskc/API_ScaleInPolicy.html
   * @see https://docs.aws.amazon.com/MSKC/latest/mskc/API_ScaleOutPolicy.html
   */
  public static readonly CPU_UTILIZATION_PERCENT: Limit = { min: 1, max: 100, unit: '%', integer: true };

  /**
   * Kafka Connect versions MSK Connect runs.
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect.html
   */
  public static readonly KAFKA_CONNECT_VERSIONS: string[] = ['2.7.1', '3.7.x'];

  /**
   * Connector and custom plugin names: 1-128 characters (no white space: the name becomes
   * part of ARNs and of the sink connector's consumer group).
   * @see https://docs.aws.amazon.com/MSKC/latest/mskc/API_CreateConnector.html
   */
  public static readonly NAME: NameRule = {
    pattern: '^\\S+$',
    description: '1-128 characters without white space',
    maxLength: 128,
  };

  /**
   * Topics the connector's internal state lives in (MSK Connect creates them), and the
   * consumer groups of sink connectors (`connect-<connector name>`).
   * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-service-execution-role.html
   */
  public static readonly INTERNAL_TOPIC_PREFIX = '__amazon_msk_connect_';

  /** @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-service-execution-role.html */
  public static readonly SINK_GROUP_PREFIX = 'connect-';

  private constructor() {}
}
