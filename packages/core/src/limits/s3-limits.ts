import { Limit, NameRule } from '../validation/limit';

/** Documented limits and naming rules of Amazon S3 general purpose buckets. */
export class S3Limits {
  /**
   * Name of a general purpose bucket: 3-63 characters of lower-case letters, digits, `.` and
   * `-`, starting and ending with a letter or digit, no two adjacent periods, not shaped like
   * an IP address, without the prefixes and suffixes S3 reserves.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
   */
  public static readonly BUCKET_NAME: NameRule = {
    pattern: '^(?!\\d{1,3}(\\.\\d{1,3}){3}$)(?!.*\\.\\.)[a-z0-9][a-z0-9.-]*[a-z0-9]$',
    description: 'lower-case letters, digits, "." and "-", starting and ending with a letter or digit, no "..", not an IP address',
    minLength: 3,
    maxLength: 63,
    reservedPrefixes: ['xn--', 'sthree-', 'amzn-s3-demo-'],
    reservedSuffixes: ['-s3alias', '--ol-s3', '.mrap', '--x-s3'],
  };

  /**
   * Name of an access point: 3-50 characters of lower-case letters, digits and `-`, starting
   * and ending with a letter or digit, unique per account and Region.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-restrictions-limitations-naming-rules.html
   */
  public static readonly ACCESS_POINT_NAME: NameRule = {
    pattern: '^[a-z0-9][a-z0-9-]*[a-z0-9]$',
    description: 'lower-case letters, digits and "-", starting and ending with a letter or digit',
    minLength: 3,
    maxLength: 50,
    reservedPrefixes: ['xn--'],
    reservedSuffixes: ['-s3alias'],
  };

  /**
   * Days before objects may move to S3 Standard-IA (also the least time objects stay in
   * Standard-IA before a lifecycle rule moves them on to an archive class).
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
   */
  public static readonly STANDARD_IA_MIN_DAYS = 30;

  /**
   * Whole days of a lifecycle action (transition, expiration, noncurrent expiration, abort of
   * incomplete multipart uploads). S3 asks for a positive whole number and documents no
   * maximum: 36,500 days (100 years) is this library's bound, to catch unit mistakes.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
   */
  public static readonly LIFECYCLE_DAYS: Limit = { min: 1, max: 36500, unit: 'days', integer: true };

  /**
   * Key prefix of a lifecycle rule or server access logs: an object key is at most 1,024 bytes
   * of UTF-8.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html
   */
  public static readonly KEY_BYTES: Limit = { min: 0, max: 1024, unit: 'bytes', integer: true };

  /**
   * Size of a bucket policy, in bytes.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
   */
  public static readonly BUCKET_POLICY_BYTES: Limit = { min: 0, max: 20480, unit: 'bytes', integer: true };

  /**
   * Replication rule id.
   * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ReplicationRule.html
   */
  public static readonly REPLICATION_RULE_ID_CHARS: Limit = { min: 1, max: 255, unit: 'characters', integer: true };

  private constructor() {}
}
