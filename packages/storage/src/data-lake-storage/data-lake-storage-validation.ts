import { S3Limits, Validate } from '@analytics-patterns/core';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { statementSuffix } from './consumer-access-point';
import { DataLakeAccessPointOptions, DataLakeStorageProps, DataLakeZoneName, DataLakeZoneOptions } from './data-lake-storage-props';

const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)*$';
const PREFIX_HELP = 'empty, or S3 key segments (letters, digits and !_.*\'()=-) each ending with "/", without a leading "/"';

/** Checks every zone and access point of a data lake (pure: throws on the first problem). */
export function validateDataLake(scope: IConstruct, props: DataLakeStorageProps): void {
  const zones: Array<[DataLakeZoneName, DataLakeZoneOptions]> = [
    [DataLakeZoneName.RAW, props.raw ?? {}], [DataLakeZoneName.CLEAN, props.clean ?? {}], [DataLakeZoneName.CURATED, props.curated ?? {}],
  ];
  zones.forEach(([name, zone]) => validateZone(scope, name, zone));
  validateDistinctBuckets(scope, zones);
  validateSharedBucketPrefixes(scope, zones);
  validateAccessPoints(scope, props.accessPoints ?? []);
}

function validateZone(scope: IConstruct, name: string, z: DataLakeZoneOptions): void {
  if (z.prefix !== undefined) Validate.pattern(scope, `${name}.prefix`, PREFIX, PREFIX_HELP, z.prefix);
  Validate.resourceName(scope, `${name}.bucketName`, z.bucketName, S3Limits.BUCKET_NAME);
  if (!z.existingBucket) return;
  const onlyForNew = (prop: keyof DataLakeZoneOptions, given: unknown) => Validate.that(scope, given === undefined, {
    prop: `${name}.${prop}`, value: given === undefined ? undefined : 'given', allowed: 'not set together with existingBucket (configure the existing bucket itself)',
  });
  onlyForNew('lifecycle', z.lifecycle);
  Validate.that(scope, z.bucketName === undefined, { prop: `${name}.bucketName`, value: z.bucketName, allowed: 'not set together with existingBucket' });
  onlyForNew('eventBridgeEnabled', z.eventBridgeEnabled);
  onlyForNew('replication', z.replication);
}

/** The bucket name a zone will use, when it is known at synth. */
function knownBucketName(z: DataLakeZoneOptions): string | undefined {
  const name = z.existingBucket ? z.existingBucket.bucketName : z.bucketName;
  return name === undefined || Token.isUnresolved(name) ? undefined : name;
}

/** Two new zone buckets with one name (or a new one named like another zone's existing bucket) cannot both exist. */
function validateDistinctBuckets(scope: IConstruct, zones: Array<[string, DataLakeZoneOptions]>): void {
  const seen = new Map<string, string>();
  for (const [name, z] of zones) {
    const bucket = knownBucketName(z);
    if (bucket === undefined) continue;
    const other = seen.get(bucket);
    const bothExisting = other !== undefined && z.existingBucket !== undefined && zones.find(([n]) => n === other)![1].existingBucket !== undefined;
    Validate.that(scope, other === undefined || bothExisting, {
      prop: `${name}.bucketName`,
      value: bucket,
      allowed: `a bucket name no other zone uses (${other} already has "${bucket}")`,
      hint: 'Zones may share one existing bucket (with distinct prefixes); a new bucket needs a name of its own.',
    });
    seen.set(bucket, name);
  }
}

/** Zones that share one existing bucket must not overlap. */
function validateSharedBucketPrefixes(scope: IConstruct, zones: Array<[string, DataLakeZoneOptions]>): void {
  const locations: Array<{ bucket: string; prefix: string }> = [];
  for (const [name, z] of zones) {
    const bucket = z.existingBucket ? knownBucketName(z) : undefined;
    if (bucket === undefined) continue;
    const prefix = z.prefix ?? `${name}/`;
    for (const other of locations.filter((l) => l.bucket === bucket)) {
      Validate.that(scope, !(prefix.startsWith(other.prefix) || other.prefix.startsWith(prefix)), {
        prop: `${name}.prefix`,
        value: prefix,
        allowed: `a prefix that does not overlap another zone's prefix "${other.prefix}" in the same bucket ${bucket}`,
      });
    }
    locations.push({ bucket, prefix });
  }
}

function validateAccessPoints(scope: IConstruct, aps: DataLakeAccessPointOptions[]): void {
  Validate.unique(scope, 'accessPoints[].name', aps.map((a) => a.name));
  const suffixes = new Map<string, string>();
  aps.forEach((ap, i) => {
    Validate.resourceName(scope, `accessPoints[${i}].name`, ap.name, S3Limits.ACCESS_POINT_NAME);
    Validate.oneOf(scope, `accessPoints[${i}].zone`, Object.values(DataLakeZoneName), ap.zone);
    if (ap.prefix !== undefined) Validate.pattern(scope, `accessPoints[${i}].prefix`, PREFIX, PREFIX_HELP, ap.prefix);
    const suffix = statementSuffix(ap.name);
    const clash = suffixes.get(suffix);
    Validate.that(scope, clash === undefined, {
      prop: `accessPoints[${i}].name`,
      value: ap.name,
      allowed: `a name whose bucket policy statement ids (Delegate*${suffix}) differ from those of "${clash}"`,
      hint: 'Statement ids are derived from the name without its hyphens.',
    });
    suffixes.set(suffix, ap.name);
  });
}
