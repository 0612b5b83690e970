import { CustomerManagedPolicies } from '@analytics-patterns/core';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, OTHER_ACCOUNT, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DataLakeStorage, DataLakeZoneName } from '../src';

const ACCOUNT = '123456789012';
const AP_ARN = `arn:aws:s3:eu-west-1:${ACCOUNT}:accesspoint/finance-reports`;

function lakeWithConsumer(stack: Stack): { lake: DataLakeStorage; role: iam.Role } {
  const role = new iam.Role(stack, 'Finance', { assumedBy: new iam.AccountRootPrincipal() });
  CustomerManagedPolicies.apply(role); // the consumer's role is the user's: its inline policy is handled as the user chooses
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

  test('cdk-nag clean in all four packs', () => {
    const stack = testStack();
    lakeWithConsumer(stack);
    const report = expectNagClean(stack);
    const zoneAcks = report.acknowledged.filter((a) => /Zone\/Bucket\/Resource$/.test(a.path)).map((a) => `${a.rule} ${a.path}`).sort();
    expect(zoneAcks).toEqual(['HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321'].flatMap((pack) =>
      ['Clean', 'Curated', 'Raw'].map((z) => `${pack}-S3BucketReplicationEnabled TestStack/Lake/${z}Zone/Bucket/Resource`)));
  });

  test('stateful resources keep their logical ids (key, log bucket, zone buckets)', () => {
    const stack = testStack();
    const lake = new DataLakeStorage(stack, 'Lake');
    const id = (c: any) => stack.getLogicalId(c.node.defaultChild);
    expect([lake.encryptionKey, lake.accessLogBucket!.bucket, lake.raw.bucket, lake.clean.bucket, lake.curated.bucket].map(id)).toEqual([
      'LakeKey6AC6EFDD', 'LakeAccessLogsBucket6E9F3610', 'LakeRawZoneBucketFE119C19', 'LakeCleanZoneBucket1A7D0035', 'LakeCuratedZoneBucketE7A630CF',
    ]);
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

describe('DataLakeStorage at run time', () => {
  const stack = testStack();
  const { lake, role: finance } = lakeWithConsumer(stack);
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  lake.grantRead(reader, DataLakeZoneName.CURATED);
  lake.grantWrite(writer, DataLakeZoneName.RAW);
  const key = lake.encryptionKey.keyArn;
  const viaS3 = (bucket: s3.IBucket) => ({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn });

  test('zone grants: the reader reads curated (and decrypts through S3), not raw; the writer writes raw with the lake key only', async () => {
    const access = AccessModel.of(stack);
    const curated = lake.curated.bucket.arnForObjects('sales/2026/part-0.parquet');
    const raw = lake.raw.bucket.arnForObjects('events/2026/01/01/x.json');
    await access.expectAllowed(
      { principal: reader.roleArn, action: 's3:GetObject', resource: curated },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key, context: viaS3(lake.curated.bucket) },
      { principal: writer.roleArn, action: 's3:PutObject', resource: raw },
      { principal: writer.roleArn, action: 'kms:GenerateDataKey', resource: key, context: viaS3(lake.raw.bucket) },
    );
    await access.expectDenied(
      { principal: reader.roleArn, action: 's3:GetObject', resource: raw },
      { principal: reader.roleArn, action: 's3:PutObject', resource: curated },
      { principal: writer.roleArn, action: 's3:PutObject', resource: curated },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: curated },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: curated },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: raw },
    );
    await access.expectExplicitlyDenied(
      { principal: writer.roleArn, action: 's3:PutObject', resource: raw, context: { 's3:x-amz-server-side-encryption': 'AES256' } },
      { principal: reader.roleArn, action: 's3:GetObject', resource: curated, context: { 'aws:SecureTransport': 'false' } },
    );
  });

  test('access point: the bucket delegates the consumer\'s requests made through its access point, under its prefix only', async () => {
    const access = AccessModel.of(stack);
    const throughAp = { 's3:DataAccessPointArn': AP_ARN };
    const report = lake.curated.bucket.arnForObjects('finance/2026/q1.csv');
    await access.expectAllowed(
      { principal: finance.roleArn, action: 's3:GetObject', resource: report, context: throughAp },
      { principal: finance.roleArn, action: 's3:ListBucket', resource: lake.curated.bucket.bucketArn, context: { ...throughAp, 's3:prefix': 'finance/2026/' } },
      { principal: finance.roleArn, action: 'kms:Decrypt', resource: key, context: viaS3(lake.curated.bucket) },
    );
    await access.expectDenied(
      { principal: finance.roleArn, action: 's3:GetObject', resource: report },
      { principal: finance.roleArn, action: 's3:GetObject', resource: lake.curated.bucket.arnForObjects('hr/salaries.csv'), context: throughAp },
      { principal: finance.roleArn, action: 's3:GetObject', resource: report, context: { 's3:DataAccessPointArn': `arn:aws:s3:eu-west-1:${OTHER_ACCOUNT}:accesspoint/x` } },
      { principal: finance.roleArn, action: 's3:PutObject', resource: report, context: throughAp },
      { principal: finance.roleArn, action: 's3:ListBucket', resource: lake.curated.bucket.bucketArn, context: { ...throughAp, 's3:prefix': 'hr/' } },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: report, context: throughAp },
    );
  });

  test('log delivery: each zone\'s logging writes under its own prefix of the shared log bucket', async () => {
    const access = AccessModel.of(stack);
    const logs = lake.serverAccessLogsBucket!;
    const from = (bucket: s3.IBucket) => ({ 'aws:SourceArn': bucket.bucketArn, 'aws:SourceAccount': ACCOUNT });
    await access.expectAllowed(
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.arnForObjects('raw/2026-01-01-x'), context: from(lake.raw.bucket) },
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.arnForObjects('curated/2026-01-01-x'), context: from(lake.curated.bucket) },
    );
    await access.expectDenied(
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.arnForObjects('curated/2026-01-01-x'), context: from(lake.raw.bucket) },
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.arnForObjects('raw/x'), context: { ...from(lake.raw.bucket), 'aws:SourceAccount': OTHER_ACCOUNT } },
    );
  });
});

describe('DataLakeStorage zone options', () => {
  test('EventBridge on a zone: its bucket sends "Object Created" events that a rule (e.g. StagingUpsert\'s manifest trigger) matches', () => {
    const stack = testStack();
    const lake = new DataLakeStorage(stack, 'Lake', { curated: { eventBridgeEnabled: true } });
    new events.Rule(stack, 'OnManifest', {
      eventPattern: { source: ['aws.s3'], detailType: ['Object Created'], detail: { bucket: { name: [lake.curated.bucket.bucketName] } } },
    });
    const t = Template.fromStack(stack);
    const bucket = (b: s3.IBucket) => t.toJSON().Resources[stack.getLogicalId(b.node.defaultChild as s3.CfnBucket)].Properties;
    expect(bucket(lake.curated.bucket).NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(bucket(lake.raw.bucket).NotificationConfiguration).toBeUndefined();
    expect(stack.resolve((lake.curated.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration))
      .toEqual({ eventBridgeConfiguration: { eventBridgeEnabled: true } });
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
  });

  test('replication of a zone: configured, and its replication acknowledgement is gone; nag clean', () => {
    const stack = testStack();
    const drKey = new kms.Key(stack, 'DrKey', { enableKeyRotation: true });
    const dr = new s3.Bucket(stack, 'Dr', {
      versioned: true, encryption: s3.BucketEncryption.KMS, encryptionKey: drKey, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    const lake = new DataLakeStorage(stack, 'Lake', { curated: { replication: { destinationBucket: dr } } });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: Match.objectLike({ Rules: [Match.objectLike({ Destination: Match.objectLike({ Bucket: { 'Fn::GetAtt': [stack.getLogicalId(dr.node.defaultChild as s3.CfnBucket), 'Arn'] } }) })] }),
    });
    expect(lake.curated.secureBucket!.replicationRole).toBeDefined();
  });

  test('tokens: bucket names, prefixes and access point prefixes reach the template', () => {
    const stack = testStack();
    const consumer = new iam.Role(stack, 'C', { assumedBy: new iam.AccountRootPrincipal() });
    new DataLakeStorage(stack, 'Lake', {
      raw: { bucketName: stringParameter(stack, 'RawName') },
      accessPoints: [{ name: 'team-a', zone: DataLakeZoneName.RAW, prefix: stringParameter(stack, 'ApPrefix'), consumer }],
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'RawName', /BucketName/);
    expectParameterUsed(t, 'ApPrefix', /AccessPoint.*Policy/);
  });

  test('imported buckets and key: the access point delegation is not silently dropped (a warning names the statement); nag clean', () => {
    const stack = testStack();
    const shared = s3.Bucket.fromBucketAttributes(stack, 'Shared', {
      bucketName: 'corp-lake', encryptionKey: kms.Key.fromKeyArn(stack, 'K', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`),
    });
    const consumer = new iam.Role(stack, 'C', { assumedBy: new iam.AccountRootPrincipal() });
    CustomerManagedPolicies.apply(consumer);
    new DataLakeStorage(stack, 'Lake', {
      raw: { existingBucket: shared },
      clean: { existingBucket: shared },
      curated: { existingBucket: shared },
      accessPoints: [{ name: 'team-a', zone: DataLakeZoneName.CLEAN, consumer }],
    });
    Annotations.fromStack(stack).hasWarning('/TestStack/Shared', Match.stringLikeRegexp(
      'for access point team-a its bucket policy must allow the consumer s3:GetObject on objects under "clean/" and s3:ListBucket, with the condition s3:DataAccessPointArn'));
    expectNagClean(stack);
  });
});

describe('DataLakeStorage validation (names and derived names)', () => {
  const consumer = new iam.AccountRootPrincipal();
  const fails = (props: any, prop: string, value: string | undefined, allowed: string) =>
    expectPropError(() => new DataLakeStorage(testStack(), 'Lake', props), { path: 'TestStack/Lake', prop, value, allowed });

  test('the same bucket name for two zones, or a new zone named like another zone\'s existing bucket', () => {
    fails({ raw: { bucketName: 'lake-zone' }, curated: { bucketName: 'lake-zone' } }, 'curated.bucketName', '"lake-zone"', 'a bucket name no other zone uses (raw already has "lake-zone")');
    const stack = testStack();
    const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'corp-lake');
    expectPropError(() => new DataLakeStorage(stack, 'Lake', { raw: { existingBucket: shared }, clean: { bucketName: 'corp-lake' } }), {
      path: 'TestStack/Lake', prop: 'clean.bucketName', value: '"corp-lake"', allowed: 'raw already has "corp-lake"',
    });
    expect(() => new DataLakeStorage(testStack(), 'Lake', { raw: { bucketName: 'lake-raw' }, curated: { bucketName: 'lake-curated' } })).not.toThrow();
  });

  test('S3 bucket name rules on both sides of the limits', () => {
    fails({ raw: { bucketName: 'ab' } }, 'raw.bucketName', '"ab"', '3-63 characters');
    fails({ raw: { bucketName: 'a'.repeat(64) } }, 'raw.bucketName', undefined, '3-63 characters');
    expect(() => new DataLakeStorage(testStack(), 'Lake', { raw: { bucketName: 'a'.repeat(63) }, clean: { bucketName: 'abc' } })).not.toThrow();
    fails({ raw: { bucketName: 'xn--lake' } }, 'raw.bucketName', '"xn--lake"', 'lower-case letters');
    fails({ raw: { bucketName: 'lake-s3alias' } }, 'raw.bucketName', '"lake-s3alias"', 'lower-case letters');
    fails({ raw: { bucketName: 'lake--ol-s3' } }, 'raw.bucketName', '"lake--ol-s3"', 'lower-case letters');
    fails({ raw: { bucketName: 'sthree-lake' } }, 'raw.bucketName', '"sthree-lake"', 'lower-case letters');
  });

  test('access point names: 3-50 characters, reserved suffix, and derived statement ids that would collide', () => {
    fails({ accessPoints: [{ name: 'ab', zone: DataLakeZoneName.RAW, consumer }] }, 'accessPoints[0].name', '"ab"', '3-50 characters');
    fails({ accessPoints: [{ name: 'a'.repeat(51), zone: DataLakeZoneName.RAW, consumer }] }, 'accessPoints[0].name', undefined, '3-50 characters');
    expect(() => new DataLakeStorage(testStack(), 'Lake', { accessPoints: [{ name: 'a'.repeat(50), zone: DataLakeZoneName.RAW, consumer }] })).not.toThrow();
    fails({ accessPoints: [{ name: 'team-s3alias', zone: DataLakeZoneName.RAW, consumer }] }, 'accessPoints[0].name', '"team-s3alias"', '3-50 characters');
    fails({ accessPoints: [{ name: 'ab-1', zone: DataLakeZoneName.RAW, consumer }, { name: 'ab1', zone: DataLakeZoneName.CLEAN, consumer }] },
      'accessPoints[1].name', '"ab1"', 'statement ids (Delegate*Ab1) differ from those of "ab-1"');
  });

  test('EventBridge and replication are for new zone buckets only', () => {
    const stack = testStack();
    const shared = s3.Bucket.fromBucketName(stack, 'Shared', 'corp-lake');
    expectPropError(() => new DataLakeStorage(stack, 'A', { raw: { existingBucket: shared, eventBridgeEnabled: true } }), {
      path: 'TestStack/A', prop: 'raw.eventBridgeEnabled', allowed: 'not set together with existingBucket',
    });
    expectPropError(() => new DataLakeStorage(stack, 'B', { raw: { existingBucket: shared, replication: { destinationBucket: shared } } }), {
      path: 'TestStack/B', prop: 'raw.replication', allowed: 'not set together with existingBucket',
    });
  });
});

describe('DataLakeStorage bucket policy size (20 KB per bucket)', () => {
  const consumers = (n: number) => Array.from({ length: n }, (_, i) => ({
    name: `consumer-${i}`, zone: DataLakeZoneName.CURATED, prefix: `team-${i}/`, consumer: new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/team-${i}-analyst`),
  }));

  test('a warning above 20,480 bytes, none below', () => {
    const few = testStack();
    new DataLakeStorage(few, 'Lake', { accessPoints: consumers(20) });
    expect(Annotations.fromStack(few).findWarning('/TestStack/Lake', Match.anyValue())).toEqual([]);
    const many = testStack();
    new DataLakeStorage(many, 'Lake', { accessPoints: consumers(40) });
    Annotations.fromStack(many).hasWarning('/TestStack/Lake', Match.stringLikeRegexp('bucket policy of the curated zone takes about \\d+ bytes.*at most 20480'));
  });

  test('consumers that are roles of the app: a warning with the estimate', () => {
    const stack = testStack();
    const roles = Array.from({ length: 40 }, (_, i) => new iam.Role(stack, `Team${i}`, { assumedBy: new iam.AccountRootPrincipal() }));
    new DataLakeStorage(stack, 'Lake', { accessPoints: roles.map((consumer, i) => ({ name: `consumer-${i}`, zone: DataLakeZoneName.CURATED, prefix: `team-${i}/`, consumer })) });
    Annotations.fromStack(stack).hasWarning('/TestStack/Lake', Match.stringLikeRegexp('bucket policy of the curated zone takes about \\d+ bytes'));
  });
});
