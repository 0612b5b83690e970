import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Storage class that objects move to after the infrequent-access stage. */
export enum ArchiveStorageClass {
  /**
   * S3 Glacier Instant Retrieval: millisecond reads, so Athena, Glue and EMR can
   * still query archived partitions.
   */
  GLACIER_INSTANT_RETRIEVAL = 'GLACIER_IR',
  /**
   * S3 Glacier Flexible Retrieval: cheapest for cold data, but objects must be
   * restored before Athena, Glue or EMR can read them (Athena skips them).
   */
  GLACIER = 'GLACIER',
  /** S3 Glacier Deep Archive: cheapest; restores take up to 12 hours. */
  DEEP_ARCHIVE = 'DEEP_ARCHIVE',
}

/** When objects change storage class and expire. */
export interface BucketLifecycle {
  /**
   * Move current objects to S3 Standard-IA after this many days. S3 requires at
   * least 30 days. `Duration.days(0)` skips the Standard-IA stage. Every lifecycle duration is a
   * whole number of days (a token must be given in days, `Duration.days(param.valueAsNumber)`).
   * @default Duration.days(90)
   */
  readonly infrequentAccessAfter?: Duration;
  /**
   * Move current objects to `archiveStorageClass` after this many days; S3 requires
   * at least 30 days in Standard-IA first. `Duration.days(0)` skips archiving.
   * @default Duration.days(365)
   */
  readonly archiveAfter?: Duration;
  /**
   * Archive storage class.
   * @default ArchiveStorageClass.GLACIER_INSTANT_RETRIEVAL
   */
  readonly archiveStorageClass?: ArchiveStorageClass;
  /**
   * Delete current objects after this many days.
   * @default - never
   */
  readonly expireAfter?: Duration;
  /**
   * Delete noncurrent (overwritten or deleted) versions after this many days.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
  /**
   * Abort incomplete multipart uploads after this many days.
   * @default Duration.days(7)
   */
  readonly abortIncompleteMultipartUploadAfter?: Duration;
  /**
   * Apply the transitions only to keys under this prefix.
   * @default - the whole bucket
   */
  readonly prefix?: string;
}

/**
 * S3 replication of every new object of a bucket to a second bucket (same or another Region or
 * account), as the compliance packs' `S3BucketReplicationEnabled` rule asks.
 *
 * Cost: the copies' storage in the destination, one replication request per object (billed as a
 * PUT in the destination), KMS requests to decrypt each object and encrypt its copy, data transfer
 * between Regions for cross-Region replication, and with `replicationTimeControl` a fee per GB
 * replicated plus CloudWatch replication metrics.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html
 * @see https://aws.amazon.com/s3/pricing/
 */
export interface BucketReplication {
  /**
   * The bucket that receives the copies. It must be versioned; in another account, its bucket
   * policy (and its key's policy) must allow the replication role, which this construct cannot
   * change for you. Objects that existed before replication was turned on are not copied.
   */
  readonly destinationBucket: s3.IBucket;
  /**
   * Key, in the destination bucket's Region, that S3 encrypts the copies of SSE-KMS objects with.
   * @default - the destination bucket's key (a destination that exposes none needs this prop,
   * except for buckets whose objects are SSE-S3, such as an AccessLogBucket)
   */
  readonly destinationKey?: kms.IKey;
  /**
   * Storage class of the copies (e.g. a cheaper class for a disaster-recovery copy).
   * @default - the storage class of the source object
   */
  readonly storageClass?: s3.StorageClass;
  /**
   * Replicate delete markers, so that a delete in the source hides the copy too.
   * @default false (a delete in the source leaves the copy readable)
   */
  readonly deleteMarkerReplication?: boolean;
  /**
   * S3 Replication Time Control: 99.99% of objects copied within 15 minutes, with replication
   * metrics (an extra fee per GB replicated).
   * @default false
   */
  readonly replicationTimeControl?: boolean;
}

/** Props for {@link SecureBucket}. */
export interface SecureBucketProps {
  /**
   * Customer-managed KMS key for SSE-KMS (with S3 Bucket Keys to cut KMS calls). Writes that ask
   * for another key, SSE-S3, DSSE-KMS or SSE-C are denied by the bucket policy.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Bucket that receives this bucket's server access logs. Must not be this bucket,
   * and must use SSE-S3 (S3 does not deliver logs to SSE-KMS buckets).
   * @default - a new dedicated AccessLogBucket
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * Prefix of this bucket's server access logs in the log bucket.
   * @default - the construct's path, so several buckets can share one log bucket
   */
  readonly serverAccessLogsPrefix?: string;

  /**
   * Physical bucket name (S3's naming rules: 3-63 lower-case letters, digits, "." and "-", ...).
   * @default - generated by CloudFormation
   */
  readonly bucketName?: string;

  /**
   * Lifecycle transitions and expirations.
   * @default - Standard-IA after 90 days, Glacier Instant Retrieval after 365 days,
   * noncurrent versions deleted after 90 days, incomplete uploads aborted after 7 days
   */
  readonly lifecycle?: BucketLifecycle;

  /**
   * Send object events to Amazon EventBridge (e.g. to start a load when a manifest lands).
   * @default false
   */
  readonly eventBridgeEnabled?: boolean;

  /**
   * Replicate every new object to a second bucket (same or another Region or account), for
   * regulated workloads that need a second copy (NIST 800-53 CP-9/CP-10, HIPAA, PCI DSS). Costs
   * the copies' storage, replication requests, KMS calls and, across Regions, data transfer.
   * @default - no replication (`S3BucketReplicationEnabled` is acknowledged naming this prop)
   */
  readonly replication?: BucketReplication;
}
