import { NagAcknowledgements } from '@analytics-patterns/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { S3Location } from '../transient-emr-cluster/transient-emr-cluster-props';

/** Least-privilege S3 statements for a job's read and write locations. Internal helper. */
export interface S3Access {
  readonly statements: iam.PolicyStatement[];
  /** Keys of the buckets (by construct path) the job must decrypt/encrypt with. */
  readonly keys: Map<string, kms.IKey>;
  /** Every location, read and write (their object ARNs end with a wildcard: see the cdk-nag acknowledgements). */
  readonly locations: S3Location[];
}

const READ = ['s3:GetObject', 's3:GetBucketLocation'];
const WRITE = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'];

export function s3Access(readLocations: S3Location[] = [], writeLocations: S3Location[] = []): S3Access {
  const statements: iam.PolicyStatement[] = [];
  const keys = new Map<string, kms.IKey>();
  const add = (kind: 'Read' | 'Write', loc: S3Location, i: number) => {
    const objects = loc.bucket.arnForObjects(`${loc.prefix ?? ''}*`);
    statements.push(
      new iam.PolicyStatement({
        sid: `List${kind}${i}`,
        actions: ['s3:ListBucket'],
        resources: [loc.bucket.bucketArn],
        conditions: loc.prefix ? { StringLike: { 's3:prefix': [`${loc.prefix}*`] } } : undefined,
      }),
      new iam.PolicyStatement({ sid: `${kind}${i}`, actions: kind === 'Read' ? READ : WRITE, resources: [objects, loc.bucket.bucketArn] }),
    );
    if (loc.bucket.encryptionKey) keys.set(loc.bucket.encryptionKey.node.path, loc.bucket.encryptionKey);
  };
  readLocations.forEach((l, i) => add('Read', l, i));
  writeLocations.forEach((l, i) => add('Write', l, i));
  return { statements, keys, locations: [...readLocations, ...writeLocations] };
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding of each location's `<prefix>*` object ARN on
 * `scope` once (locations may repeat), for created and imported buckets alike. `reason` is one
 * text for all, or one per location (e.g. naming its prefix).
 */
export function acknowledgeObjectWildcards(scope: IConstruct, locations: S3Location[], reason: string | ((location: S3Location) => string)): void {
  const seen = new Set<string>();
  for (const l of locations) {
    const finding = NagAcknowledgements.resourceFinding(scope, l.bucket.arnForObjects(`${l.prefix ?? ''}*`));
    if (seen.has(finding)) continue;
    seen.add(finding);
    NagAcknowledgements.objectsUnder(scope, l.bucket, l.prefix ?? '', typeof reason === 'string' ? reason : reason(l));
  }
}
