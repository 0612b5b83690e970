import { NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Props for {@link AccessLogBucket}. */
export interface AccessLogBucketProps {
  /**
   * How long server access logs are kept.
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
}

/**
 * The dedicated destination for S3 server access logs.
 *
 * S3 delivers server access logs only to a bucket encrypted with SSE-S3 (AES-256),
 * not SSE-KMS, so this bucket uses SSE-S3 while data buckets use the CMK. It
 * enforces TLS, blocks public access, disables ACLs (log delivery is granted by
 * bucket policy to `logging.s3.amazonaws.com`), and expires logs after `retention`.
 * It does not log its own access: that would need yet another bucket, forever.
 */
export class AccessLogBucket extends Construct {
  /** The log bucket. */
  public readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps = {}) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(365);
    Validate.integer(this, 'retention', 1, 36500, retention.toDays(), 'days');
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{
        id: 'expire-access-logs',
        expiration: retention,
        noncurrentVersionExpiration: Duration.days(1),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      }],
      removalPolicy: Sandbox.removalPolicy(this),
      autoDeleteObjects: Sandbox.autoDeleteObjects(this),
    });
    NagAcknowledgements.acknowledge(this.bucket, 'AwsSolutions-S1',
      'This bucket is the dedicated destination of S3 server access logs; logging its own access would need another log bucket without end.');
  }
}
