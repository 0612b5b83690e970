import { RedshiftNodeType } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, expectValidAsl, stateMachineDefinitions, testStack } from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { RedshiftWarehouse } from '../src/redshift-warehouse/redshift-warehouse';
import { RedshiftWarehouseProps, WarehouseType } from '../src/redshift-warehouse/redshift-warehouse-props';

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
  test('Spectrum Glue database', () => { expectPropError(make({ spectrum: { schemaName: 'lake', glueDatabaseName: "cur'ated" } }), { path, prop: 'spectrum.glueDatabaseName', allowed: 'Glue database name' }); });
});

describe('RedshiftWarehouse compliance', () => {
  test('provisioned with Spectrum: cdk-nag clean, RS rules satisfied without acknowledgements', () => {
    const stack = testStack();
    const lake = new SecureBucket(stack, 'Lake');
    new RedshiftWarehouse(stack, 'Warehouse', { loadBuckets: [lake.bucket], spectrum: { schemaName: 'lake', glueDatabaseName: 'curated' } });
    const report = expectNagClean(stack, AWS_SOLUTIONS_ONLY);
    expect(report.acknowledged.filter((a) => /RS\d+/.test(a.rule))).toEqual([]);
  });
  test('Serverless: cdk-nag clean', () => {
    const stack = testStack();
    new RedshiftWarehouse(stack, 'Warehouse', { type: WarehouseType.SERVERLESS });
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
  });
});
