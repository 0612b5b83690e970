import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';

const ALGORITHM = 's3:x-amz-server-side-encryption';
const KEY_ID = 's3:x-amz-server-side-encryption-aws-kms-key-id';
const CUSTOMER_ALGORITHM = 's3:x-amz-server-side-encryption-customer-algorithm';

/**
 * Bucket policy statements that refuse writes asking for another encryption than the bucket's
 * key, so nobody can store an object under SSE-S3, DSSE-KMS, the AWS managed key `aws/s3`,
 * another KMS key or a customer-provided key (SSE-C):
 *
 * - `DenyOtherEncryption`: the `x-amz-server-side-encryption` header is present and not `aws:kms`;
 * - `DenyOtherKmsKey`: the key-id header is present and not this key's ARN (clients that name the
 *   key must name it by ARN; a key id or alias is refused);
 * - `DenyAwsManagedKey`: `aws:kms` without a key id (S3 would then use `aws/s3`);
 * - `DenyCustomerProvidedKeys`: an SSE-C header is present.
 *
 * A write without encryption headers is not denied: S3 encrypts it with the bucket's default
 * encryption, which is this key. (Requiring the headers, as older examples do, would break clients
 * and AWS services that rely on default encryption, and protect nothing more.)
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html
 */
export function denyOtherEncryption(bucket: s3.IBucket, key: kms.IKey): void {
  const deny = (sid: string, conditions: Record<string, Record<string, string>>) => bucket.addToResourcePolicy(new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:PutObject'],
    resources: [bucket.arnForObjects('*')],
    conditions,
  }));
  deny('DenyOtherEncryption', { Null: { [ALGORITHM]: 'false' }, StringNotEquals: { [ALGORITHM]: 'aws:kms' } });
  deny('DenyOtherKmsKey', { Null: { [KEY_ID]: 'false' }, StringNotEquals: { [KEY_ID]: key.keyArn } });
  deny('DenyAwsManagedKey', { Null: { [ALGORITHM]: 'false', [KEY_ID]: 'true' } });
  deny('DenyCustomerProvidedKeys', { Null: { [CUSTOMER_ALGORITHM]: 'false' } });
}
