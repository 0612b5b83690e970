import * as iam from 'aws-cdk-lib/aws-iam';

/** Service principals Managed Service for Apache Flink uses a customer-managed key with. */
export const FLINK_SERVICE = 'kinesisanalytics.amazonaws.com';
/** The principal that encrypts running application state. */
export const FLINK_INFRASTRUCTURE = 'infrastructure.kinesisanalytics.amazonaws.com';

/**
 * The key policy statements Managed Service for Apache Flink needs to encrypt the durable
 * (snapshots, checkpoints) and running state of `applicationArn` (an ARN, or a pattern
 * such as `...:application/*`) with a customer-managed key. Without them the service rejects
 * the key when the application is created. Every statement is limited to the application
 * by the encryption context the service sends (`aws:kinesisanalytics:arn`), and, where AWS
 * documents them, by `aws:SourceAccount`/`aws:SourceArn`.
 *
 * @see https://docs.aws.amazon.com/managed-flink/latest/java/manage-cmk-api.html
 */
export function flinkKeyPolicyStatements(applicationArn: string, account: string): iam.PolicyStatement[] {
  const context = { 'kms:EncryptionContext:aws:kinesisanalytics:arn': applicationArn };
  const source = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': applicationArn } };
  const service = new iam.ServicePrincipal(FLINK_SERVICE);
  const infrastructure = new iam.ServicePrincipal(FLINK_INFRASTRUCTURE);
  const statement = (sid: string, principals: iam.IPrincipal[], actions: string[], conditions: Record<string, any>) =>
    new iam.PolicyStatement({ sid, principals, actions, resources: ['*'], conditions });
  return [
    statement('AllowFlinkToDescribeKey', [service, infrastructure], ['kms:DescribeKey'], source),
    statement('AllowFlinkDurableStateEncrypt', [service], ['kms:GenerateDataKey'], { ...source, StringLike: context }),
    statement('AllowFlinkDurableStateDecrypt', [service], ['kms:Decrypt'], { StringLike: context }),
    statement('AllowFlinkRunningState', [infrastructure], ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'], { StringLike: context }),
    statement('AllowFlinkRunningStateGrant', [infrastructure], ['kms:CreateGrant'], {
      'StringLike': context,
      'StringEquals': { 'kms:GrantConstraintType': 'EncryptionContextSubset' },
      'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt'] },
    }),
  ];
}
