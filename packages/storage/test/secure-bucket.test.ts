import { CustomerManagedPolicies } from '@analytics-patterns/core';
import {
  AccessModel, acknowledgementLines, expectNagClean, expectParameterUsed, expectPropError, logicalId, numberParameter,
  OTHER_ACCOUNT, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogBucket, ArchiveStorageClass, SecureBucket } from '../src';

const ACCOUNT = '123456789012';
const VIA_S3 = 'kms:ViaService';

describe('SecureBucket defaults', () => {
  const stack = testStack();
  const sb = new SecureBucket(stack, 'Data');
  const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
  sb.grantRead(reader);
  sb.grantWrite(writer);
  const t = Template.fromStack(stack);
  const dataId = logicalId(stack, sb.bucket);
  const logId = logicalId(stack, sb.accessLogBucket!.bucket);
  const keyId = stack.getLogicalId(sb.encryptionKey.node.defaultChild as kms.CfnKey);
  const object = sb.bucket.arnForObjects('raw/2026/01/01/events.json');
  const viaS3 = { [VIA_S3]: 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': sb.bucket.bucketArn };

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

  test('bucket policy, whole: TLS only, TLS 1.2+, and writes that ask for another encryption are denied', () => {
    const bucketArn = { 'Fn::GetAtt': [dataId, 'Arn'] };
    const objects = { 'Fn::Join': ['', [bucketArn, '/*']] };
    const deny = (Sid: string, Condition: any) => ({ Sid, Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: objects, Condition });
    const policy = Object.values(t.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === dataId)!;
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [bucketArn, objects], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [bucketArn, objects], Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
      deny('DenyOtherEncryption', { Null: { 's3:x-amz-server-side-encryption': 'false' }, StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }),
      deny('DenyOtherKmsKey', {
        Null: { 's3:x-amz-server-side-encryption-aws-kms-key-id': 'false' },
        StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': { 'Fn::GetAtt': [keyId, 'Arn'] } },
      }),
      deny('DenyAwsManagedKey', { Null: { 's3:x-amz-server-side-encryption': 'false', 's3:x-amz-server-side-encryption-aws-kms-key-id': 'true' } }),
      deny('DenyCustomerProvidedKeys', { Null: { 's3:x-amz-server-side-encryption-customer-algorithm': 'false' } }),
    ]);
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

  test('stateful resources are retained, and keep their logical ids', () => {
    for (const id of [dataId, logId, keyId]) {
      expect(t.toJSON().Resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    expect([dataId, logId, keyId]).toEqual(['DataBucketE6B0FAA8', 'DataAccessLogsBucketC05AE13D', 'DataKeyCDB94A42']);
  });

  test('run time: a role granted read gets objects and decrypts through S3; strangers, other accounts, unsigned and plain HTTP are refused', async () => {
    const access = AccessModel.of(stack);
    const key = sb.encryptionKey.keyArn;
    await access.expectAllowed(
      { principal: reader.roleArn, action: 's3:GetObject', resource: object },
      { principal: reader.roleArn, action: 's3:ListBucket', resource: sb.bucket.bucketArn },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key, context: viaS3 },
    );
    await access.expectDenied(
      { principal: reader.roleArn, action: 's3:PutObject', resource: object },
      { principal: reader.roleArn, action: 's3:DeleteObject', resource: object },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
      { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: key, context: viaS3 },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: key, context: viaS3 },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
    );
    await access.expectExplicitlyDenied(
      { principal: reader.roleArn, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } },
      { principal: reader.roleArn, action: 's3:GetObject', resource: object, context: { 's3:TlsVersion': '1.1' } },
    );
  });

  test('run time: writes with the bucket default or this key are allowed; SSE-S3, another key, aws/s3, DSSE and SSE-C are explicitly denied', async () => {
    const access = AccessModel.of(stack);
    const put = (context: Record<string, string>) => ({ principal: writer.roleArn, action: 's3:PutObject', resource: object, context });
    const otherKey = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/00000000-1111-2222-3333-444444444444`;
    await access.expectAllowed(
      put({}),
      put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': sb.encryptionKey.keyArn }),
      { principal: writer.roleArn, action: 'kms:GenerateDataKey', resource: sb.encryptionKey.keyArn, context: viaS3 },
    );
    await access.expectExplicitlyDenied(
      put({ 's3:x-amz-server-side-encryption': 'AES256' }),
      put({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': otherKey }),
      put({ 's3:x-amz-server-side-encryption-aws-kms-key-id': otherKey }),
      put({ 's3:x-amz-server-side-encryption': 'aws:kms' }),
      put({ 's3:x-amz-server-side-encryption': 'aws:kms:dsse', 's3:x-amz-server-side-encryption-aws-kms-key-id': sb.encryptionKey.keyArn }),
      put({ 's3:x-amz-server-side-encryption-customer-algorithm': 'AES256' }),
      put({ 'aws:SecureTransport': 'false' }),
    );
  });

  test('run time: only S3 server access logging of this bucket and account writes to the log bucket', async () => {
    const access = AccessModel.of(stack);
    const logObject = sb.serverAccessLogsBucket.arnForObjects('TestStack/Data/2026-01-01-00-00-00-ABCDEF');
    const fromData = { 'aws:SourceArn': sb.bucket.bucketArn, 'aws:SourceAccount': ACCOUNT };
    await access.expectAllowed({ principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logObject, context: fromData });
    await access.expectDenied(
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logObject, context: { ...fromData, 'aws:SourceArn': 'arn:aws:s3:::someone-elses-bucket' } },
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logObject, context: { ...fromData, 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: sb.serverAccessLogsBucket.arnForObjects('elsewhere/x'), context: fromData },
      { principal: Principals.strangerInAccount(), action: 's3:PutObject', resource: logObject },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: logObject },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: logObject },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: logObject },
    );
    await access.expectExplicitlyDenied(
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logObject, context: { ...fromData, 'aws:SecureTransport': 'false' } },
    );
  });

  test('cdk-nag clean in all four packs; every acknowledgement listed with its reason', () => {
    const s = testStack();
    new SecureBucket(s, 'Data');
    const report = expectNagClean(s);
    expect(report.findings).toEqual([]);
    const lines = acknowledgementLines(report).map((l) => l.replace(/: \[.*?\] .*$/, ''));
    // (S1 and S3BucketLoggingEnabled do not fire on a bucket that receives another bucket's logs)
    expect(lines).toEqual([
      'HIPAA.Security-S3BucketReplicationEnabled at TestStack/Data/AccessLogs/Bucket/Resource',
      'HIPAA.Security-S3BucketReplicationEnabled at TestStack/Data/Bucket/Resource',
      'HIPAA.Security-S3DefaultEncryptionKMS at TestStack/Data/AccessLogs/Bucket/Resource',
      'NIST.800.53.R5-S3BucketReplicationEnabled at TestStack/Data/AccessLogs/Bucket/Resource',
      'NIST.800.53.R5-S3BucketReplicationEnabled at TestStack/Data/Bucket/Resource',
      'NIST.800.53.R5-S3DefaultEncryptionKMS at TestStack/Data/AccessLogs/Bucket/Resource',
      'PCI.DSS.321-S3BucketReplicationEnabled at TestStack/Data/AccessLogs/Bucket/Resource',
      'PCI.DSS.321-S3BucketReplicationEnabled at TestStack/Data/Bucket/Resource',
      'PCI.DSS.321-S3DefaultEncryptionKMS at TestStack/Data/AccessLogs/Bucket/Resource',
    ]);
    const dataReplication = report.acknowledged.find((a) => a.rule === 'NIST.800.53.R5-S3BucketReplicationEnabled' && a.path === 'TestStack/Data/Bucket/Resource')!;
    expect(dataReplication.reason).toMatch(/^\[SecureBucket at TestStack\/Data\] Replication of this bucket is off: set the `replication` prop/);
    const kmsOnLogs = report.acknowledged.find((a) => a.rule === 'PCI.DSS.321-S3DefaultEncryptionKMS')!;
    expect(kmsOnLogs.reason).toContain('https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html');
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
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [Match.objectLike({
          ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } },
        })],
      },
    });
  });

  test('imported key and imported log bucket: a warning says what the log bucket\'s policy must allow; nag clean in four packs', async () => {
    const imported = () => {
      const stack = testStack();
      const key = kms.Key.fromKeyArn(stack, 'Imported', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
      const logs = s3.Bucket.fromBucketName(stack, 'MyLogs', 'central-access-logs');
      return { stack, sb: new SecureBucket(stack, 'Data', { encryptionKey: key, serverAccessLogsBucket: logs, serverAccessLogsPrefix: 'lake/' }) };
    };
    const { stack, sb } = imported();
    const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    sb.grantWrite(writer);
    Annotations.fromStack(stack).hasWarning('/TestStack/Data', Match.stringLikeRegexp(
      'TestStack/MyLogs is imported.*must allow logging.s3.amazonaws.com s3:PutObject on objects under "lake/" with the conditions aws:SourceAccount 123456789012'));
    await AccessModel.of(stack).expectExplicitlyDenied({
      principal: writer.roleArn, action: 's3:PutObject', resource: sb.bucket.arnForObjects('x'), context: { 's3:x-amz-server-side-encryption': 'AES256' },
    });
    // the construct's own resources (the writer above is the user's role, with aws-cdk-lib's grantWrite wildcards)
    expectNagClean(imported().stack);
  });

  test('EventBridge notifications use the native property, not a custom resource', () => {
    const stack = testStack();
    const sb = new SecureBucket(stack, 'Data', { eventBridgeEnabled: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } } });
    t.resourceCountIs('AWS::Lambda::Function', 0);
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
    // readable from the L1 (no private override fields), so consumers such as StagingUpsert can check it
    expect(stack.resolve((sb.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration))
      .toEqual({ eventBridgeConfiguration: { eventBridgeEnabled: true } });
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

  test('tokens: bucket name, log prefix and every lifecycle duration and prefix reach the template', () => {
    const stack = testStack();
    const days = (name: string) => Duration.days(numberParameter(stack, name));
    new SecureBucket(stack, 'Data', {
      bucketName: stringParameter(stack, 'Name'),
      serverAccessLogsPrefix: stringParameter(stack, 'LogPrefix'),
      lifecycle: {
        infrequentAccessAfter: days('Ia'),
        archiveAfter: days('Archive'),
        expireAfter: days('Expire'),
        noncurrentVersionExpiration: days('Noncurrent'),
        abortIncompleteMultipartUploadAfter: days('Abort'),
        prefix: stringParameter(stack, 'Prefix'),
      },
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Name', /BucketName/);
    expectParameterUsed(t, 'LogPrefix', /LogFilePrefix/);
    expectParameterUsed(t, 'Ia', /Transitions\[0\]\.TransitionInDays/);
    expectParameterUsed(t, 'Archive', /Transitions\[1\]\.TransitionInDays/);
    expectParameterUsed(t, 'Expire', /ExpirationInDays/);
    expectParameterUsed(t, 'Noncurrent', /NoncurrentDays/);
    expectParameterUsed(t, 'Abort', /DaysAfterInitiation/);
    expectParameterUsed(t, 'Prefix', /Rules\[0\]\.Prefix/);
  });
});

describe('SecureBucket replication', () => {
  const stack = testStack();
  const copy = new SecureBucket(stack, 'Copy');
  const sb = new SecureBucket(stack, 'Data', { bucketName: 'analytics-data-eu', replication: { destinationBucket: copy.bucket, replicationTimeControl: true } });
  const role = sb.replicationRole!;
  const t = Template.fromStack(stack);

  test('replication configuration: every object, SSE-KMS objects re-encrypted with the destination key, with Replication Time Control', () => {
    expect(t.toJSON().Resources[logicalId(stack, sb.bucket)].Properties.ReplicationConfiguration).toEqual({
      Role: { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] },
      Rules: [{
        Id: 'replicate-every-object',
        Status: 'Enabled',
        Filter: { Prefix: '' },
        DeleteMarkerReplication: { Status: 'Disabled' },
        SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
        Destination: {
          Bucket: { 'Fn::GetAtt': [logicalId(stack, copy.bucket), 'Arn'] },
          EncryptionConfiguration: { ReplicaKmsKeyID: { 'Fn::GetAtt': [stack.getLogicalId(copy.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] } },
          ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
          Metrics: { Status: 'Enabled', EventThreshold: { Minutes: 15 } },
        },
      }],
    });
  });

  test('run time: S3 of this account assumes the role for this bucket; another account or bucket is refused', async () => {
    const access = AccessModel.of(stack);
    const from = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': 'arn:aws:s3:::analytics-data-eu' };
    await access.expectAllowed({ principal: 's3.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: from });
    await access.expectDenied(
      { principal: 's3.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: { ...from, 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: 's3.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: { ...from, 'aws:SourceArn': 'arn:aws:s3:::someone-elses' } },
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: from },
    );
  });

  test('run time: the role reads source versions, replicates into the destination, and uses each key only through S3 for its bucket', async () => {
    const access = AccessModel.of(stack);
    const via = (bucket: s3.IBucket) => ({ [VIA_S3]: 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn });
    await access.expectAllowed(
      { principal: role.roleArn, action: 's3:GetReplicationConfiguration', resource: sb.bucket.bucketArn },
      { principal: role.roleArn, action: 's3:GetObjectVersionForReplication', resource: sb.bucket.arnForObjects('a/b.json') },
      { principal: role.roleArn, action: 's3:ReplicateObject', resource: copy.bucket.arnForObjects('a/b.json') },
      { principal: role.roleArn, action: 'kms:Decrypt', resource: sb.encryptionKey.keyArn, context: via(sb.bucket) },
      { principal: role.roleArn, action: 'kms:Encrypt', resource: copy.encryptionKey.keyArn, context: via(copy.bucket) },
      { principal: role.roleArn, action: 'kms:GenerateDataKey', resource: copy.encryptionKey.keyArn, context: via(copy.bucket) },
    );
    await access.expectDenied(
      { principal: role.roleArn, action: 's3:GetObject', resource: sb.bucket.arnForObjects('a/b.json') },
      { principal: role.roleArn, action: 's3:ReplicateObject', resource: sb.bucket.arnForObjects('a/b.json') },
      { principal: role.roleArn, action: 'kms:Decrypt', resource: sb.encryptionKey.keyArn },
      { principal: role.roleArn, action: 'kms:Decrypt', resource: sb.encryptionKey.keyArn, context: via(copy.bucket) },
      { principal: role.roleArn, action: 'kms:Decrypt', resource: copy.encryptionKey.keyArn, context: via(copy.bucket) },
    );
  });

  test('cdk-nag clean in four packs: the replicated bucket needs no replication acknowledgement; the role\'s wildcards are acknowledged', () => {
    const s = testStack();
    const c = new SecureBucket(s, 'Copy');
    new SecureBucket(s, 'Data', { replication: { destinationBucket: c.bucket } });
    const report = expectNagClean(s);
    const on = (path: string) => report.acknowledged.filter((a) => a.path.startsWith(path)).map((a) => a.rule);
    expect(on('TestStack/Data/Bucket/')).toEqual([]);
    expect(on('TestStack/Copy/Bucket/')).toContain('NIST.800.53.R5-S3BucketReplicationEnabled');
    expect(on('TestStack/Data/ReplicationRole/').sort()).toEqual([
      'AwsSolutions-IAM5[Resource::<CopyBucketA4BC6C4A.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<DataBucketE6B0FAA8.Arn>/*]',
      'HIPAA.Security-IAMNoInlinePolicy',
      'NIST.800.53.R5-IAMNoInlinePolicy',
      'PCI.DSS.321-IAMNoInlinePolicy',
    ]);
  });

  test('customer-managed policies on: the replication role gets a managed policy, still allowed', async () => {
    const s = testStack({ context: { [CustomerManagedPolicies.CONTEXT_KEY]: true } });
    const c = new SecureBucket(s, 'Copy');
    const b = new SecureBucket(s, 'Data', { replication: { destinationBucket: c.bucket } });
    Template.fromStack(s).resourceCountIs('AWS::IAM::Policy', 0);
    await AccessModel.of(s).expectAllowed({ principal: b.replicationRole!.roleArn, action: 's3:ReplicateObject', resource: c.bucket.arnForObjects('x') });
    expectNagClean(s);
  });

  test('cross-Region to an imported bucket and key: the destination key is used through S3 of the destination Region; nag clean', () => {
    const s = testStack();
    const destination = s3.Bucket.fromBucketAttributes(s, 'Dr', { bucketName: 'analytics-dr-us', region: 'us-east-1' });
    const drKey = kms.Key.fromKeyArn(s, 'DrKey', `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    const b = new SecureBucket(s, 'Data', { replication: { destinationBucket: destination, destinationKey: drKey, storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL } });
    const rule = Object.values(Template.fromStack(s).findResources('AWS::S3::Bucket')).find((r) => r.Properties.ReplicationConfiguration)!.Properties.ReplicationConfiguration.Rules[0];
    expect(rule.Destination).toEqual({
      Bucket: 'arn:aws:s3:::analytics-dr-us', StorageClass: 'GLACIER_IR', EncryptionConfiguration: { ReplicaKmsKeyID: drKey.keyArn },
    });
    // the imported key's policy is not in the template (AccessModel would refuse any use of it): assert the grant whole
    const statements = Object.values(Template.fromStack(s).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement;
    expect(statements.find((st: any) => st.Sid === 'EncryptCopies')).toEqual({
      Sid: 'EncryptCopies',
      Effect: 'Allow',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
      Resource: drKey.keyArn,
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::analytics-dr-us', 'arn:aws:s3:::analytics-dr-us/*'] },
      },
    });
    expect(b.replicationRole).toBeDefined();
    expectNagClean(s);
  });

  test('validation: a destination key is needed, in the destination Region', () => {
    const s = testStack();
    const destination = s3.Bucket.fromBucketAttributes(s, 'Dr', { bucketName: 'analytics-dr-us', region: 'us-east-1' });
    expectPropError(() => new SecureBucket(s, 'A', { replication: { destinationBucket: destination } }), {
      path: 'TestStack/A', prop: 'replication.destinationKey', allowed: 'a KMS key in the destination bucket\'s Region',
    });
    const euKey = kms.Key.fromKeyArn(s, 'EuKey', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
    expectPropError(() => new SecureBucket(s, 'B', { replication: { destinationBucket: destination, destinationKey: euKey } }), {
      path: 'TestStack/B', prop: 'replication.destinationKey', value: '"a key in eu-west-1"', allowed: 'Region us-east-1 (KMS keys are regional)',
    });
  });
});

describe('SecureBucket validation (both sides of every limit)', () => {
  const fails = (props: any, prop: string, value: string, allowed: string) =>
    expectPropError(() => new SecureBucket(testStack(), 'Data', props), { path: 'TestStack/Data', prop, value, allowed });
  const ok = (props: any) => expect(() => new SecureBucket(testStack(), 'Data', props)).not.toThrow();

  test('Standard-IA needs at least 30 days', () => {
    fails({ lifecycle: { infrequentAccessAfter: Duration.days(10) } }, 'lifecycle.infrequentAccessAfter', '10 days', '30-36500 days');
    fails({ lifecycle: { infrequentAccessAfter: Duration.days(29) } }, 'lifecycle.infrequentAccessAfter', '29 days', '30-36500 days');
    ok({ lifecycle: { infrequentAccessAfter: Duration.days(30), archiveAfter: Duration.days(60) } });
    fails({ lifecycle: { infrequentAccessAfter: Duration.days(36501) } }, 'lifecycle.infrequentAccessAfter', '36501 days', '0-36500 days');
    fails({ lifecycle: { infrequentAccessAfter: Duration.hours(36) } }, 'lifecycle.infrequentAccessAfter', '1.5 days', 'a whole number from 0 to 36500 days');
  });

  test('archive needs 30 days in Standard-IA first', () => {
    fails({ lifecycle: { infrequentAccessAfter: Duration.days(60), archiveAfter: Duration.days(80) } }, 'lifecycle.archiveAfter', '80 days', 'at least 90 days');
    fails({ lifecycle: { infrequentAccessAfter: Duration.days(60), archiveAfter: Duration.days(89) } }, 'lifecycle.archiveAfter', '89 days', 'at least 90 days');
    ok({ lifecycle: { infrequentAccessAfter: Duration.days(60), archiveAfter: Duration.days(90) } });
  });

  test('expiry must come after the last transition', () => {
    fails({ lifecycle: { expireAfter: Duration.days(200) } }, 'lifecycle.expireAfter', '200 days', 'more than 365 days');
    fails({ lifecycle: { expireAfter: Duration.days(365) } }, 'lifecycle.expireAfter', '365 days', 'more than 365 days');
    ok({ lifecycle: { expireAfter: Duration.days(366) } });
  });

  test('a log bucket encrypted with SSE-KMS is refused (S3 would not deliver logs to it)', () => {
    const stack = testStack();
    const kmsLogs = new SecureBucket(stack, 'Other').bucket;
    expectPropError(() => new SecureBucket(stack, 'Data', { serverAccessLogsBucket: kmsLogs }), {
      path: 'TestStack/Data', prop: 'serverAccessLogsBucket', value: '"TestStack/Other/Bucket"', allowed: 'a bucket encrypted with SSE-S3',
    });
  });

  test('noncurrent expiry, multipart abort and prefix', () => {
    fails({ lifecycle: { noncurrentVersionExpiration: Duration.days(0) } }, 'lifecycle.noncurrentVersionExpiration', '0 days', '1-36500 days');
    ok({ lifecycle: { noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) } });
    fails({ lifecycle: { abortIncompleteMultipartUploadAfter: Duration.days(0) } }, 'lifecycle.abortIncompleteMultipartUploadAfter', '0 days', '1-36500 days');
    fails({ lifecycle: { prefix: '/raw' } }, 'lifecycle.prefix', '"/raw"', 'without a leading "/"');
    ok({ lifecycle: { prefix: 'é'.repeat(512) } });
    fails({ lifecycle: { prefix: `${'é'.repeat(512)}x` } }, 'lifecycle.prefix (UTF-8 bytes)', '1025 bytes', '0-1024 bytes');
  });

  test('bucket name: S3\'s naming rules', () => {
    ok({ bucketName: 'abc' });
    ok({ bucketName: 'a'.repeat(63) });
    fails({ bucketName: 'ab' }, 'bucketName', '"ab"', '3-63 characters');
    fails({ bucketName: 'a'.repeat(64) }, 'bucketName', 'aaaa', '3-63 characters');
    fails({ bucketName: 'Data_Lake' }, 'bucketName', '"Data_Lake"', 'lower-case letters');
    fails({ bucketName: 'data..lake' }, 'bucketName', '"data..lake"', 'no ".."');
    fails({ bucketName: '192.168.5.4' }, 'bucketName', '"192.168.5.4"', 'not an IP address');
    fails({ bucketName: 'xn--lake' }, 'bucketName', '"xn--lake"', 'lower-case letters');
    fails({ bucketName: 'lake-s3alias' }, 'bucketName', '"lake-s3alias"', 'lower-case letters');
    fails({ bucketName: 'lake--ol-s3' }, 'bucketName', '"lake--ol-s3"', 'lower-case letters');
  });
});

describe('AccessLogBucket', () => {
  test('alone: acknowledges S1 and the compliance rules AWS makes inapplicable, each with its reason', () => {
    const s = testStack();
    new AccessLogBucket(s, 'Logs');
    const report = expectNagClean(s);
    expect(report.acknowledged.map((a) => a.rule).sort()).toEqual([
      'AwsSolutions-S1',
      'HIPAA.Security-S3BucketLoggingEnabled', 'HIPAA.Security-S3BucketReplicationEnabled', 'HIPAA.Security-S3DefaultEncryptionKMS',
      'NIST.800.53.R5-S3BucketLoggingEnabled', 'NIST.800.53.R5-S3BucketReplicationEnabled', 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'PCI.DSS.321-S3BucketLoggingEnabled', 'PCI.DSS.321-S3BucketReplicationEnabled', 'PCI.DSS.321-S3DefaultEncryptionKMS',
    ]);
    expect(report.acknowledged.find((a) => a.rule === 'AwsSolutions-S1')).toEqual(expect.objectContaining({
      path: 'TestStack/Logs/Bucket/Resource', reason: expect.stringContaining('dedicated destination of S3 server access logs'),
    }));
    expect(report.acknowledged.find((a) => a.rule === 'HIPAA.Security-S3BucketReplicationEnabled')!.reason).toContain('set the `replication` prop of AccessLogBucket');
  });

  test('logical id pinned; retention 1-36500 whole days, token accepted', () => {
    const s = testStack();
    const logs = new AccessLogBucket(s, 'Logs', { retention: Duration.days(numberParameter(s, 'Retention')) });
    expect(s.getLogicalId(logs.bucket.node.defaultChild as s3.CfnBucket)).toBe('LogsBucket5C52C3D2');
    expectParameterUsed(Template.fromStack(s), 'Retention', /ExpirationInDays/);
    expect(() => new AccessLogBucket(testStack(), 'Logs', { retention: Duration.days(1) })).not.toThrow();
    expectPropError(() => new AccessLogBucket(testStack(), 'Logs', { retention: Duration.days(0) }), {
      path: 'TestStack/Logs', prop: 'retention', value: '0 days', allowed: '1-36500 days',
    });
    expectPropError(() => new AccessLogBucket(testStack(), 'Logs', { retention: Duration.days(36501) }), {
      path: 'TestStack/Logs', prop: 'retention', value: '36501 days', allowed: '1-36500 days',
    });
  });

  test('shared by two buckets: each bucket\'s logging may write only under its own prefix', async () => {
    const s = testStack();
    const logs = new AccessLogBucket(s, 'Logs');
    const a = new SecureBucket(s, 'A', { serverAccessLogsBucket: logs.bucket });
    const b = new SecureBucket(s, 'B', { serverAccessLogsBucket: logs.bucket });
    const access = AccessModel.of(s);
    const from = (x: SecureBucket) => ({ 'aws:SourceArn': x.bucket.bucketArn, 'aws:SourceAccount': ACCOUNT });
    await access.expectAllowed(
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.bucket.arnForObjects('TestStack/A/log1'), context: from(a) },
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.bucket.arnForObjects('TestStack/B/log1'), context: from(b) },
    );
    await access.expectDenied(
      { principal: 'logging.s3.amazonaws.com', action: 's3:PutObject', resource: logs.bucket.arnForObjects('TestStack/B/log1'), context: from(a) },
    );
  });

  test('replication of the logs (SSE-S3 objects: no key statements); nag clean with no replication acknowledgement', async () => {
    const s = testStack();
    const copy = new AccessLogBucket(s, 'Copy');
    const logs = new AccessLogBucket(s, 'Logs', { replication: { destinationBucket: copy.bucket } });
    const logsId = s.getLogicalId(logs.bucket.node.defaultChild as s3.CfnBucket);
    const rule = Template.fromStack(s).toJSON().Resources[logsId].Properties.ReplicationConfiguration.Rules[0];
    expect(rule.Destination).toEqual({ Bucket: { 'Fn::GetAtt': [s.getLogicalId(copy.bucket.node.defaultChild as s3.CfnBucket), 'Arn'] } });
    expect(rule.SourceSelectionCriteria).toBeUndefined();
    await AccessModel.of(s).expectAllowed({ principal: logs.replicationRole!.roleArn, action: 's3:ReplicateObject', resource: copy.bucket.arnForObjects('x') });
    const report = expectNagClean(s);
    expect(report.acknowledged.filter((a) => a.path.startsWith('TestStack/Logs/Bucket/')).map((a) => a.rule)).not.toContain('NIST.800.53.R5-S3BucketReplicationEnabled');
  });
});
