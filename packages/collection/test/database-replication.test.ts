import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, logicalId, numberParameter, OTHER_ACCOUNT, Principals,
  stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseReplication, DatabaseReplicationProps, ReplicationType, SourceEngine } from '../src';

const ACCOUNT = '123456789012';
const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:orders-db-AbCdEf`;

function vpcOf(stack: Stack, maxAzs = 2) {
  return new ec2.Vpc(stack, 'Vpc', {
    maxAzs,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
}

/** An imported VPC with isolated subnets in two zones. */
function importedVpc(stack: Stack) {
  return ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    isolatedSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  });
}

/** A replication into a SecureBucket (created in the stack) or the bucket `bucket` returns; `maxAzs` 0 imports the VPC. */
function build(props: Partial<DatabaseReplicationProps> = {}, bucket?: (stack: Stack) => s3.IBucket, maxAzs = 2) {
  const stack = testStack();
  const vpc = maxAzs === 0 ? importedVpc(stack) : vpcOf(stack, maxAzs);
  const lake = bucket ? undefined : new SecureBucket(stack, 'Raw');
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Creds', SECRET_ARN);
  const replication = new DatabaseReplication(stack, 'Orders', {
    vpc,
    engine: SourceEngine.POSTGRES,
    databaseName: 'shop',
    sourceSecret: secret,
    tables: [{ schema: 'public', table: 'orders' }, { schema: 'billing' }],
    targetBucket: bucket ? bucket(stack) : lake!.bucket,
    ...props,
  });
  return { stack, lake, replication };
}

describe('DatabaseReplication into a SecureBucket', () => {
  const { stack, lake, replication } = build();
  const template = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const bucket = lake!.bucket;

  test('serverless full load + CDC, multi-AZ, CMK, selection rules', () => {
    const r = Object.values(template.findResources('AWS::DMS::ReplicationConfig'))[0].Properties;
    expect(r.ReplicationType).toBe('full-load-and-cdc');
    expect(r.ComputeConfig).toMatchObject({ MaxCapacityUnits: 16, MinCapacityUnits: 2, MultiAZ: true });
    expect(r.ComputeConfig.KmsKeyId).toEqual({ 'Fn::GetAtt': [logicalId(stack, lake!.encryptionKey), 'Arn'] });
    expect(r.ReplicationConfigIdentifier).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(r.TableMappings.rules.map((x: any) => x['object-locator'])).toEqual([
      { 'schema-name': 'public', 'table-name': 'orders' }, { 'schema-name': 'billing', 'table-name': '%' },
    ]);
  });

  test('source over TLS with Secrets Manager credentials; target: date-partitioned Parquet, SSE-KMS with the bucket key', () => {
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'source',
      EngineName: 'postgres',
      SslMode: 'require',
      DatabaseName: 'shop',
      PostgreSqlSettings: { SecretsManagerSecretId: SECRET_ARN, SecretsManagerAccessRoleArn: { 'Fn::GetAtt': [logicalId(stack, replication.secretRole), 'Arn'] } },
    });
    const target = Object.values(template.findResources('AWS::DMS::Endpoint')).find((e) => e.Properties.EngineName === 's3')!.Properties.S3Settings;
    expect(target).toMatchObject({
      BucketFolder: 'dms',
      DataFormat: 'parquet',
      EncryptionMode: 'SSE_KMS',
      DatePartitionEnabled: true,
      DatePartitionDelimiter: 'SLASH',
      ServerSideEncryptionKmsKeyId: { 'Fn::GetAtt': [logicalId(stack, lake!.encryptionKey), 'Arn'] },
    });
  });

  test('roles: trusted by DMS (global and regional principals) of this account only (statements whole)', () => {
    for (const role of [replication.targetRole, replication.secretRole]) {
      const trust = template.toJSON().Resources[logicalId(stack, role)].Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual(['dms.amazonaws.com', 'dms.eu-west-1.amazonaws.com'].map((service) => ({
        Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
      })));
    }
  });

  test('run time: DMS assumes both roles for this account only', async () => {
    for (const role of [replication.targetRole.roleArn, replication.secretRole.roleArn]) {
      await access.expectAllowed(
        { principal: 'dms.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT } },
        { principal: 'dms.eu-west-1.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT } },
      );
      await access.expectDenied(
        { principal: 'dms.eu-west-1.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
        { principal: 'dms.amazonaws.com', action: 'sts:AssumeRole', resource: role },
        { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': ACCOUNT } },
      );
    }
  });

  test('run time: the target role writes under its prefix with the bucket key through S3; nowhere else', async () => {
    const role = replication.targetRole.roleArn;
    const object = bucket.arnForObjects('dms/public/orders/2026/01/01/LOAD00000001.parquet');
    const sse = { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': lake!.encryptionKey.keyArn };
    const viaS3 = (arn: string) => ({ 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': arn });
    await access.expectAllowed(
      { principal: role, action: 's3:PutObject', resource: object, context: sse },
      { principal: role, action: 's3:DeleteObject', resource: object },
      { principal: role, action: 's3:ListBucket', resource: bucket.bucketArn },
      { principal: role, action: 'kms:GenerateDataKey', resource: lake!.encryptionKey.keyArn, context: viaS3(bucket.bucketArn) },
      { principal: role, action: 'kms:GenerateDataKey', resource: lake!.encryptionKey.keyArn, context: viaS3(object) },
      { principal: role, action: 'kms:Decrypt', resource: lake!.encryptionKey.keyArn, context: viaS3(object) },
    );
    await access.expectDenied(
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('curated/x.parquet'), context: sse },
      { principal: role, action: 's3:GetObject', resource: object },
      { principal: role, action: 'kms:GenerateDataKey', resource: lake!.encryptionKey.keyArn, context: viaS3(bucket.arnForObjects('curated/x.parquet')) },
      { principal: role, action: 'kms:GenerateDataKey', resource: lake!.encryptionKey.keyArn },
      { principal: role, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
    );
    await access.expectExplicitlyDenied(
      { principal: role, action: 's3:PutObject', resource: object, context: { ...sse, 'aws:SecureTransport': 'false' } },
    );
  });

  test('run time: the secret role reads the source secret only; strangers, another account and unsigned callers are refused', async () => {
    const role = replication.secretRole.roleArn;
    const object = bucket.arnForObjects('dms/public/orders/x.parquet');
    await access.expectAllowed(
      { principal: role, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
      { principal: role, action: 'secretsmanager:DescribeSecret', resource: SECRET_ARN },
    );
    await access.expectDenied(
      { principal: role, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:other-AbCdEf` },
      { principal: role, action: 's3:PutObject', resource: object },
      { principal: Principals.strangerInAccount(), action: 's3:PutObject', resource: object },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 's3:PutObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: lake!.encryptionKey.keyArn },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
    );
  });

  test('logical ids of the replication, endpoints and subnet group are pinned (the replication keeps the CDC position)', () => {
    expect([replication.replication, replication.sourceEndpoint, replication.targetEndpoint].map((r) => stack.getLogicalId(r)))
      .toEqual(['OrdersReplication2D20BC23', 'OrdersSource66022573', 'OrdersTargetC5851A20']);
  });
});

test('DatabaseReplication: security group has no inbound; outbound only to the database port and HTTPS', () => {
  const { stack } = build({ sourcePeer: ec2.Peer.ipv4('192.168.10.0/24') });
  const sg = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroup')).find((g) => g.Properties.GroupDescription.startsWith('DMS'))!.Properties;
  expect(sg.SecurityGroupIngress).toBeUndefined();
  expect(sg.SecurityGroupEgress).toEqual([
    expect.objectContaining({ CidrIp: '192.168.10.0/24', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
    expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
  ]);
});

test('DatabaseReplication: write only under the prefix; read only the source secret; MySQL-compatible engines use MySqlSettings and 3306', () => {
  const { stack } = build({ targetPrefix: 'raw/shop', replicationType: ReplicationType.CDC, engine: SourceEngine.AURORA_MYSQL });
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  const write = statements.find((s: any) => s.Sid === 'WriteTarget');
  expect(JSON.stringify(write.Resource)).toContain('/raw/shop/*');
  const secretRead = statements.find((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
  expect(secretRead.Resource).toBe(SECRET_ARN);
  template.hasResourceProperties('AWS::DMS::Endpoint', { EngineName: 'aurora', MySqlSettings: { SecretsManagerSecretId: SECRET_ARN } });
  template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupEgress: [{ FromPort: 3306, ToPort: 3306 }, { FromPort: 443 }] });
});

test('DatabaseReplication: a source secret with a customer-managed key is decrypted through Secrets Manager only', async () => {
  const stack = testStack();
  const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
  const sourceSecret = secretsmanager.Secret.fromSecretAttributes(stack, 'KeyedSecret', { secretCompleteArn: SECRET_ARN, encryptionKey: key });
  const replication = new DatabaseReplication(stack, 'Orders', {
    vpc: importedVpc(stack),
    engine: SourceEngine.POSTGRES,
    databaseName: 'shop',
    sourceSecret,
    tables: [{ schema: 'public' }],
    targetBucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake'),
  });
  const access = AccessModel.of(stack);
  const role = replication.secretRole.roleArn;
  await access.expectAllowed(
    { principal: role, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
    { principal: role, action: 'kms:Decrypt', resource: key.keyArn, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
  );
  await access.expectDenied(
    { principal: role, action: 'kms:Decrypt', resource: key.keyArn },
    { principal: role, action: 'kms:Decrypt', resource: key.keyArn, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
  );
});

test('DatabaseReplication: an imported source secret with an imported key gets kms:Decrypt through Secrets Manager (statement whole)', () => {
  const stack = testStack();
  const keyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/99999999-2222-3333-4444-555555555555`;
  const sourceSecret = secretsmanager.Secret.fromSecretAttributes(stack, 'KeyedSecret', { secretCompleteArn: SECRET_ARN, encryptionKey: kms.Key.fromKeyArn(stack, 'K', keyArn) });
  new DatabaseReplication(stack, 'Orders', {
    vpc: importedVpc(stack),
    engine: SourceEngine.POSTGRES,
    databaseName: 'shop',
    sourceSecret,
    tables: [{ schema: 'public' }],
    targetBucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake'),
  });
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements.filter((st: any) => [st.Action].flat().includes('kms:Decrypt') && st.Resource === keyArn)).toEqual([{
    Sid: 'DecryptSourceSecret',
    Effect: 'Allow',
    Action: 'kms:Decrypt',
    Resource: keyArn,
    Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
  }]);
});

test('DatabaseReplication: tokens for capacity units, port, names, prefix and table selections reach the template', () => {
  const params: Record<string, any> = {};
  const { stack } = build({}, undefined);
  // a second replication in the same stack, driven by parameters
  const vpc = stack.node.findChild('Vpc') as ec2.Vpc;
  for (const n of ['MaxDcu', 'MinDcu', 'Port']) params[n] = numberParameter(stack, n);
  for (const n of ['Database', 'Prefix', 'Schema', 'Table']) params[n] = stringParameter(stack, n);
  new DatabaseReplication(stack, 'Tokens', {
    vpc,
    engine: SourceEngine.MYSQL,
    databaseName: params.Database,
    sourceSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'TokenCreds', SECRET_ARN),
    tables: [{ schema: params.Schema, table: params.Table }],
    targetBucket: s3.Bucket.fromBucketName(stack, 'TokenBucket', 'token-lake'),
    targetPrefix: params.Prefix,
    maxCapacityUnits: params.MaxDcu,
    minCapacityUnits: params.MinDcu,
    sourcePort: params.Port,
  });
  const t = Template.fromStack(stack);
  expectParameterUsed(t, 'MaxDcu', /ComputeConfig\.MaxCapacityUnits/);
  expectParameterUsed(t, 'MinDcu', /ComputeConfig\.MinCapacityUnits/);
  expectParameterUsed(t, 'Port', /FromPort/);
  expectParameterUsed(t, 'Database', /DatabaseName/);
  expectParameterUsed(t, 'Prefix', /BucketFolder/);
  expectParameterUsed(t, 'Prefix', /PolicyDocument/);
  expectParameterUsed(t, 'Schema', /TableMappings/);
  expectParameterUsed(t, 'Table', /TableMappings/);
});

test('DatabaseReplication: a token maximum leaves the minimum to DMS (never computed from the token)', () => {
  const stack = testStack();
  const max = numberParameter(stack, 'MaxDcu');
  new DatabaseReplication(stack, 'Orders', {
    vpc: vpcOf(stack),
    engine: SourceEngine.POSTGRES,
    databaseName: 'shop',
    sourceSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Creds', SECRET_ARN),
    tables: [{ schema: 'public' }],
    targetBucket: s3.Bucket.fromBucketName(stack, 'Lake', 'lake'),
    maxCapacityUnits: max,
  });
  const config = Object.values(Template.fromStack(stack).findResources('AWS::DMS::ReplicationConfig'))[0].Properties.ComputeConfig;
  expect(config.MaxCapacityUnits).toEqual({ Ref: 'MaxDcu' });
  expect(config.MinCapacityUnits).toBeUndefined();
});

test('DatabaseReplication: validation (DMS capacity units, engines, port, names, tables, subnets), both sides', () => {
  const path = 'TestStack/Orders';
  const bucket = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Lake', 'lake');
  const ok = (props: Partial<DatabaseReplicationProps>) => expect(() => build(props, bucket)).not.toThrow();
  ok({ maxCapacityUnits: 384, minCapacityUnits: 1 });
  ok({ maxCapacityUnits: 1 });
  ok({ sourcePort: 1 });
  ok({ sourcePort: 65535 });
  ok({ databaseName: 'd'.repeat(128) });
  ok({ tables: Array.from({ length: 1000 }, (_, i) => ({ schema: `s${i}` })) });
  expectPropError(() => build({ maxCapacityUnits: 10 }, bucket), { path, prop: 'maxCapacityUnits', value: '10', allowed: 'one of 1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384' });
  expectPropError(() => build({ maxCapacityUnits: 512 }, bucket), { path, prop: 'maxCapacityUnits', value: '512', allowed: 'one of 1, 2, 4' });
  expectPropError(() => build({ minCapacityUnits: 3 }, bucket), { path, prop: 'minCapacityUnits', value: '3', allowed: 'one of 1, 2, 4' });
  expectPropError(() => build({ maxCapacityUnits: 2, minCapacityUnits: 4 }, bucket), { path, prop: 'minCapacityUnits', value: '4', allowed: 'at most maxCapacityUnits (2)' });
  expectPropError(() => build({ engine: 'oracle' as SourceEngine }, bucket), { path, prop: 'engine', value: '"oracle"', allowed: 'one of mysql, mariadb, aurora, postgres, aurora-postgresql' });
  expectPropError(() => build({ sourcePort: 0 }, bucket), { path, prop: 'sourcePort', value: '0', allowed: '1-65535' });
  expectPropError(() => build({ sourcePort: 65536 }, bucket), { path, prop: 'sourcePort', value: '65536', allowed: '1-65535' });
  expectPropError(() => build({ databaseName: 'd'.repeat(129) }, bucket), { path, prop: 'databaseName', allowed: '1-128' });
  expectPropError(() => build({ targetPrefix: '/raw' }, bucket), { path, prop: 'targetPrefix', value: '"/raw"', allowed: 'without expressions or a leading "/"' });
  expectPropError(() => build({ targetPrefix: 'raw/!{timestamp:yyyy}' }, bucket), { path, prop: 'targetPrefix', allowed: 'without expressions' });
  expectPropError(() => build({ tables: [{ schema: 'public; drop' }] }, bucket), { path, prop: 'tables[0].schema', value: '"public; drop"', allowed: 'a schema name or pattern' });
  expectPropError(() => build({ tables: [] }, bucket), { path, prop: 'tables', value: '[]', allowed: '1-1000 entries' });
  expectPropError(() => build({ tables: Array.from({ length: 1001 }, (_, i) => ({ schema: `s${i}` })) }, bucket), { path, prop: 'tables', allowed: '1-1000 entries' });
  expectPropError(() => build({}, bucket, 1), { path, prop: 'vpcSubnets', value: '"1 subnets"', allowed: 'subnets in at least two Availability Zones' });
});

test('DatabaseReplication into an imported bucket without a key, in an imported VPC: the prefix wildcard is acknowledged with its finding id; nag clean in the four packs', () => {
  const { stack, replication } = build({ targetPrefix: 'raw/dms' }, (s) => s3.Bucket.fromBucketName(s, 'Imported', 'my-lake'), 0);
  const report = expectNagClean(stack);
  expect(report.acknowledged.filter((a) => a.rule.startsWith('AwsSolutions-IAM5')).map((a) => a.rule)).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::my-lake/raw/dms/*]']);
  expect(stack.getLogicalId(replication.encryptionKey.node.defaultChild as kms.CfnKey)).toBe('OrdersKeyB9756803');
});

test('DatabaseReplication into an imported bucket with its own key, in an imported VPC: objects use that key (statement whole); nag clean in the four packs', () => {
  const bucketKey = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
  const { stack } = build({}, (s) => s3.Bucket.fromBucketAttributes(s, 'Imported', {
    bucketName: 'their-lake', encryptionKey: kms.Key.fromKeyArn(s, 'BucketKey', bucketKey),
  }), 0);
  const target = Object.values(Template.fromStack(stack).findResources('AWS::DMS::Endpoint')).find((e) => e.Properties.EngineName === 's3')!.Properties.S3Settings;
  expect(target.ServerSideEncryptionKmsKeyId).toBe(bucketKey);
  const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
  expect(statements.find((st: any) => st.Sid === 'EncryptTarget')).toEqual({
    Sid: 'EncryptTarget',
    Effect: 'Allow',
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: bucketKey,
    Condition: {
      StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': ['arn:aws:s3:::their-lake', 'arn:aws:s3:::their-lake/dms/*'] },
    },
  });
  expectNagClean(stack);
});
