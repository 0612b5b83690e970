import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogBucket, ArchiveStorageClass, SecureBucket } from '../src';

function logicalId(stack: Stack, c: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(c.node.defaultChild as s3.CfnBucket);
}

describe('SecureBucket defaults', () => {
  const stack = testStack();
  const sb = new SecureBucket(stack, 'Data');
  const t = Template.fromStack(stack);
  const dataId = logicalId(stack, sb.bucket);
  const logId = logicalId(stack, sb.accessLogBucket!.bucket);
  const keyId = stack.getLogicalId(sb.encryptionKey.node.defaultChild as kms.CfnKey);

  test('SSE-KMS with its customer-managed key and S3 Bucket Keys', () => {
    expect(t.toJSON().Resources[dataId].Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      }],
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('public access blocked, ACLs disabled, versioned', () => {
    expect(t.toJSON().Resources[dataId].Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  test('bucket policy denies non-TLS requests and TLS below 1.2', () => {
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: dataId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    });
  });

  test('server access logs go to the dedicated log bucket, under the construct path', () => {
    expect(t.toJSON().Resources[dataId].Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logId },
      LogFilePrefix: 'TestStack/Data/',
    });
  });

  test('the log bucket: SSE-S3 (S3 cannot deliver logs to SSE-KMS), TLS only, no self-logging, log delivery by bucket policy', () => {
    const log = t.toJSON().Resources[logId].Properties;
    expect(log.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    expect(log.LoggingConfiguration).toBeUndefined();
    expect(log.AccessControl).toBeUndefined();
    expect(log.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 365, Status: 'Enabled' });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [dataId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      },
    });
  });

  test('lifecycle: Standard-IA at 90 days, Glacier Instant Retrieval at 365, noncurrent versions 90, multipart uploads 7', () => {
    expect(t.toJSON().Resources[dataId].Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'tiering',
        Status: 'Enabled',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 90 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 365 },
        ],
        NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      },
      { Id: 'abort-incomplete-multipart-uploads', Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    ]);
  });

  test('stateful resources are retained', () => {
    for (const id of [dataId, logId, keyId]) {
      expect(t.toJSON().Resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('cdk-nag clean', () => {
    const s = testStack();
    new SecureBucket(s, 'Data');
    expect(expectNagClean(s, AWS_SOLUTIONS_ONLY).findings).toEqual([]);
  });

  test('a log bucket alone acknowledges S1 (no self-logging) with its reason', () => {
    const s = testStack();
    new AccessLogBucket(s, 'Logs');
    expect(expectNagClean(s, AWS_SOLUTIONS_ONLY).acknowledged).toEqual([expect.objectContaining({
      rule: 'AwsSolutions-S1', path: 'TestStack/Logs/Bucket/Resource', reason: expect.stringContaining('dedicated destination of S3 server access logs'),
    })]);
  });
});

describe('SecureBucket options', () => {
  test('sandbox mode: DESTROY and auto-delete objects for data and log buckets', () => {
    const stack = testStack({ sandbox: true });
    new SecureBucket(stack, 'Data');
    const t = Template.fromStack(stack);
    const buckets = t.findResources('AWS::S3::Bucket');
    expect(Object.values(buckets).map((b) => b.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
  });

  test('existing key and log bucket are used; no extra key or log bucket is created', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'MyKey', { enableKeyRotation: true });
    const logs = s3.Bucket.fromBucketName(stack, 'MyLogs', 'central-access-logs');
    const sb = new SecureBucket(stack, 'Data', { encryptionKey: key, serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'lake/' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 1);
    expect(sb.accessLogBucket).toBeUndefined();
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'central-access-logs', LogFilePrefix: 'lake/' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } } })] },
    });
  });

  test('EventBridge notifications use the native property, not a custom resource', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Data', { eventBridgeEnabled: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('custom lifecycle: deep archive, expiry, prefix', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Data', {
      lifecycle: {
        infrequentAccessAfter: Duration.days(30),
        archiveAfter: Duration.days(60),
        archiveStorageClass: ArchiveStorageClass.DEEP_ARCHIVE,
        expireAfter: Duration.days(400),
        prefix: 'raw/',
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({
          Prefix: 'raw/',
          ExpirationInDays: 400,
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }, { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 60 }],
        })]),
      },
    });
  });

  test('Standard-IA can be skipped: archive right away is allowed', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Data', { lifecycle: { infrequentAccessAfter: Duration.days(0), archiveAfter: Duration.days(1) } });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 1 }] })]) },
    });
  });
});

describe('SecureBucket validation', () => {
  test('Standard-IA needs at least 30 days', () => {
    expectPropError(() => new SecureBucket(testStack(), 'Data', { lifecycle: { infrequentAccessAfter: Duration.days(10) } }), {
      path: 'TestStack/Data', prop: 'lifecycle.infrequentAccessAfter', value: '10 days', allowed: '30-36500 days',
    });
  });

  test('archive needs 30 days in Standard-IA first', () => {
    expectPropError(() => new SecureBucket(testStack(), 'Data', { lifecycle: { infrequentAccessAfter: Duration.days(60), archiveAfter: Duration.days(80) } }), {
      path: 'TestStack/Data', prop: 'lifecycle.archiveAfter', value: '80 days', allowed: 'at least 90 days',
    });
  });

  test('expiry must come after the last transition', () => {
    expectPropError(() => new SecureBucket(testStack(), 'Data', { lifecycle: { expireAfter: Duration.days(200) } }), {
      path: 'TestStack/Data', prop: 'lifecycle.expireAfter', value: '200 days', allowed: 'more than 365 days',
    });
  });

  test('a log bucket encrypted with SSE-KMS is refused (S3 would not deliver logs to it)', () => {
    const stack = testStack();
    const kmsLogs = new SecureBucket(stack, 'Other').bucket;
    expectPropError(() => new SecureBucket(stack, 'Data', { serverAccessLogsBucket: kmsLogs }), {
      path: 'TestStack/Data', prop: 'serverAccessLogsBucket', value: '"TestStack/Other/Bucket"', allowed: 'a bucket encrypted with SSE-S3',
    });
  });

  test('noncurrent expiry, multipart abort and prefix', () => {
    expectPropError(() => new SecureBucket(testStack(), 'Data', { lifecycle: { noncurrentVersionExpiration: Duration.days(0) } }), {
      path: 'TestStack/Data', prop: 'lifecycle.noncurrentVersionExpiration', value: '0 days', allowed: '1-36500 days',
    });
    expectPropError(() => new SecureBucket(testStack(), 'Data', { lifecycle: { prefix: '/raw' } }), {
      path: 'TestStack/Data', prop: 'lifecycle.prefix', value: '"/raw"', allowed: 'without a leading "/"',
    });
  });
});
