import { RedshiftNodeType } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, expectValidAsl, numberParameter, OTHER_ACCOUNT, Principals,
  stateMachineDefinitions, stringParameter, taskActions, testApp, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IRedshiftWarehouse } from '../src';
import { RedshiftWarehouse } from '../src/redshift-warehouse/redshift-warehouse';
import { RedshiftWarehouseProps, WarehouseType } from '../src/redshift-warehouse/redshift-warehouse-props';

const ACCOUNT = '123456789012';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/** A VPC of another stack with isolated subnets in three zones (no resources). */
const importedVpc = (stack: Stack) => ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
  vpcId: 'vpc-1234', availabilityZones: ZONES, isolatedSubnetIds: ['subnet-a', 'subnet-b', 'subnet-c'], isolatedSubnetRouteTableIds: ['rtb-a', 'rtb-b', 'rtb-c'],
});

interface Built { stack: Stack; warehouse: RedshiftWarehouse; template: Template; lake: SecureBucket }

function build(props: RedshiftWarehouseProps = {}, sandbox = false): Built {
  const stack = testStack({ sandbox });
  const lake = new SecureBucket(stack, 'Lake');
  const warehouse = new RedshiftWarehouse(stack, 'Warehouse', { loadBuckets: [lake.bucket], ...props });
  return { stack, warehouse, template: Template.fromStack(stack), lake };
}

describe('RedshiftWarehouse (provisioned, defaults)', () => {
  const { stack, warehouse, template, lake } = build({ spectrum: { schemaName: 'lake', glueDatabaseName: 'curated' } });
  const keyId = stack.getLogicalId(warehouse.encryptionKey.node.defaultChild as kms.CfnKey);

  test('multi-node RA3 cluster, private, encrypted with the CMK, enhanced VPC routing, non-default port and admin', () => {
    template.hasResource('AWS::Redshift::Cluster', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ClusterType: 'multi-node',
        NodeType: 'ra3.xlplus',
        NumberOfNodes: 2,
        DBName: 'analytics',
        MasterUsername: 'warehouse_admin',
        ManageMasterPassword: true,
        MasterPasswordSecretKmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Encrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        PubliclyAccessible: false,
        EnhancedVpcRouting: true,
        Port: 5440,
        AutomatedSnapshotRetentionPeriod: 7,
        PreferredMaintenanceWindow: 'sun:03:00-sun:03:30',
        AllowVersionUpgrade: true,
        ClusterSubnetGroupName: { Ref: stack.getLogicalId(warehouse.subnetGroup!) },
        ClusterParameterGroupName: { Ref: stack.getLogicalId(warehouse.parameterGroup!) },
        VpcSecurityGroupIds: [{ 'Fn::GetAtt': [stack.getLogicalId(warehouse.securityGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] }],
        IamRoles: [{ 'Fn::GetAtt': [stack.getLogicalId(warehouse.role.node.defaultChild as any), 'Arn'] }],
        LoggingProperties: { LogDestinationType: 'cloudwatch', LogExports: ['connectionlog', 'userlog', 'useractivitylog'] },
        ClusterIdentifier: warehouse.warehouseName,
      }),
    });
    expect(warehouse.slices).toBe(4);
    // 1 GB on 2 x ra3.xlplus (4 slices): 9 files minimum -> 12 (3 per slice) of 85.3 MB
    expect(warehouse.planCopyFiles(1024)).toEqual({ slices: 4, files: 12, fileMb: 1024 / 12, filesBelowOneMb: false });
    expect(warehouse.warehouseName).toMatch(/^[a-z][a-z0-9-]+$/);
  });

  test('parameter group requires TLS and logs user activity', () => {
    template.hasResourceProperties('AWS::Redshift::ClusterParameterGroup', {
      ParameterGroupFamily: 'redshift-1.0',
      Parameters: [
        { ParameterName: 'require_ssl', ParameterValue: 'true' },
        { ParameterName: 'enable_user_activity_logging', ParameterValue: 'true' },
      ],
    });
  });

  test('audit log groups exist ahead of the cluster, encrypted with the CMK, retained a year', () => {
    for (const type of ['connectionlog', 'userlog', 'useractivitylog']) {
      template.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { LogGroupName: `/aws/redshift/cluster/${warehouse.warehouseName}/${type}`, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 365 },
      });
    }
  });

  test('Spectrum in a new VPC gets a Glue interface endpoint (no internet route)', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface', PrivateDnsEnabled: true, ServiceName: 'com.amazonaws.eu-west-1.glue' });
  });

  test('new VPC: isolated subnets only, S3 gateway endpoint, flow logs; security group without inbound rules', () => {
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.stringLikeRegexp('HTTPS') }],
      SecurityGroupIngress: Match.absent(),
    });
    const subnets = template.findResources('AWS::Redshift::ClusterSubnetGroup');
    expect(Object.values(subnets)[0].Properties.SubnetIds).toHaveLength(2);
  });

  test('COPY/Spectrum role: assumed by Redshift, reads the load bucket and its key, Glue scoped to the database', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'redshift.amazonaws.com' } })] },
    });
    const bucketId = stack.getLogicalId(lake.bucket.node.defaultChild as any);
    const lakeKeyId = stack.getLogicalId(lake.encryptionKey.node.defaultChild as any);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(warehouse.role.node.defaultChild as any) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetBucketLocation', 's3:ListBucket'],
            Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] }],
          }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [lakeKeyId, 'Arn'] } }),
          Match.objectLike({
            Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
            Resource: ['arn:aws:glue:eu-west-1:123456789012:catalog', 'arn:aws:glue:eu-west-1:123456789012:database/curated', 'arn:aws:glue:eu-west-1:123456789012:table/curated/*'],
          }),
        ]),
      },
    });
  });

  test('Spectrum: external schema SQL and a valid setup state machine using ExecuteStatement', () => {
    expect(warehouse.spectrumSchemaSql).toMatch(/^CREATE EXTERNAL SCHEMA IF NOT EXISTS "lake" FROM DATA CATALOG DATABASE 'curated' IAM_ROLE '/);
    const defs = Object.values(stateMachineDefinitions(template));
    expect(defs).toHaveLength(1);
    const def = defs[0];
    expectValidAsl(def);
    expect(def.States.SpectrumRun.Resource).toBe('arn:aws:states:::aws-sdk:redshiftdata:executeStatement');
    expect(def.States.SpectrumRun.Arguments).toEqual(expect.objectContaining({
      ClusterIdentifier: warehouse.warehouseName,
      Database: 'analytics',
      Sql: expect.stringContaining('CREATE EXTERNAL SCHEMA'),
      SecretArn: expect.stringMatching(/^ATT_.*_MasterPasswordSecretArn$/),
    }));
    expect(def.States.SpectrumFailed).toEqual(expect.objectContaining({ Type: 'Fail', Error: 'Redshift.StatementFailed' }));
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  test('Data API grant: the cluster ARN only, own statements only, the admin secret and its key via Secrets Manager', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
            Resource: `arn:aws:redshift:eu-west-1:123456789012:cluster:${warehouse.warehouseName}`,
          }),
          Match.objectLike({
            Action: 'redshift-data:DescribeStatement',
            Resource: '*',
            Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
          }),
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::GetAtt': [stack.getLogicalId(warehouse.cluster!), 'MasterPasswordSecretArn'] } }),
          Match.objectLike({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } } }),
        ]),
      },
    });
  });
});

describe('RedshiftWarehouse (other configurations)', () => {
  test('sandbox mode destroys the cluster and allows a single node', () => {
    const { template } = build({ numberOfNodes: 1, nodeType: RedshiftNodeType.RA3_LARGE }, true);
    template.hasResource('AWS::Redshift::Cluster', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ ClusterType: 'single-node', NodeType: 'ra3.large', NumberOfNodes: Match.absent() }),
    });
  });

  test('Serverless: namespace and workgroup with the same protections', () => {
    const { stack, warehouse, template } = build({ type: WarehouseType.SERVERLESS, baseCapacity: 32, port: 8192 });
    const keyId = stack.getLogicalId(warehouse.encryptionKey.node.defaultChild as kms.CfnKey);
    template.resourceCountIs('AWS::Redshift::Cluster', 0);
    template.hasResource('AWS::RedshiftServerless::Namespace', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        AdminUsername: 'warehouse_admin',
        AdminUserPassword: { 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:', { Ref: stack.getLogicalId(warehouse.adminSecret!.node.defaultChild as any) }, ':SecretString:password::}}'])] },
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        LogExports: ['connectionlog', 'userlog', 'useractivitylog'],
        DbName: 'analytics',
      }),
    });
    template.hasResourceProperties('AWS::RedshiftServerless::Workgroup', {
      BaseCapacity: 32,
      EnhancedVpcRouting: true,
      PubliclyAccessible: false,
      Port: 8192,
      ConfigParameters: [{ ParameterKey: 'require_ssl', ParameterValue: 'true' }, { ParameterKey: 'enable_user_activity_logging', ParameterValue: 'true' }],
    });
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"warehouse_admin"}', GenerateStringKey: 'password', PasswordLength: 32 }),
      }),
    });
    expect(warehouse.adminSecretArn).toBe(warehouse.adminSecret!.secretArn);
    expect([warehouse.namespace!, warehouse.workgroup!, warehouse.adminSecret!.node.defaultChild as any].map((c) => stack.getLogicalId(c)))
      .toEqual(['WarehouseNamespace78ED5B58', 'WarehouseWorkgroup507BB996', 'WarehouseAdminSecret0B1DB325']);
    expect(Object.values(template.findResources('AWS::RedshiftServerless::Workgroup'))[0].Properties.SubnetIds).toHaveLength(3);
    expect(warehouse.dataApiTarget()).toEqual(expect.objectContaining({ WorkgroupName: warehouse.warehouseName }));
    expect(warehouse.slices).toBe(0);
    expect(() => warehouse.planCopyFiles(100)).toThrow(/needs a provisioned cluster/);
  });

  test('existing VPC and key are used', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Existing', { maxAzs: 2 });
    const key = new kms.Key(stack, 'ExistingKey', { enableKeyRotation: true });
    const w = new RedshiftWarehouse(stack, 'Warehouse', { vpc, encryptionKey: key, warehouseName: 'sales-dw' });
    const t = Template.fromStack(stack);
    expect(w.vpc).toBe(vpc);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.hasResourceProperties('AWS::Redshift::Cluster', { ClusterIdentifier: 'sales-dw', KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'] } });
    const subnets = Object.values(t.findResources('AWS::Redshift::ClusterSubnetGroup'))[0].Properties.SubnetIds;
    expect(JSON.stringify(subnets)).toContain('PrivateSubnet');
  });
});

describe('RedshiftWarehouse validation', () => {
  const path = 'TestStack/Warehouse';
  const make = (props: RedshiftWarehouseProps) => () => new RedshiftWarehouse(testStack(), 'Warehouse', props);
  test('single node outside sandbox', () => { expectPropError(make({ numberOfNodes: 1 }), { path, prop: 'numberOfNodes', value: '1', allowed: 'only in sandbox mode' }); });
  test('too many nodes for the type', () => { expectPropError(make({ numberOfNodes: 17 }), { path, prop: 'numberOfNodes', value: '17', allowed: '1-16 nodes for ra3.xlplus' }); });
  test('node type that has no single node', () => {
    expectPropError(() => new RedshiftWarehouse(testStack({ sandbox: true }), 'Warehouse', { nodeType: RedshiftNodeType.RA3_4XLARGE, numberOfNodes: 1 }),
      { path, prop: 'numberOfNodes', allowed: '2-32 nodes for ra3.4xlarge' });
  });
  test('default port', () => { expectPropError(make({ port: 5439 }), { path, prop: 'port', value: '5439', allowed: 'except the default 5439' }); });
  test('port out of range', () => { expectPropError(make({ port: 6000 }), { path, prop: 'port', value: '6000', allowed: '5431-5455 or 8191-8215' }); });
  test('default admin name', () => { expectPropError(make({ adminUsername: 'awsuser' }), { path, prop: 'adminUsername', value: '"awsuser"', allowed: 'other than awsuser' }); });
  test('bad admin name', () => { expectPropError(make({ adminUsername: 'Admin-1' }), { path, prop: 'adminUsername', allowed: 'lower-case letters' }); });
  test('bad database name', () => { expectPropError(make({ databaseName: 'my db' }), { path, prop: 'databaseName', allowed: 'lower-case letters' }); });
  test('snapshot retention', () => { expectPropError(make({ snapshotRetention: Duration.days(36) }), { path, prop: 'snapshotRetention', allowed: '1-35 days' }); });
  test('maintenance window', () => { expectPropError(make({ preferredMaintenanceWindow: 'sunday 3am' }), { path, prop: 'preferredMaintenanceWindow', allowed: 'ddd:hh24:mi' }); });
  test('warehouse name', () => { expectPropError(make({ warehouseName: 'Sales_DW' }), { path, prop: 'warehouseName', allowed: 'lower-case letters, digits and "-"' }); });
  test('Serverless base capacity', () => { expectPropError(make({ type: WarehouseType.SERVERLESS, baseCapacity: 12 }), { path, prop: 'baseCapacity', value: '12', allowed: '8-512 in steps of 8' }); });
  test('node props with Serverless', () => { expectPropError(make({ type: WarehouseType.SERVERLESS, nodeType: RedshiftNodeType.RA3_XLPLUS }), { path, prop: 'nodeType', allowed: 'provisioned clusters only' }); });
  test('base capacity with provisioned', () => { expectPropError(make({ baseCapacity: 8 }), { path, prop: 'baseCapacity', allowed: 'only with WarehouseType.SERVERLESS' }); });
  test('Serverless needs 3 AZs', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'TwoAz', { maxAzs: 2 });
    expectPropError(() => new RedshiftWarehouse(stack, 'Warehouse', { type: WarehouseType.SERVERLESS, vpc }), { path, prop: 'vpcSubnets', value: '2 subnets', allowed: 'at least 3 subnets' });
  });
  test('Spectrum schema name', () => { expectPropError(make({ spectrum: { schemaName: 'lake"; drop', glueDatabaseName: 'curated' } }), { path, prop: 'spectrum.schemaName', allowed: 'lower-case letters' }); });
  test('Spectrum Glue database: GlueLimits.DATABASE_NAME (characters, 1-255 on both sides)', () => {
    const allowed = 'lower-case letters, digits and "_", 1-255 characters';
    expectPropError(make({ spectrum: { schemaName: 'lake', glueDatabaseName: "cur'ated" } }), { path, prop: 'spectrum.glueDatabaseName', value: '"cur\'ated"', allowed });
    expectPropError(make({ spectrum: { schemaName: 'lake', glueDatabaseName: 'd'.repeat(256) } }), { path, prop: 'spectrum.glueDatabaseName', allowed });
    expect(make({ spectrum: { schemaName: 'lake', glueDatabaseName: 'd'.repeat(255) } })).not.toThrow();
  });
});

describe('RedshiftWarehouse compliance', () => {
  test('provisioned with Spectrum: cdk-nag clean, RS rules satisfied without acknowledgements', () => {
    const stack = testStack();
    const lake = new SecureBucket(stack, 'Lake');
    new RedshiftWarehouse(stack, 'Warehouse', { loadBuckets: [lake.bucket], spectrum: { schemaName: 'lake', glueDatabaseName: 'curated' } });
    const report = expectNagClean(stack);
    expect(report.acknowledged.filter((a) => /RS\d+/.test(a.rule))).toEqual([]);
  });
  test('Serverless: cdk-nag clean', () => {
    const stack = testStack();
    new RedshiftWarehouse(stack, 'Warehouse', { type: WarehouseType.SERVERLESS });
    expectNagClean(stack);
  });

  test('imported VPC, bucket (with a prefix) and key: cdk-nag clean in the four packs (the prefix acknowledgement matches an imported bucket)', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Lake', { bucketName: 'corp-lake', encryptionKey: key });
    const warehouse = new RedshiftWarehouse(stack, 'Warehouse', { vpc: importedVpc(stack), encryptionKey: key, spectrum: { schemaName: 'lake', glueDatabaseName: 'curated' } });
    const grant = warehouse.grantLoadFrom(bucket, 'curated/orders/');
    // the returned grant: to the warehouse role, S3 read under the prefix and the bucket key through S3
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.map((st) => stack.resolve(st.toStatementJson()))).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:GetBucketLocation', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::corp-lake', 'arn:aws:s3:::corp-lake/curated/orders/*'],
      },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: key.keyArn,
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
    const report = expectNagClean(stack);
    expect(report.acknowledged.map((a) => a.rule)).toContain('AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-lake/curated/orders/*]');
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 0);
  });
});

describe('RedshiftWarehouse network without lookups', () => {
  const missingContext = (stack: Stack) => (stack.node.root as any).synth().manifest.missing ?? [];

  test('an environment-agnostic stack: the VPC this warehouse creates is the one ec2.Vpc made (same logical ids and properties), with no lookup', () => {
    const app = testApp();
    const stack = new Stack(app, 'Agnostic');
    new RedshiftWarehouse(stack, 'Warehouse');
    const reference = new Stack(app, 'Reference');
    new ec2.Vpc(new Construct(reference, 'Warehouse'), 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'warehouse', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const ours = Template.fromStack(stack).toJSON().Resources;
    const theirs = Template.fromStack(reference).toJSON().Resources;
    const renamed = (r: any) => JSON.parse(JSON.stringify(r).replace(/Reference\/Warehouse/g, 'Agnostic/Warehouse'));
    for (const [id, resource] of Object.entries<any>(theirs)) expect([id, ours[id]]).toEqual([id, renamed(resource)]);
    expect(missingContext(stack)).toEqual([]);
  });

  test('a stack with an explicit account and region synthesizes without a context lookup, and its VPC takes its zones at deploy time', () => {
    const stack = testStack({ id: 'Explicit' });
    const w = new RedshiftWarehouse(stack, 'Warehouse');
    new RedshiftWarehouse(stack, 'Serverless', { type: WarehouseType.SERVERLESS });
    const t = Template.fromStack(stack);
    const subnets = Object.values(t.findResources('AWS::EC2::Subnet')).map((r) => r.Properties.AvailabilityZone);
    expect(subnets).toEqual([0, 1, 0, 1, 2].map((i) => ({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] })));
    expect(w.vpc.isolatedSubnets).toHaveLength(2);
    expect(missingContext(stack)).toEqual([]);
  });

  test('a given VPC in a stack with an explicit environment: no lookup, no VPC created', () => {
    const stack = testStack();
    new RedshiftWarehouse(stack, 'Warehouse', { vpc: importedVpc(stack) });
    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPC', 0);
    expect(missingContext(stack)).toEqual([]);
  });

  test('the created VPC closes its default security group (inbound and outbound rules revoked)', () => {
    const { stack, template } = build();
    const vpcId = stack.getLogicalId((stack.node.findChild('Warehouse').node.findChild('Vpc').node.findChild('Resource')) as any);
    const calls = Object.values(template.findResources('Custom::VpcRestrictDefaultSG')).map((r) => JSON.parse(JSON.stringify(stack.resolve(r.Properties.Create))));
    const sg = { 'Fn::GetAtt': [vpcId, 'DefaultSecurityGroup'] };
    expect(calls).toHaveLength(2);
    expect(JSON.stringify(calls)).toContain('revokeSecurityGroupIngress');
    expect(JSON.stringify(calls)).toContain('revokeSecurityGroupEgress');
    expect(JSON.stringify(calls)).toContain(JSON.stringify(sg).slice(1, -1));
  });
});

describe('RedshiftWarehouse run time', () => {
  const stack = testStack();
  const lake = new SecureBucket(stack, 'Lake');
  const warehouse = new RedshiftWarehouse(stack, 'Warehouse', { spectrum: { schemaName: 'lake', glueDatabaseName: 'curated' } });
  warehouse.grantLoadFrom(lake.bucket, 'curated/');
  const serverless = new RedshiftWarehouse(stack, 'Serverless', { type: WarehouseType.SERVERLESS, vpc: importedVpc(stack) });
  const template = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const dbUser = (cluster: string, user = 'warehouse_admin') => `arn:aws:redshift:eu-west-1:${ACCOUNT}:dbuser:${cluster}/${user}`;

  test('logical ids of the stateful resources are unchanged', () => {
    const id = (c: any) => stack.getLogicalId(c.node?.defaultChild ?? c);
    expect(id(warehouse.cluster)).toBe('WarehouseCluster0ED2F148');
    expect(id(warehouse.encryptionKey)).toBe('WarehouseKey48F2B1B3');
    expect(warehouse.auditLogGroups.map(id)).toEqual(['WarehouseAuditLogconnectionlog51B0C5CE', 'WarehouseAuditLoguserlogDE34E718', 'WarehouseAuditLoguseractivitylog46770CB4']);
    expect(id(warehouse.subnetGroup)).toBe('WarehouseSubnets3181FF03');
    expect(id(warehouse.role)).toBe('WarehouseRoleA74E6209');
    expect(id(warehouse.setupStateMachine)).toBe('WarehouseSetup7CD6319A');
    expect(Object.keys(template.findResources('AWS::EC2::VPC'))).toEqual(['WarehouseVpcFB5FA611']);
    expect(Object.keys(template.findResources('AWS::EC2::Subnet'))).toEqual(['WarehouseVpcwarehouseSubnet1Subnet393A783B', 'WarehouseVpcwarehouseSubnet2SubnetC9BCBF6F']);
  });

  test('the COPY/Spectrum role is assumed by Redshift for this cluster\'s database users only', async () => {
    const role = warehouse.role.roleArn;
    await access.expectAllowed(
      { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': dbUser(warehouse.warehouseName) } },
      { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': dbUser(warehouse.warehouseName, 'analyst') } },
    );
    await access.expectDenied(
      { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': dbUser('other-cluster') } },
      { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': `arn:aws:redshift:eu-west-1:${OTHER_ACCOUNT}:dbuser:${warehouse.warehouseName}/x` } },
      { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': dbUser(warehouse.warehouseName) } },
    );
  });

  test('it reads the lake prefix with its key through S3 and the Spectrum database in the Glue catalog, nothing else', async () => {
    const role = warehouse.role.roleArn;
    const key = lake.encryptionKey.keyArn;
    await access.expectAllowed(
      { principal: role, action: 's3:GetObject', resource: lake.bucket.arnForObjects('curated/orders/part-0.parquet') },
      { principal: role, action: 's3:ListBucket', resource: lake.bucket.bucketArn },
      { principal: role, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      { principal: role, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/curated/orders` },
      { principal: role, action: 'glue:GetPartitions', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:database/curated` },
    );
    await access.expectDenied(
      { principal: role, action: 's3:GetObject', resource: lake.bucket.arnForObjects('raw/secret.json') },
      { principal: role, action: 's3:PutObject', resource: lake.bucket.arnForObjects('curated/x') },
      { principal: role, action: 'kms:Decrypt', resource: key },
      { principal: role, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/raw/orders` },
      { principal: role, action: 'secretsmanager:GetSecretValue', resource: warehouse.adminSecretArn },
    );
  });

  test('the Spectrum set-up state machine can run every task of its definition (cancel included) and read the admin secret with its key', async () => {
    const smRole = (warehouse.setupStateMachine!.role as iam.Role).roleArn;
    const def = Object.values(stateMachineDefinitions(template)).find((d: any) => JSON.stringify(d).includes('Spectrum'));
    const actions = [...new Set(taskActions(def).flatMap((t) => t.actions))].sort();
    expect(actions).toEqual(['redshift-data:CancelStatement', 'redshift-data:DescribeStatement', 'redshift-data:ExecuteStatement']);
    const own = { 'redshift-data:statement-owner-iam-userid': 'AROAEXAMPLE:execution' };
    await access.expectAllowed(
      { principal: smRole, action: 'redshift-data:ExecuteStatement', resource: warehouse.dataApiResourceArn },
      { principal: smRole, action: 'redshift-data:DescribeStatement', resource: '*', context: { ...own, 'aws:userid': 'AROAEXAMPLE:execution' } },
      { principal: smRole, action: 'redshift-data:CancelStatement', resource: '*', context: { ...own, 'aws:userid': 'AROAEXAMPLE:execution' } },
      { principal: smRole, action: 'secretsmanager:GetSecretValue', resource: warehouse.adminSecretArn },
      { principal: smRole, action: 'kms:Decrypt', resource: warehouse.encryptionKey.keyArn, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    );
    await access.expectDenied(
      { principal: smRole, action: 'redshift-data:ExecuteStatement', resource: `arn:aws:redshift:eu-west-1:${ACCOUNT}:cluster:other` },
      { principal: smRole, action: 'redshift-data:CancelStatement', resource: '*', context: { ...own, 'aws:userid': 'AROAOTHER:someone' } },
      { principal: smRole, action: 'kms:Decrypt', resource: warehouse.encryptionKey.keyArn },
    );
  });

  test('the admin secrets are readable only by the roles granted the Data API; strangers and other accounts are refused', async () => {
    for (const w of [warehouse, serverless]) {
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action: 'secretsmanager:GetSecretValue', resource: w.adminSecretArn },
        { ...Principals.otherAccountAdmin(), action: 'secretsmanager:GetSecretValue', resource: w.adminSecretArn },
        { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: w.encryptionKey.keyArn, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: w.encryptionKey.keyArn },
      );
    }
    await access.expectDenied({ principal: serverless.role.roleArn, action: 'secretsmanager:GetSecretValue', resource: serverless.adminSecretArn });
  });

  test('audit logs: CloudWatch Logs uses the key for the cluster\'s log groups; the lake refuses strangers and plain HTTP', async () => {
    for (const type of ['connectionlog', 'userlog', 'useractivitylog']) {
      await access.expectAllowed({
        principal: 'logs.eu-west-1.amazonaws.com',
        action: 'kms:GenerateDataKey',
        resource: warehouse.encryptionKey.keyArn,
        context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/redshift/cluster/${warehouse.warehouseName}/${type}` },
      });
    }
    const object = lake.bucket.arnForObjects('curated/orders/part-0.parquet');
    await access.expectDenied(
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
    );
    await access.expectExplicitlyDenied({ principal: warehouse.role.roleArn, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
  });

  test('IRedshiftWarehouse: what StagingUpsert and apps use, implemented by both kinds', () => {
    const use = (w: IRedshiftWarehouse) => [
      w.type, w.warehouseName, w.databaseName, w.role.roleArn, w.encryptionKey.keyArn, w.adminSecretArn, w.dataApiResourceArn,
      w.dataApiTarget('other').Database, w.connections.defaultPort?.toString(),
    ];
    expect(use(warehouse)).toEqual([WarehouseType.PROVISIONED, warehouse.warehouseName, 'analytics', warehouse.role.roleArn, warehouse.encryptionKey.keyArn,
      warehouse.adminSecretArn, warehouse.dataApiResourceArn, 'other', '5440']);
    expect(use(serverless)[0]).toBe(WarehouseType.SERVERLESS);
  });
});

describe('RedshiftWarehouse tokens and limits', () => {
  const path = 'TestStack/Warehouse';
  const make = (props: RedshiftWarehouseProps, sandbox = false) => () => new RedshiftWarehouse(testStack({ sandbox }), 'Warehouse', props);

  test('tokens: node count, port, snapshot retention, window, names reach the template', () => {
    const stack = testStack();
    const w = new RedshiftWarehouse(stack, 'Warehouse', {
      vpc: importedVpc(stack),
      numberOfNodes: numberParameter(stack, 'Nodes'),
      port: numberParameter(stack, 'Port'),
      snapshotRetention: Duration.days(numberParameter(stack, 'SnapshotDays')),
      preferredMaintenanceWindow: stringParameter(stack, 'Window'),
      databaseName: stringParameter(stack, 'Db'),
      adminUsername: stringParameter(stack, 'Admin'),
      warehouseName: stringParameter(stack, 'Name'),
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Nodes', /NumberOfNodes$/);
    expectParameterUsed(t, 'Port', /Cluster.*\.Port$/);
    expectParameterUsed(t, 'SnapshotDays', /AutomatedSnapshotRetentionPeriod$/);
    expectParameterUsed(t, 'Window', /PreferredMaintenanceWindow$/);
    expectParameterUsed(t, 'Db', /DBName$/);
    expectParameterUsed(t, 'Admin', /MasterUsername$/);
    expectParameterUsed(t, 'Name', /ClusterIdentifier$/);
    t.hasResourceProperties('AWS::Redshift::Cluster', { ClusterType: 'multi-node' });
    expect(w.slices).toBe(0);
    expect(() => w.planCopyFiles(10)).toThrow(/needs a known node count/);
    const s2 = testStack();
    new RedshiftWarehouse(s2, 'Warehouse', { type: WarehouseType.SERVERLESS, vpc: importedVpc(s2), baseCapacity: numberParameter(s2, 'Rpu') });
    expectParameterUsed(Template.fromStack(s2), 'Rpu', /BaseCapacity$/);
  });

  test('Spectrum names are written into SQL: tokens are refused with the construct\'s message', () => {
    const stack = testStack();
    expectPropError(() => new RedshiftWarehouse(stack, 'Warehouse', { spectrum: { schemaName: stringParameter(stack, 'S'), glueDatabaseName: 'curated' } }),
      { path, prop: 'spectrum.schemaName', allowed: 'known at synth time' });
  });

  test('node counts on both sides of the node type\'s range', () => {
    make({ numberOfNodes: 16 })();
    expectPropError(make({ numberOfNodes: 17 }), { path, prop: 'numberOfNodes', value: '17', allowed: '1-16 nodes for ra3.xlplus' });
    make({ nodeType: RedshiftNodeType.RA3_16XLARGE, numberOfNodes: 128 })();
    expectPropError(make({ nodeType: RedshiftNodeType.RA3_16XLARGE, numberOfNodes: 129 }), { path, prop: 'numberOfNodes', allowed: '2-128 nodes for ra3.16xlarge' });
    make({ nodeType: RedshiftNodeType.RA3_LARGE, numberOfNodes: 1 }, true)();
    expectPropError(make({ numberOfNodes: 2.5 }), { path, prop: 'numberOfNodes', allowed: 'a whole number' });
  });

  test('Serverless base capacity: 4, steps of 8 to 512, steps of 32 to 1,024', () => {
    const ok = (rpu: number) => make({ type: WarehouseType.SERVERLESS, baseCapacity: rpu })();
    const bad = (rpu: number) => expectPropError(make({ type: WarehouseType.SERVERLESS, baseCapacity: rpu }), { path, prop: 'baseCapacity', value: String(rpu), allowed: '8-512 in steps of 8' });
    for (const rpu of [4, 8, 512, 544, 1024]) ok(rpu);
    for (const rpu of [0, 5, 12, 520, 1056, 8.5]) bad(rpu);
  });

  test('ports, snapshot retention and names on both sides of their limits', () => {
    for (const port of [5431, 5455, 8191, 8215]) make({ port })();
    for (const port of [5430, 5456, 8190, 8216]) expectPropError(make({ port }), { path, prop: 'port', value: String(port), allowed: '5431-5455 or 8191-8215' });
    make({ snapshotRetention: Duration.days(1) })();
    make({ snapshotRetention: Duration.days(35) })();
    expectPropError(make({ snapshotRetention: Duration.days(0) }), { path, prop: 'snapshotRetention', value: '0 days', allowed: '1-35 days' });
    expectPropError(make({ snapshotRetention: Duration.hours(36) }), { path, prop: 'snapshotRetention', allowed: 'a whole number from 1 to 35 days' });
    make({ warehouseName: `w${'a'.repeat(62)}` })();
    expectPropError(make({ warehouseName: `w${'a'.repeat(63)}` }), { path, prop: 'warehouseName', allowed: '3-63 characters' });
    expectPropError(make({ warehouseName: 'sales--dw' }), { path, prop: 'warehouseName', allowed: 'without "--"' });
    expectPropError(make({ warehouseName: 'sales-' }), { path, prop: 'warehouseName', allowed: 'without "--" or a trailing "-"' });
    make({ databaseName: `d${'a'.repeat(63)}` })();
    expectPropError(make({ databaseName: `d${'a'.repeat(64)}` }), { path, prop: 'databaseName', allowed: '1-64 characters' });
    make({ adminUsername: `a${'b'.repeat(127)}` })();
    expectPropError(make({ adminUsername: `a${'b'.repeat(128)}` }), { path, prop: 'adminUsername', allowed: '1-128 characters' });
  });
});
