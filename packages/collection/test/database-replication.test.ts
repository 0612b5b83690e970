import { SecureBucket } from '@analytics-patterns/storage';
import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseReplication, DatabaseReplicationProps, ReplicationType, SourceEngine } from '../src';

function build(props: Partial<DatabaseReplicationProps> = {}) {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
  const lake = new SecureBucket(stack, 'Raw');
  const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Creds', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-AbCdEf');
  const replication = new DatabaseReplication(stack, 'Orders', {
    vpc,
    engine: SourceEngine.POSTGRES,
    databaseName: 'shop',
    sourceSecret: secret,
    tables: [{ schema: 'public', table: 'orders' }, { schema: 'billing' }],
    targetBucket: lake.bucket,
    ...props,
  });
  return { stack, lake, replication, template: Template.fromStack(stack) };
}

describe('DatabaseReplication', () => {
  test('serverless full load + CDC, multi-AZ, CMK, selection rules', () => {
    const { template } = build();
    const r = Object.values(template.findResources('AWS::DMS::ReplicationConfig'))[0].Properties;
    expect(r.ReplicationType).toBe('full-load-and-cdc');
    expect(r.ComputeConfig).toMatchObject({ MaxCapacityUnits: 16, MinCapacityUnits: 2, MultiAZ: true });
    expect(r.TableMappings.rules.map((x: any) => x['object-locator'])).toEqual([
      { 'schema-name': 'public', 'table-name': 'orders' }, { 'schema-name': 'billing', 'table-name': '%' },
    ]);
  });

  test('source over TLS with Secrets Manager credentials; target: date-partitioned Parquet, SSE-KMS with the bucket key', () => {
    const { stack, lake, template } = build();
    template.hasResourceProperties('AWS::DMS::Endpoint', {
      EndpointType: 'source',
      EngineName: 'postgres',
      SslMode: 'require',
      DatabaseName: 'shop',
      PostgreSqlSettings: { SecretsManagerSecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-AbCdEf' },
    });
    const target = Object.values(template.findResources('AWS::DMS::Endpoint')).find((e) => e.Properties.EngineName === 's3')!.Properties.S3Settings;
    expect(target).toMatchObject({
      BucketFolder: 'dms',
      DataFormat: 'parquet',
      EncryptionMode: 'SSE_KMS',
      DatePartitionEnabled: true,
      DatePartitionDelimiter: 'SLASH',
      ServerSideEncryptionKmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(lake.encryptionKey.node.defaultChild as any), 'Arn'] },
    });
  });

  test('security group: no inbound; outbound only to the database port and HTTPS', () => {
    const { template } = build({ sourcePeer: ec2.Peer.ipv4('192.168.10.0/24') });
    const sg = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find((g) => g.Properties.GroupDescription.startsWith('DMS'))!.Properties;
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '192.168.10.0/24', FromPort: 5432, ToPort: 5432, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
  });

  test('roles: write only under the prefix; read only the source secret', () => {
    const { template } = build({ targetPrefix: 'raw/shop', replicationType: ReplicationType.CDC });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const write = statements.find((s: any) => s.Sid === 'WriteTarget');
    expect(JSON.stringify(write.Resource)).toContain('/raw/shop/*');
    const secretRead = statements.find((s: any) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(secretRead.Resource).toBe('arn:aws:secretsmanager:eu-west-1:123456789012:secret:orders-db-AbCdEf');
  });

  test('validation', () => {
    const path = 'TestStack/Orders';
    expectPropError(() => build({ maxCapacityUnits: 10 }), { path, prop: 'maxCapacityUnits', value: '"10"', allowed: 'one of 1, 2, 4, 8, 16' });
    expectPropError(() => build({ maxCapacityUnits: 2, minCapacityUnits: 4 }), { path, prop: 'minCapacityUnits', value: '4', allowed: 'at most maxCapacityUnits (2)' });
    expectPropError(() => build({ tables: [{ schema: 'public; drop' }] }), { path, prop: 'tables[0].schema', value: '"public; drop"', allowed: 'a schema name or pattern' });
    expectPropError(() => build({ tables: [] }), { path, prop: 'tables', value: '[]', allowed: '1-1000 entries' });
  });

  test('cdk-nag clean', () => {
    expectNagClean(build().stack, AWS_SOLUTIONS_ONLY);
  });
});
