import { CustomerManagedPolicies, NagAcknowledgements, S3Limits, Sandbox, TimeUnit, Validate } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createReplicationRole, grantReplication, replicationRules, validateReplication } from '../secure-bucket/bucket-replication';
import { BucketReplication } from '../secure-bucket/secure-bucket-props';

/** Props for {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /**
   * How long server access logs are kept: a whole number of days from 1 to 36,500 (a token must
   * be given in days).
   * @default Duration.days(365)
   */
  readonly retention?: Duration;

  /**
   * Replicate the logs to a second bucket (same or another Region or account); see
   * {@link BucketReplication} for the cost. The logs are SSE-S3 objects: no key is needed.
   * @default - no replication (`S3BucketReplicationEnabled` is acknowledged naming this prop)
   */
  readonly replication?: BucketReplication;
}

const ONE_DAY = Duration.days(1);
const S3_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * The dedicated destination for S3 server access logs.
 *
 * S3 delivers server access logs only to a bucket encrypted with SSE-S3 (AES-256),
 * not SSE-KMS, so this bucket uses SSE-S3 while data buckets use the CMK. It
 * enforces TLS, blocks public access, disables ACLs (log delivery is granted by
 * bucket policy to `logging.s3.amazonaws.com`, for the source buckets of this account
 * only: `aws:SourceAccount` and `aws:SourceArn` conditions), and expires logs after
 * `retention`. It does not log its own access: that would need yet another bucket, forever.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
 */
export class AccessLogBucket extends Construct {
  /** The log bucket. */
  public readonly bucket: s3.Bucket;
  /** The role S3 assumes to replicate the logs, when `replication` is set. */
  public readonly replicationRole?: iam.Role;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    // Source buckets ask their target to allow log delivery; with this flag visible to the target,
    // it does so by bucket policy (logging.s3.amazonaws.com), not by the LogDeliveryWrite ACL,
    // which ACLs-disabled buckets cannot take.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    const retention = props.retention ?? Duration.days(365);
    Validate.duration(this, retention, { prop: 'retention', in: TimeUnit.DAYS, ...S3Limits.LIFECYCLE_DAYS });
    validateReplication(this, 'replication', props.replication, false);
    this.replicationRole = props.replication ? createReplicationRole(this) : undefined;
    this.bucket = this.createBucket(retention, props.replication);
    if (props.replication && this.replicationRole) grantReplication(this.replicationRole, { bucket: this.bucket }, props.replication);
    this.acknowledge(props.replication !== undefined);
    CustomerManagedPolicies.apply(this);
  }

  private createBucket(retention: Duration, replication?: BucketReplication): s3.Bucket {
    return new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{
        id: 'expire-access-logs',
        expiration: retention,
        noncurrentVersionExpiration: ONE_DAY,
        abortIncompleteMultipartUploadAfter: ONE_DAY,
      }],
      replicationRole: this.replicationRole,
      replicationRules: replication ? replicationRules(replication, false) : undefined,
      removalPolicy: Sandbox.removalPolicy(this),
      autoDeleteObjects: Sandbox.autoDeleteObjects(this),
    });
  }

  /** Rules AWS makes inapplicable to a log bucket, and replication when the prop is not set. */
  private acknowledge(replicated: boolean): void {
    const noSelfLogging = 'This bucket is the dedicated destination of S3 server access logs; logging its own access would need another log bucket without end.';
    NagAcknowledgements.acknowledge(this.bucket, 'AwsSolutions-S1', noSelfLogging);
    NagAcknowledgements.acknowledgeCompliance(this.bucket, 'S3BucketLoggingEnabled', noSelfLogging);
    NagAcknowledgements.acknowledgeCompliance(this.bucket, 'S3DefaultEncryptionKMS',
      'S3 delivers server access logs only to buckets whose default encryption is SSE-S3, not SSE-KMS '
      + '(https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html); the logs are encrypted with SSE-S3.');
    if (!replicated) {
      NagAcknowledgements.acknowledgeCompliance(this.bucket, 'S3BucketReplicationEnabled',
        'Replication of the access logs is off: set the `replication` prop of AccessLogBucket to copy them to a second bucket, '
        + 'at the cost of the copies\' storage, replication requests and inter-Region transfer.');
    }
  }
}
