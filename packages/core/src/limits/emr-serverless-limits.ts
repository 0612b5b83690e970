import { Limit } from '../validation/limit';

const releases = (major: number, minors: number[]) => minors.map((m) => `emr-${major}.${m}.0`);

/** Limits of Amazon EMR Serverless applications and job runs. */
export class EmrServerlessLimits {
  /**
   * Release labels of EMR Serverless (6.6.0 and later), newest first. A label newer than the
   * newest listed here is accepted as well; an unknown label within the listed range is rejected.
   * @see https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/release-versions.html
   */
  public static readonly RELEASE_LABELS: string[] = [
    ...releases(7, [13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]),
    ...releases(6, [15, 14, 13, 12, 11, 10, 9, 8, 7, 6]),
  ];

  /**
   * Idle time after which an application stops: 1 minute to 7 days.
   * @see https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_AutoStopConfig.html
   */
  public static readonly AUTO_STOP_MINUTES: Limit = { min: 1, max: 10_080, unit: 'minutes', integer: true };

  /**
   * Maximum run time of a job run (`executionTimeoutMinutes`; 0, "never", is not offered here).
   * @see https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_StartJobRun.html
   */
  public static readonly JOB_TIMEOUT_MINUTES: Limit = { min: 1, max: 1_000_000, unit: 'minutes', integer: true };

  /**
   * Maximum vCPUs of an application. AWS documents a whole number (at most 15 characters with
   * its unit) and an account quota; 1,000,000 is this library's bound.
   * @see https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_MaximumAllowedResources.html
   */
  public static readonly MAXIMUM_VCPU: Limit = { min: 1, max: 1_000_000, unit: 'vCPU', integer: true };

  /**
   * Maximum memory of an application, in GB: at least one worker's 2 GB; the upper bound is
   * this library's (see `MAXIMUM_VCPU`).
   * @see https://docs.aws.amazon.com/emr-serverless/latest/APIReference/API_MaximumAllowedResources.html
   * @see https://docs.aws.amazon.com/emr/latest/EMR-Serverless-UserGuide/app-behavior.html
   */
  public static readonly MAXIMUM_MEMORY_GB: Limit = { min: 2, max: 1_000_000, unit: 'GB', integer: true };

  private constructor() {}
}
