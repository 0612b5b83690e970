import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLakeStorage, DataLakeZoneName } from '../src';

function lakeWithConsumer(stack: Stack): { lake: DataLakeStorage; role: iam.Role } {
  const role = new iam.Role(stack, 'Finance', { assumedBy: new iam.AccountRootPrincipal() });
  const lake = new DataLakeStorage(stack, 'Lake', {
    accessPoints: [{ name: 'finance-reports', zone: DataLakeZoneName.CURATED, prefix: 'finance/', consumer: role }],
  });
  return { lake, role };
}

describe('DataLakeStorage', () => {
  test('three zone buckets share one CMK and one SSE-S3 access-log bucket', () => {
    const stack = testStack();
    const lake = new DataLakeStorage(stack, 'Lake');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    t.resourceCountIs('AWS::S3::Bucket', 4);
    const keyId = stack.getLogicalId(lake.encryptionKey.node.defaultChild as any);
    const logId = stack.getLogicalId(lake.accessLogBucket!.bucket.node.defaultChild as any);
    for (const zone of [lake.raw, lake.clean, lake.curated]) {
      const bucket = t.toJSON().Resources[stack.getLogicalId(zone.bucket.node.defaultChild as any)];
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
      });
      expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: logId }, LogFilePrefix: `${zone.name}/` });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(zone.prefix).toBe('');
    }
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    expect(lake.zone(DataLakeZoneName.CLEAN)).toBe(lake.clean);
    expect(stack.resolve(lake.s3Url(DataLakeZoneName.RAW, 'events/'))).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(lake.raw.bucket.node.defaultChild as any) }, '/events/']],
    });
  });

  test('lifecycle differs per zone', () => {
    const stack = testStack();
    const lake = new DataLakeStorage(stack, 'Lake');
    const rules = (zoneBucket: s3.IBucket) =>
      Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(zoneBucket.node.defaultChild as any)]
        .Properties.LifecycleConfiguration.Rules[0];
    expect(rules(lake.raw.bucket).Transitions).toEqual([
      { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
      { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
    ]);
    expect(rules(lake.clean.bucket).Transitions).toEqual([
      { StorageClass: 'STANDARD_IA', TransitionInDays: 90 },
      { StorageClass: 'GLACIER_IR', TransitionInDays: 365 },
    ]);
    expect(rules(lake.curated.bucket).Transitions).toEqual([{ StorageClass: 'STANDARD_IA', TransitionInDays: 180 }]);
  });

  test('sandbox mode destroys zone buckets and empties them', () => {
    const stack = testStack({ sandbox: true });
    const lake = new DataLakeStorage(stack, 'Lake');
    const bucket = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(lake.raw.bucket.node.defaultChild as any)];
    expect(bucket.DeletionPolicy).toBe('Delete');
    Template.fromStack(stack).resourceCountIs('Custom::S3AutoDeleteObjects', 4);
  });

  test('access point: policy scoped to the consumer and the prefix; bucket delegates through it; key grant', () => {
    const stack = testStack();
    const { lake, role } = lakeWithConsumer(stack);
    const t = Template.fromStack(stack);
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as any), 'Arn'] };
    const apArn = 'arn:aws:s3:eu-west-1:123456789012:accesspoint/finance-reports';
    t.hasResourceProperties('AWS::S3::AccessPoint', {
      Name: 'finance-reports',
      Bucket: { Ref: stack.getLogicalId(lake.curated.bucket.node.defaultChild as any) },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      Policy: {
        Statement: [
          { Sid: 'ConsumerObjects', Effect: 'Allow', Principal: { AWS: roleArn }, Action: 's3:GetObject', Resource: `${apArn}/object/finance/*` },
          { Sid: 'ConsumerList', Effect: 'Allow', Principal: { AWS: roleArn }, Action: 's3:ListBucket', Resource: apArn, Condition: { StringLike: { 's3:prefix': 'finance/*' } } },
        ],
      },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: stack.getLogicalId(lake.curated.bucket.node.defaultChild as any) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DelegateObjectsFinanceReports',
            Principal: { AWS: roleArn },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 's3:DataAccessPointArn': apArn } },
          }),
          Match.objectLike({
            Sid: 'DelegateListFinanceReports',
            Action: 's3:ListBucket',
            Condition: { StringEquals: { 's3:DataAccessPointArn': apArn }, StringLike: { 's3:prefix': 'finance/*' } },
          }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as any) }],
      PolicyDocument: { Statement: [{ Action: 'kms:Decrypt', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(lake.encryptionKey.node.defaultChild as any), 'Arn'] } }] },
    });
    expect(lake.accessPoints[0]).toMatchObject({ name: 'finance-reports', zone: DataLakeZoneName.CURATED, prefix: 'finance/', accessPointArn: apArn });
  });

  test('writable access point adds PutObject and encrypt', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Loader', { assumedBy: new iam.AccountRootPrincipal() });
    new DataLakeStorage(stack, 'Lake', { accessPoints: [{ name: 'loader', zone: DataLakeZoneName.RAW, consumer: role, allowWrite: true }] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::AccessPoint', {
      Policy: { Statement: Match.arrayWith([Match.objectLike({ Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'], Resource: 'arn:aws:s3:eu-west-1:123456789012:accesspoint/loader/object/*' })]) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] })] },
    });
  });

  test('existing buckets: one shared bucket with zone prefixes, no new bucket, existing key and log bucket', () => {
    const stack = testStack();
    const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'corp-lake');
    const lake = new DataLakeStorage(stack, 'Lake', {
      raw: { existingBucket: shared },
      clean: { existingBucket: shared },
      curated: { existingBucket: shared, prefix: 'gold/' },
    });
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
    expect([lake.raw.prefix, lake.clean.prefix, lake.curated.prefix]).toEqual(['raw/', 'clean/', 'gold/']);
    expect(lake.raw.bucket).toBe(shared);
    expect(lake.raw.secureBucket).toBeUndefined();
    expect(lake.serverAccessLogsBucket).toBeUndefined();
    expect(lake.s3Url(DataLakeZoneName.CURATED, 'sales/')).toBe('s3://corp-lake/gold/sales/');
  });

  test('zone grants are scoped to the zone prefix', () => {
    const stack = testStack();
    const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'corp-lake');
    const lake = new DataLakeStorage(stack, 'Lake', { raw: { existingBucket: shared } });
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    lake.grantRead(role, DataLakeZoneName.RAW);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({
          Resource: ['arn:aws:s3:::corp-lake', 'arn:aws:s3:::corp-lake/raw/*'],
        })],
      },
    });
  });

  test('cdk-nag clean', () => {
    const stack = testStack();
    lakeWithConsumer(stack);
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });

  describe('validation', () => {
    test('overlapping zone prefixes in one existing bucket', () => {
      const stack = testStack();
      const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'corp-lake');
      expectPropError(() => new DataLakeStorage(stack, 'Lake', { raw: { existingBucket: shared, prefix: '' }, clean: { existingBucket: shared } }), {
        path: 'TestStack/Lake', prop: 'clean.prefix', value: '"clean/"', allowed: 'does not overlap another zone\'s prefix ""',
      });
    });
    test('lifecycle with an existing bucket', () => {
      const stack = testStack();
      const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'corp-lake');
      expectPropError(() => new DataLakeStorage(stack, 'Lake', { raw: { existingBucket: shared, lifecycle: {} } }), {
        path: 'TestStack/Lake', prop: 'raw.lifecycle', allowed: 'not set together with existingBucket',
      });
    });
    test('zone prefix with a leading slash', () => {
      expectPropError(() => new DataLakeStorage(testStack(), 'Lake', { raw: { prefix: '/raw/' } }), {
        path: 'TestStack/Lake', prop: 'raw.prefix', value: '"/raw/"', allowed: 'without a leading "/"',
      });
    });
    test('bucket name', () => {
      expectPropError(() => new DataLakeStorage(testStack(), 'Lake', { curated: { bucketName: 'Curated_Zone' } }), {
        path: 'TestStack/Lake', prop: 'curated.bucketName', value: '"Curated_Zone"', allowed: '3-63 characters',
      });
    });
    test('access point name', () => {
      const stack = testStack();
      const consumer = new iam.AccountRootPrincipal();
      expectPropError(() => new DataLakeStorage(stack, 'Lake', { accessPoints: [{ name: 'Finance_Reports', zone: DataLakeZoneName.RAW, consumer }] }), {
        path: 'TestStack/Lake', prop: 'accessPoints[0].name', value: '"Finance_Reports"', allowed: '3-50 characters',
      });
    });
    test('duplicate access point names', () => {
      const consumer = new iam.AccountRootPrincipal();
      expectPropError(() => new DataLakeStorage(testStack(), 'Lake', {
        accessPoints: [{ name: 'a-b', zone: DataLakeZoneName.RAW, consumer }, { name: 'a-b', zone: DataLakeZoneName.CLEAN, consumer }],
      }), { path: 'TestStack/Lake', prop: 'accessPoints[].name', allowed: 'distinct entries' });
    });
    test('access point prefix without trailing slash', () => {
      const consumer = new iam.AccountRootPrincipal();
      expectPropError(() => new DataLakeStorage(testStack(), 'Lake', {
        accessPoints: [{ name: 'team', zone: DataLakeZoneName.RAW, prefix: 'team', consumer }],
      }), { path: 'TestStack/Lake', prop: 'accessPoints[0].prefix', value: '"team"', allowed: 'each ending with "/"' });
    });
  });
});
