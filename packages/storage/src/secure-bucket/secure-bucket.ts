import { CustomerManagedPolicies, NagAcknowledgements, S3Limits, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { lifecycleRules, validatePrefix } from './bucket-lifecycle';
import { createReplicationRole, grantReplication, replicationRules, validateReplication } from './bucket-replication';
import { denyOtherEncryption } from './encryption-policy';
import { SecureBucketProps } from './secure-bucket-props';
import { AccessLogBucket } from '../access-log-bucket/access-log-bucket';

const S3_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

/**
 * An S3 bucket with the notes' (2.2) security and cost practices as defaults:
 *
 * - SSE-KMS with a customer-managed key (audit trail in CloudTrail, key policy
 *   control) and S3 Bucket Keys; writes that ask for another encryption (SSE-S3,
 *   another key, `aws/s3`, SSE-C) are denied; TLS required (`aws:SecureTransport`)
 *   and TLS 1.2+ (`s3:TlsVersion`);
 * - public access blocked and ACLs disabled (bucket owner owns every object, which
 *   avoids the cross-account ownership trap the notes describe);
 * - versioning on, server access logs to a dedicated log bucket (never to itself);
 * - lifecycle: Standard-IA, then an archive class, noncurrent versions expired,
 *   incomplete multipart uploads aborted;
 * - optional replication to a second bucket (`replication`);
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
  /** The role S3 assumes to replicate objects, when `replication` is set. */
  public readonly replicationRole?: iam.Role;

  constructor(scope: Construct, id: string, props: SecureBucketProps = {}) {
    super(scope, id);
    // Deliver server access logs through a bucket policy (logging.s3.amazonaws.com),
    // not the legacy LogDeliveryWrite ACL, which would need ACLs re-enabled on the
    // log bucket. Set here so the construct behaves the same in any app.
    this.node.setContext(S3_LOGS_USE_BUCKET_POLICY, true);
    this.validate(props);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.accessLogBucket = props.serverAccessLogsBucket ? undefined : new AccessLogBucket(this, 'AccessLogs');
    this.serverAccessLogsBucket = props.serverAccessLogsBucket ?? this.accessLogBucket!.bucket;
    this.replicationRole = props.replication ? createReplicationRole(this, props.bucketName) : undefined;
    this.bucket = this.createBucket(props);
    denyOtherEncryption(this.bucket, this.encryptionKey);
    this.configureReplication(props);
    this.warnAboutImportedLogBucket(props);
    CustomerManagedPolicies.apply(this);
  }

  /** Grants read access to objects (and decrypt on the key). */
  public grantRead(grantee: iam.IGrantable, objectsKeyPattern?: string): iam.Grant {
    return this.bucket.grantRead(grantee, objectsKeyPattern);
  }

  /** Grants write access to objects (and encrypt on the key). */
  public grantWrite(grantee: iam.IGrantable, objectsKeyPattern?: string): iam.Grant {
    return this.bucket.grantWrite(grantee, objectsKeyPattern);
  }

  private validate(props: SecureBucketProps): void {
    Validate.resourceName(this, 'bucketName', props.bucketName, S3Limits.BUCKET_NAME);
    validatePrefix(this, 'serverAccessLogsPrefix', props.serverAccessLogsPrefix ?? `${this.node.path}/`);
    if (props.serverAccessLogsBucket) {
      Validate.that(this, props.serverAccessLogsBucket.encryptionKey === undefined, {
        prop: 'serverAccessLogsBucket',
        value: props.serverAccessLogsBucket.node.path,
        allowed: 'a bucket encrypted with SSE-S3',
        hint: 'S3 delivers server access logs only to SSE-S3 buckets, not SSE-KMS ones; use an AccessLogBucket.',
      });
    }
    validateReplication(this, 'replication', props.replication, true);
  }

  private createBucket(props: SecureBucketProps): s3.Bucket {
    const bucket = new s3.Bucket(this, 'Bucket', {
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
      lifecycleRules: lifecycleRules(this, props.lifecycle ?? {}),
      replicationRole: this.replicationRole,
      replicationRules: props.replication ? replicationRules(props.replication, true) : undefined,
      removalPolicy: Sandbox.removalPolicy(this),
      autoDeleteObjects: Sandbox.autoDeleteObjects(this),
    });
    if (props.eventBridgeEnabled) {
      // Native CloudFormation property (set on the L1 on purpose), instead of aws-cdk-lib's
      // notifications custom resource (a Lambda function that would need its own role, runtime
      // upkeep and nag exceptions).
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    }
    return bucket;
  }

  /** Grants the replication role, or acknowledges the compliance rule naming the prop. */
  private configureReplication(props: SecureBucketProps): void {
    if (props.replication && this.replicationRole) {
      grantReplication(this.replicationRole, { bucket: this.bucket, key: this.encryptionKey }, props.replication);
      return;
    }
    NagAcknowledgements.acknowledgeCompliance(this.bucket, 'S3BucketReplicationEnabled',
      'Replication of this bucket is off: set the `replication` prop (of SecureBucket, or of the zone in DataLakeStorage) to copy '
      + 'every new object to a second bucket in this or another Region, at the cost of the copies\' storage, replication requests, '
      + 'KMS calls and inter-Region transfer.');
  }

  /** An imported log bucket's policy is managed elsewhere: say what it must allow. */
  private warnAboutImportedLogBucket(props: SecureBucketProps): void {
    if (!props.serverAccessLogsBucket || props.serverAccessLogsBucket instanceof s3.Bucket) return;
    const prefix = props.serverAccessLogsPrefix ?? `${this.node.path}/`;
    Annotations.of(this).addWarningV2('@analytics-patterns/storage:ServerAccessLogsPolicy',
      `${props.serverAccessLogsBucket.node.path} is imported, so its policy is managed elsewhere: its bucket policy must allow `
      + `logging.s3.amazonaws.com s3:PutObject on objects under "${prefix}" with the conditions aws:SourceAccount ${Stack.of(this).account} `
      + `and aws:SourceArn of ${this.node.path}'s bucket, or its server access logs are not delivered.`);
  }
}
