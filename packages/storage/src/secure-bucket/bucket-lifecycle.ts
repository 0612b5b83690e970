import { S3Limits, TimeUnit, Validate } from '@analytics-patterns/core';
import { Duration, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ArchiveStorageClass, BucketLifecycle } from './secure-bucket-props';

/** Whole days of a lifecycle duration, 0 allowed (a token stays a token). */
function days(scope: IConstruct, prop: string, d: Duration): number {
  return Validate.duration(scope, d, { prop, in: TimeUnit.DAYS, ...S3Limits.LIFECYCLE_DAYS, min: 0 })!;
}

const known = (...values: number[]) => values.every((v) => !Token.isUnresolved(v));

/**
 * The lifecycle rules of a {@link BucketLifecycle}, after checking what S3 would reject: a
 * Standard-IA transition before 30 days, an archive transition less than 30 days after it, an
 * expiration before the last transition, durations that are not whole days. Comparisons are
 * skipped for tokens.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
 */
export function lifecycleRules(scope: IConstruct, lifecycle: BucketLifecycle): s3.LifecycleRule[] {
  const ia = lifecycle.infrequentAccessAfter ?? Duration.days(90);
  const archive = lifecycle.archiveAfter ?? Duration.days(365);
  const iaDays = days(scope, 'lifecycle.infrequentAccessAfter', ia);
  const archiveDays = days(scope, 'lifecycle.archiveAfter', archive);
  if (iaDays !== 0) {
    Validate.number(scope, iaDays, { prop: 'lifecycle.infrequentAccessAfter', ...S3Limits.LIFECYCLE_DAYS, min: S3Limits.STANDARD_IA_MIN_DAYS });
  }
  if (archiveDays !== 0 && known(iaDays, archiveDays)) {
    const min = iaDays === 0 ? 0 : iaDays + S3Limits.STANDARD_IA_MIN_DAYS;
    Validate.that(scope, archiveDays >= min, {
      prop: 'lifecycle.archiveAfter',
      value: `${archiveDays} days`,
      allowed: `at least ${min} days (S3 keeps objects in Standard-IA for ${S3Limits.STANDARD_IA_MIN_DAYS} days before an archive transition)`,
    });
  }
  const expire = lifecycle.expireAfter === undefined ? undefined : days(scope, 'lifecycle.expireAfter', lifecycle.expireAfter);
  if (expire !== undefined && known(expire, iaDays, archiveDays)) {
    const lastTransition = Math.max(iaDays, archiveDays);
    Validate.that(scope, expire > lastTransition, { prop: 'lifecycle.expireAfter', value: `${expire} days`, allowed: `more than ${lastTransition} days (after the last transition)` });
  }
  const noncurrent = lifecycle.noncurrentVersionExpiration ?? Duration.days(90);
  Validate.duration(scope, noncurrent, { prop: 'lifecycle.noncurrentVersionExpiration', in: TimeUnit.DAYS, ...S3Limits.LIFECYCLE_DAYS });
  const abort = lifecycle.abortIncompleteMultipartUploadAfter ?? Duration.days(7);
  Validate.duration(scope, abort, { prop: 'lifecycle.abortIncompleteMultipartUploadAfter', in: TimeUnit.DAYS, ...S3Limits.LIFECYCLE_DAYS });
  validatePrefix(scope, 'lifecycle.prefix', lifecycle.prefix);

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

/** A key prefix: no leading "/", at most 1,024 bytes (S3's key length). Tokens pass. */
export function validatePrefix(scope: IConstruct, prop: string, prefix: string | undefined): void {
  if (prefix === undefined || Token.isUnresolved(prefix)) return;
  Validate.that(scope, !prefix.startsWith('/'), { prop, value: prefix, allowed: 'a key prefix without a leading "/"' });
  Validate.number(scope, Buffer.byteLength(prefix, 'utf8'), { prop: `${prop} (UTF-8 bytes)`, ...S3Limits.KEY_BYTES });
}
