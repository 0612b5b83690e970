import { Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ArchiveStorageClass, BucketLifecycle, SecureBucketProps } from './secure-bucket-props';
import { AccessLogBucket } from '../access-log-bucket/access-log-bucket';

const S3_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * An S3 bucket with the notes' (2.2) security and cost practices as defaults:
 *
 * - SSE-KMS with a customer-managed key (audit trail in CloudTrail, key policy
 *   control) and S3 Bucket Keys; TLS required (`aws:SecureTransport`) and TLS 1.2+;
 * - public access blocked and ACLs disabled (bucket owner owns every object, which
 *   avoids the cross-account ownership trap the notes describe);
 * - versioning on, server access logs to a dedicated log bucket (never to itself);
 * - lifecycle: Standard-IA, then an archive class, noncurrent versions expired,
 *   incomplete multipart uploads aborted;
 * - RETAINed unless the app runs in sandbox mode.
 */
export class SecureBucket extends Construct {
  /** The data bucket. */
  public readonly bucket: s3.Bucket;
  /** The key that encrypts the bucket. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket that receives server access logs. */
  public readonly serverAccessLogsBucket: s3.IBucket;
  /** The dedicated log bucket, if this construct created it. */
  public readonly accessLogBucket?: AccessLogBucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id);
    // Deliver server access logs through a bucket policy (logging.s3.amazonaws.com),
    // not the legacy LogDeliveryWrite ACL, which would need ACLs re-enabled on the
    // log bucket. Set here so the construct behaves the same in any app.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    const lifecycle = props.lifecycle ?? {};
    const rules = this.lifecycleRules(lifecycle);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    if (props.serverAccessLogsBucket) {
      Validate.that(this, props.serverAccessLogsBucket.encryptionKey === undefined, {
        prop: 'serverAccessLogsBucket',
        value: props.serverAccessLogsBucket.node.path,
        allowed: 'a bucket encrypted with SSE-S3',
        hint: 'S3 delivers server access logs only to SSE-S3 buckets, not SSE-KMS ones; use an AccessLogBucket.',
      });
      this.serverAccessLogsBucket = props.serverAccessLogsBucket;
    } else {
      this.accessLogBucket = new AccessLogBucket(this, 'AccessLogs');
      this.serverAccessLogsBucket = this.accessLogBucket.bucket;
    }

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsPrefix ?? `${this.node.path}/`,
      lifecycleRules: rules,
      removalPolicy: Sandbox.removalPolicy(this),
      autoDeleteObjects: Sandbox.autoDeleteObjects(this),
    });
    if (props.eventBridgeEnabled) {
      // Native CloudFormation property, instead of aws-cdk-lib's notifications custom resource
      // (a Lambda function that would need its own role, runtime upkeep and nag exceptions).
      (this.bucket.node.defaultChild as s3.CfnBucket).addPropertyOverride('NotificationConfiguration.EventBridgeConfiguration.EventBridgeEnabled', true);
    }
  }

  /** Grants read access to objects (and decrypt on the key). */
  public grantRead(grantee: iam.IGrantable, objectsKeyPattern?: string): iam.Grant {
    return this.bucket.grantRead(grantee, objectsKeyPattern);
  }

  /** Grants write access to objects (and encrypt on the key). */
  public grantWrite(grantee: iam.IGrantable, objectsKeyPattern?: string): iam.Grant {
    return this.bucket.grantWrite(grantee, objectsKeyPattern);
  }

  private lifecycleRules(lifecycle: BucketLifecycle): s3.LifecycleRule[] {
    const ia = lifecycle.infrequentAccessAfter ?? Duration.days(90);
    const archive = lifecycle.archiveAfter ?? Duration.days(365);
    const iaDays = ia.toDays();
    const archiveDays = archive.toDays();
    if (iaDays !== 0) Validate.integer(this, 'lifecycle.infrequentAccessAfter', 30, 36500, iaDays, 'days');
    if (archiveDays !== 0) {
      const min = iaDays === 0 ? 0 : iaDays + 30;
      Validate.that(this, archiveDays >= min, {
        prop: 'lifecycle.archiveAfter',
        value: `${archiveDays} days`,
        allowed: `at least ${min} days (S3 keeps objects in Standard-IA for 30 days before an archive transition)`,
      });
    }
    const expire = lifecycle.expireAfter?.toDays();
    if (expire !== undefined) {
      const lastTransition = Math.max(iaDays, archiveDays);
      Validate.that(this, expire > lastTransition, {
        prop: 'lifecycle.expireAfter',
        value: `${expire} days`,
        allowed: `more than ${lastTransition} days (after the last transition)`,
      });
    }
    const noncurrent = lifecycle.noncurrentVersionExpiration ?? Duration.days(90);
    Validate.integer(this, 'lifecycle.noncurrentVersionExpiration', 1, 36500, noncurrent.toDays(), 'days');
    const abort = lifecycle.abortIncompleteMultipartUploadAfter ?? Duration.days(7);
    Validate.integer(this, 'lifecycle.abortIncompleteMultipartUploadAfter', 1, 36500, abort.toDays(), 'days');
    if (lifecycle.prefix !== undefined && !Token.isUnresolved(lifecycle.prefix)) {
      Validate.that(this, !lifecycle.prefix.startsWith('/'), { prop: 'lifecycle.prefix', value: lifecycle.prefix, allowed: 'a key prefix without a leading "/"' });
    }

    const transitions: s3.Transition[] = [];
    if (iaDays !== 0) transitions.push({ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: ia });
    if (archiveDays !== 0) {
      const archiveClass = lifecycle.archiveStorageClass ?? ArchiveStorageClass.GLACIER_INSTANT_RETRIEVAL;
      transitions.push({ storageClass: new s3.StorageClass(archiveClass), transitionAfter: archive });
    }
    return [
      {
        id: 'tiering',
        prefix: lifecycle.prefix,
        transitions: transitions.length > 0 ? transitions : undefined,
        expiration: lifecycle.expireAfter,
        noncurrentVersionExpiration: noncurrent,
      },
      { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: abort },
    ];
  }
}
