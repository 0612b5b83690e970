import { CustomerManagedPolicies, S3Limits } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { createConsumerAccessPoint } from './consumer-access-point';
import { DataLakeAccessPoint, DataLakeStorageProps, DataLakeZoneName, DataLakeZoneOptions } from './data-lake-storage-props';
import { validateDataLake } from './data-lake-storage-validation';
import { AccessLogBucket } from '../access-log-bucket/access-log-bucket';
import { SecureBucket } from '../secure-bucket/secure-bucket';
import { ArchiveStorageClass, BucketLifecycle } from '../secure-bucket/secure-bucket-props';

/** One zone of a {@link DataLakeStorage}: where its data lives. */
export interface DataLakeZone {
  /** Which zone. */
  readonly name: DataLakeZoneName;
  /** The zone's bucket (new or existing). */
  readonly bucket: s3.IBucket;
  /** Key prefix of the zone in the bucket ('' = the whole bucket, else ends with "/"). */
  readonly prefix: string;
  /** The SecureBucket, when the data lake created it. */
  readonly secureBucket?: SecureBucket;
}

/** Per-zone lifecycle defaults (see DataLakeZoneOptions.lifecycle). */
const ZONE_LIFECYCLE: Record<DataLakeZoneName, BucketLifecycle> = {
  [DataLakeZoneName.RAW]: {
    infrequentAccessAfter: Duration.days(30),
    archiveAfter: Duration.days(90),
    archiveStorageClass: ArchiveStorageClass.GLACIER_INSTANT_RETRIEVAL,
  },
  [DataLakeZoneName.CLEAN]: {
    infrequentAccessAfter: Duration.days(90),
    archiveAfter: Duration.days(365),
    archiveStorageClass: ArchiveStorageClass.GLACIER_INSTANT_RETRIEVAL,
  },
  [DataLakeZoneName.CURATED]: {
    infrequentAccessAfter: Duration.days(180),
    archiveAfter: Duration.days(0),
  },
};

/**
 * Storage of a data lake in three zones, raw, clean and curated (notes 2.2, 3.2).
 *
 * **One bucket per zone** (the default), not one bucket with three prefixes:
 * - each zone gets its own lifecycle without prefix-filtered rules, its own bucket
 *   policy, and its own request-rate budget (3,500 writes / 5,500 reads per second
 *   per prefix, counted per bucket);
 * - Lake Formation registers locations and grants data-location permissions per
 *   zone, and a mistake in one zone's policy cannot expose another zone;
 * - every bucket is a {@link SecureBucket}: SSE-KMS with the data lake's single
 *   customer-managed key, TLS only, public access blocked, ACLs disabled,
 *   versioning, RETAINed unless sandbox mode is on.
 * All zone buckets log to ONE dedicated {@link AccessLogBucket} (SSE-S3, because S3
 * delivers server access logs only to SSE-S3 buckets), each under its own prefix.
 * Bring your own bucket per zone with `existingBucket` (several zones may share one
 * bucket, with prefixes such as `raw/`); each zone exposes `bucket` and `prefix`, so
 * consumers always build locations as `s3://<bucket>/<prefix>...`.
 *
 * Lifecycle defaults follow how each zone is read: raw data is rarely re-read
 * after it is processed (Standard-IA after 30 days, Glacier Instant Retrieval after
 * 90, which Athena and Glue can still read), clean data after 90/365 days, curated
 * data stays in Standard for 180 days and is never archived.
 *
 * Access points (notes 2.2): one per named consumer, whose policy allows only that
 * consumer, only under one prefix of one zone (read, optionally write); the zone
 * bucket's policy delegates exactly those requests (condition `s3:DataAccessPointArn`)
 * and the consumer is granted use of the key. Bucket policies of existing buckets
 * are not changed: a warning says which delegation statement to add there yourself.
 *
 * A zone can send its object events to EventBridge (`eventBridgeEnabled`), so consumers
 * triggered by S3 "Object Created" events (StagingUpsert's manifest trigger) compose with it,
 * and can replicate its objects to a second bucket (`replication`).
 *
 * @example
 * const lake = new DataLakeStorage(this, 'Lake', {
 *   accessPoints: [{ name: 'finance-reports', zone: DataLakeZoneName.CURATED, prefix: 'finance/', consumer: financeRole }],
 * });
 * new StreamIngestion(this, 'Ingestion', { existingBucket: lake.raw.bucket, encryptionKey: lake.encryptionKey, prefix: 'events' });
 */
export class DataLakeStorage extends Construct {
  /** The data lake's customer-managed key. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket that receives server access logs of the new zone buckets (none when every zone is existing). */
  public readonly serverAccessLogsBucket?: s3.IBucket;
  /** The dedicated log bucket, if this construct created it. */
  public readonly accessLogBucket?: AccessLogBucket;
  /** Raw zone. */
  public readonly raw: DataLakeZone;
  /** Clean zone. */
  public readonly clean: DataLakeZone;
  /** Curated zone. */
  public readonly curated: DataLakeZone;
  /** The access points, in the order given. */
  public readonly accessPoints: DataLakeAccessPoint[];

  constructor(scope: Construct, id: string, props: DataLakeStorageProps = {}) {
    super(scope, id);
    validateDataLake(this, props);
    // Zone buckets log to the shared log bucket through its bucket policy (logging.s3.amazonaws.com),
    // not the legacy LogDeliveryWrite ACL; the flag must be visible to the log bucket, a child of this construct.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data lake key of ${this.node.path}` }).key;
    this.accessLogBucket = this.createLogBucket(props);
    this.serverAccessLogsBucket = props.serverAccessLogsBucket ?? this.accessLogBucket?.bucket;
    this.raw = this.createZone(DataLakeZoneName.RAW, props.raw ?? {});
    this.clean = this.createZone(DataLakeZoneName.CLEAN, props.clean ?? {});
    this.curated = this.createZone(DataLakeZoneName.CURATED, props.curated ?? {});
    this.accessPoints = (props.accessPoints ?? []).map((ap) => {
      const zone = this.zone(ap.zone);
      return createConsumerAccessPoint(this, zone.bucket, zone.prefix, ap);
    });
    this.checkBucketPolicySizes();
    CustomerManagedPolicies.apply(this);
  }

  /** The zone with this name. */
  public zone(name: DataLakeZoneName): DataLakeZone {
    switch (name) {
      case DataLakeZoneName.RAW: return this.raw;
      case DataLakeZoneName.CLEAN: return this.clean;
      default: return this.curated;
    }
  }

  /** `s3://<bucket>/<zone prefix><path>` of a zone. */
  public s3Url(name: DataLakeZoneName, path: string = ''): string {
    const zone = this.zone(name);
    return `s3://${zone.bucket.bucketName}/${zone.prefix}${path}`;
  }

  /** Grants read access to a zone's objects (under its prefix) and decrypt on its key. */
  public grantRead(grantee: iam.IGrantable, name: DataLakeZoneName): iam.Grant {
    const zone = this.zone(name);
    return zone.bucket.grantRead(grantee, `${zone.prefix}*`);
  }

  /** Grants write access to a zone's objects (under its prefix) and encrypt on its key. */
  public grantWrite(grantee: iam.IGrantable, name: DataLakeZoneName): iam.Grant {
    const zone = this.zone(name);
    return zone.bucket.grantWrite(grantee, `${zone.prefix}*`);
  }

  /**
   * Each access point adds two delegation statements to its zone bucket's policy, which S3 limits to
   * 20 KB. The bucket's own ARN (and the consumers' ARNs, when they are resources of the app) are
   * references until deploy, so the size is an estimate: a warning, not an error.
   */
  private checkBucketPolicySizes(): void {
    for (const zone of [this.raw, this.clean, this.curated]) {
      const policy = zone.secureBucket?.bucket.policy;
      if (!policy) continue;
      const bytes = Buffer.byteLength(JSON.stringify(Stack.of(this).resolve(policy.document.toJSON())), 'utf8');
      if (bytes > S3Limits.BUCKET_POLICY_BYTES.max) {
        Annotations.of(this).addWarningV2('@analytics-patterns/storage:BucketPolicySize',
          `The bucket policy of the ${zone.name} zone takes about ${bytes} bytes with its access point delegations; S3 accepts at most `
          + `${S3Limits.BUCKET_POLICY_BYTES.max} (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html): `
          + 'use fewer access points per zone, or share prefixes between consumers.');
      }
    }
  }

  /** One log bucket for the new zone buckets, unless one is given or every zone is existing. */
  private createLogBucket(props: DataLakeStorageProps): AccessLogBucket | undefined {
    const needsLogBucket = [props.raw, props.clean, props.curated].some((z) => z?.existingBucket === undefined);
    return props.serverAccessLogsBucket || !needsLogBucket ? undefined : new AccessLogBucket(this, 'AccessLogs');
  }

  private createZone(name: DataLakeZoneName, options: DataLakeZoneOptions): DataLakeZone {
    if (options.existingBucket) {
      return { name, bucket: options.existingBucket, prefix: options.prefix ?? `${name}/` };
    }
    const secureBucket = new SecureBucket(this, `${name.charAt(0).toUpperCase()}${name.slice(1)}Zone`, {
      encryptionKey: this.encryptionKey,
      serverAccessLogsBucket: this.serverAccessLogsBucket,
      serverAccessLogsPrefix: `${name}/`,
      bucketName: options.bucketName,
      lifecycle: options.lifecycle ?? ZONE_LIFECYCLE[name],
      eventBridgeEnabled: options.eventBridgeEnabled,
      replication: options.replication,
    });
    return { name, bucket: secureBucket.bucket, prefix: options.prefix ?? '', secureBucket };
  }
}
