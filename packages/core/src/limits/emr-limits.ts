import { Limit, NameRule } from '../validation/limit';

const releases = (major: number, versions: string[]) => versions.map((v) => `emr-${major}.${v}`);

/** Limits of Amazon EMR on EC2 clusters. */
export class EmrLimits {
  /**
   * Release labels of EMR on EC2 that have the auto-termination idle timeout (5.34.0 and later
   * on 5.x, 6.4.0 and later on 6.x, every 7.x), newest first. A label newer than the newest
   * listed here is accepted as well (EMR releases monthly); an unknown label within the listed
   * range (e.g. `emr-6.12.1`) is rejected.
   * @see https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-7x.html
   * @see https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-6x.html
   * @see https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-5x.html
   * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-auto-termination-policy.html
   */
  public static readonly RELEASE_LABELS: string[] = [
    ...releases(7, ['13.0', '12.0', '11.0', '10.0', '9.0', '8.0', '7.0', '6.0', '5.0', '4.0', '3.0', '2.0', '1.0', '0.0']),
    ...releases(6, ['15.0', '14.0', '13.0', '12.0', '11.1', '11.0', '10.1', '10.0', '9.1', '9.0', '8.1', '8.0', '7.0', '6.0', '5.0', '4.0']),
    ...releases(5, ['36.2', '36.1', '36.0', '35.0', '34.0']),
  ];

  /**
   * Auto-termination idle timeout: 60 seconds to 7 days.
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_AutoTerminationPolicy.html
   */
  public static readonly IDLE_TIMEOUT_SECONDS: Limit = { min: 60, max: 604_800, unit: 'seconds', integer: true };

  /**
   * How long EMR waits for Spot capacity at launch: 5 to 1,440 minutes.
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_SpotProvisioningSpecification.html
   */
  public static readonly SPOT_TIMEOUT_MINUTES: Limit = { min: 5, max: 1440, unit: 'minutes', integer: true };

  /**
   * Timeout of one step of a job run by Step Functions: at least a minute (this library's
   * lower bound: a shorter limit cannot fit a Spark or Hive step), at most the one-year
   * duration of a Standard workflow execution.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
   */
  public static readonly STEP_TIMEOUT_SECONDS: Limit = { min: 60, max: 31_536_000, unit: 'seconds', integer: true };

  /**
   * Instance types of one instance fleet when an allocation strategy is used (as here).
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceTypeConfig.html
   */
  public static readonly INSTANCE_TYPES_PER_FLEET: Limit = { min: 1, max: 30, unit: 'instance types', integer: true };

  /**
   * Target capacity of an instance fleet, and managed scaling limits, in fleet units. AWS
   * documents only the minimum (0); 10,000 units is this library's upper bound, far above any
   * account's default EC2 quotas.
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_InstanceFleetConfig.html
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_ComputeLimits.html
   */
  public static readonly CAPACITY_UNITS: Limit = { min: 0, max: 10_000, unit: 'units', integer: true };

  /**
   * Steps a cluster accepts at once (pending and running).
   * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-add-steps.html
   */
  public static readonly STEPS: Limit = { min: 1, max: 256, unit: 'steps', integer: true };

  /**
   * Step name: 1-256 characters (EMR's `XmlStringMaxLen256`: no control characters but tab,
   * carriage return and line feed).
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_StepConfig.html
   */
  public static readonly STEP_NAME: NameRule = {
    pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]+$',
    description: 'characters other than control characters',
    minLength: 1,
    maxLength: 256,
  };

  /**
   * Cluster name: 1-256 characters (same pattern as step names).
   * @see https://docs.aws.amazon.com/emr/latest/APIReference/API_RunJobFlow.html
   */
  public static readonly CLUSTER_NAME: NameRule = {
    pattern: '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]+$',
    description: 'characters other than control characters',
    minLength: 1,
    maxLength: 256,
  };

  /**
   * Applications installed on one cluster. AWS documents no maximum; 20 is this library's
   * bound (about the number of applications an EMR release offers).
   * @see https://docs.aws.amazon.com/emr/latest/ReleaseGuide/emr-release-components.html
   */
  public static readonly APPLICATIONS: Limit = { min: 1, max: 20, unit: 'applications', integer: true };

  /**
   * Lifetime of the tickets of a cluster-dedicated KDC. AWS documents no range; this library
   * accepts 1 hour to 1 year (8,760 hours).
   * @see https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-kerberos-configure-settings.html
   */
  public static readonly KERBEROS_TICKET_LIFETIME_HOURS: Limit = { min: 1, max: 8760, unit: 'hours', integer: true };

  /**
   * EC2 key pair name: 1-255 ASCII characters.
   * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateKeyPair.html
   */
  public static readonly KEY_PAIR_NAME: NameRule = {
    pattern: '^[\\x20-\\x7E]+$',
    description: 'an EC2 key pair name (ASCII characters)',
    minLength: 1,
    maxLength: 255,
  };

  private constructor() {}
}
