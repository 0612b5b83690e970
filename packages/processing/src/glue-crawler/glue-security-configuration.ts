import { GlueLimits, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Props for {@link GlueSecurityConfiguration}. */
export interface GlueSecurityConfigurationProps {
  /**
   * Customer-managed key for CloudWatch logs, job bookmarks and S3 output.
   * A statement letting CloudWatch Logs use the key is added if the key is defined in this app.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Name of the security configuration (1-255 letters, digits, `_`, `.` and `-`, unique per
   * account and region).
   * @default - generated from the construct path
   */
  readonly securityConfigurationName?: string;
}

/**
 * A Glue security configuration that encrypts everything Glue writes with one
 * customer-managed key: CloudWatch logs (SSE-KMS), job bookmarks (CSE-KMS) and
 * S3 output of jobs (SSE-KMS). Crawlers and jobs of this library always use one.
 *
 * What the roles that use it need (`addUseStatements`): `logs:AssociateKmsKey` (and log writes) on
 * the `/aws-glue/<crawlers|jobs>*` log groups, whose key CloudWatch Logs uses itself (key
 * policy: `logs.<region>.amazonaws.com`, scoped by the log group ARN in the encryption
 * context), and, for job bookmarks (client-side encryption), `kms:Encrypt`, `kms:Decrypt` and
 * `kms:GenerateDataKey` on the key.
 *
 * @example
 * const security = new GlueSecurityConfiguration(this, 'GlueSecurity', { encryptionKey: lake.encryptionKey });
 */
export class GlueSecurityConfiguration extends Construct {
  /** Name of the security configuration. */
  public readonly securityConfigurationName: string;
  /** The key. */
  public readonly encryptionKey: kms.IKey;
  /** The L1 security configuration (aws-cdk-lib's L2 is in the alpha module). */
  public readonly resource: glue.CfnSecurityConfiguration;

  constructor(scope: Construct, id: string, props: GlueSecurityConfigurationProps = {}) {
    super(scope, id);
    Validate.resourceName(this, 'securityConfigurationName', props.securityConfigurationName, GlueLimits.SECURITY_CONFIGURATION_NAME);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Glue key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    this.securityConfigurationName = props.securityConfigurationName
      ?? Names.uniqueResourceName(this, { maxLength: GlueLimits.SECURITY_CONFIGURATION_NAME.maxLength });
    this.resource = new glue.CfnSecurityConfiguration(this, 'Resource', {
      name: this.securityConfigurationName,
      encryptionConfiguration: {
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: this.encryptionKey.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: this.encryptionKey.keyArn },
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: this.encryptionKey.keyArn }],
      },
    });
  }

  /** ARN pattern of the `/aws-glue/<logGroupPrefix>*` log groups and their streams. */
  public logGroupArn(logGroupPrefix: string): string {
    return Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws-glue/${logGroupPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  }

  /**
   * Adds to a Glue role's `policy` what the configuration needs at run time: associate the key
   * with its `/aws-glue/<logGroupPrefix>*` log groups, and (for jobs) encrypt/decrypt job
   * bookmarks with the key. Not a `grantXxx(grantee)`: the statements go into the given policy
   * (the crawler's or job's own), not into a grantee's default policy.
   *
   * @param policy the Glue role's policy
   * @param logGroupPrefix `crawlers` or `jobs`
   * @param bookmarks whether the role reads and writes encrypted job bookmarks
   * @returns the statements added
   */
  public addUseStatements(policy: iam.Policy, logGroupPrefix: string, bookmarks: boolean): iam.PolicyStatement[] {
    const statements = [new iam.PolicyStatement({
      sid: 'GlueLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'],
      resources: [this.logGroupArn(logGroupPrefix)],
    })];
    if (bookmarks) {
      statements.push(new iam.PolicyStatement({
        sid: 'EncryptedJobBookmarks',
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
      }));
    }
    policy.addStatements(...statements);
    return statements;
  }
}
