import { Limit, NameRule } from '../validation/limit';

/**
 * Limits of Amazon Managed Service for Apache Flink (notes 4.1, formerly Kinesis Data
 * Analytics for Apache Flink).
 *
 * The notes give 8 KPUs per application; AWS's default quota is 64 KPUs per application
 * today (raised on request), and the application's maximum parallelism is
 * `ParallelismPerKPU` x that KPU limit.
 */
export class FlinkLimits {
  /**
   * Parallel tasks scheduled on one KPU (`ParallelismPerKPU`).
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html
   */
  public static readonly PARALLELISM_PER_KPU: Limit = { min: 1, max: 8, integer: true };

  /**
   * KPUs an application may use (`maxKpus`): at least 1; the upper bound is the account's
   * quota (64 by default, raised on request), so no fixed maximum is checked here.
   * @see https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html
   */
  public static readonly KPUS_PER_APPLICATION: Limit = { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'KPUs', integer: true };

  /**
   * The default KPU quota of an application (the notes' "8" is out of date).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ParallelismConfiguration.html
   */
  public static readonly DEFAULT_KPU_QUOTA = 64;

  /**
   * Initial parallelism (`Parallelism`): at least 1; at most `ParallelismPerKPU` x the KPU
   * limit, which the construct checks against its `maxKpus`.
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ParallelismConfiguration.html
   */
  public static readonly PARALLELISM: Limit = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };

  /**
   * Checkpoint interval (`CheckpointInterval`), milliseconds.
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CheckpointConfiguration.html
   */
  public static readonly CHECKPOINT_INTERVAL_MS: Limit = { min: 1, max: Number.MAX_SAFE_INTEGER, unit: 'ms', integer: true };

  /**
   * The service's default minimum pause between checkpoints, milliseconds (used when the
   * interval is shorter, or a token).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CheckpointConfiguration.html
   */
  public static readonly DEFAULT_MIN_PAUSE_BETWEEN_CHECKPOINTS_MS = 5000;

  /**
   * Property groups of an application (`EnvironmentProperties.PropertyGroups`).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_EnvironmentProperties.html
   */
  public static readonly PROPERTY_GROUPS: Limit = { min: 0, max: 50, unit: 'groups', integer: true };

  /**
   * Properties in one property group (`PropertyMap`).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_PropertyGroup.html
   */
  public static readonly PROPERTIES_PER_GROUP: Limit = { min: 0, max: 50, unit: 'properties', integer: true };

  /**
   * Kinesis streams one application reads or writes through this library. Not a service
   * limit: each stream adds statements to the application role's inline policy, which IAM
   * limits to 10,240 characters in total.
   * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
   */
  public static readonly STREAMS_PER_APPLICATION: Limit = { min: 1, max: 100, unit: 'streams', integer: true };

  /**
   * Id of a property group (`PropertyGroupId`).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_PropertyGroup.html
   */
  public static readonly PROPERTY_GROUP_ID: NameRule = {
    pattern: '^[a-zA-Z0-9_.-]+$', description: 'letters, digits, "_", "." and "-"', minLength: 1, maxLength: 50,
  };

  /**
   * Key or value of a property (`PropertyMap` entries).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_PropertyGroup.html
   */
  public static readonly PROPERTY_KEY_OR_VALUE: NameRule = { pattern: '^[\\s\\S]+$', description: 'any characters', minLength: 1, maxLength: 2048 };

  /**
   * Apache Flink runtimes (`RuntimeEnvironment`, e.g. `FLINK-1_20`). The form is checked
   * rather than a fixed list, so a runtime AWS adds later is not refused.
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CreateApplication.html
   */
  public static readonly RUNTIME: NameRule = { pattern: '^FLINK-\\d+_\\d+$', description: 'a Flink runtime such as FLINK-1_20' };

  /**
   * Application name (`ApplicationName`).
   * @see https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_CreateApplication.html
   */
  public static readonly APPLICATION_NAME: NameRule = {
    pattern: '^[a-zA-Z0-9_.-]+$', description: 'letters, digits, "_", "." and "-"', minLength: 1, maxLength: 128,
  };

  private constructor() {}
}
