import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, listParameter, numberParameter, OTHER_ACCOUNT, Principals, stringParameter,
  testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SearchDomain, SearchDomainProps } from '../src';

const ACCOUNT = '123456789012';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

function vpcStack(sandbox = false): { stack: Stack; vpc: ec2.Vpc } {
  const stack = testStack({ sandbox });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 3,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { trafficType: ec2.FlowLogTrafficType.REJECT } },
  });
  return { stack, vpc };
}

/** A VPC of another stack: one (or, with `twoPerZone`, two) isolated subnet per zone in three zones; no resources. */
function importedVpc(stack: Stack, twoPerZone = false): ec2.IVpc {
  const ids = ['subnet-a', 'subnet-b', 'subnet-c', ...(twoPerZone ? ['subnet-a2', 'subnet-b2', 'subnet-c2'] : [])];
  return ec2.Vpc.fromVpcAttributes(stack, 'ImportedVpc', {
    vpcId: 'vpc-1234', availabilityZones: ZONES, isolatedSubnetIds: ids, isolatedSubnetRouteTableIds: ids.map((i) => `rtb-${i}`),
  });
}

function build(props: Partial<SearchDomainProps> = {}, sandbox = false) {
  const { stack, vpc } = vpcStack(sandbox);
  const search = new SearchDomain(stack, 'Search', { vpc, ...props });
  return { stack, vpc, search, template: Template.fromStack(stack) };
}

const domainOf = (t: Template) => Object.values(t.findResources('AWS::OpenSearchService::Domain'))[0];

describe('SearchDomain', () => {
  const { stack, vpc } = vpcStack();
  const search = new SearchDomain(stack, 'Search', { vpc, workload: { sourceDataGiB: 66 }, allowedPeers: [ec2.Peer.ipv4('10.0.0.0/16')] });
  const writer = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
  search.grantIndexReadWrite('clicks', writer);
  const template = Template.fromStack(stack);
  const t = template;
  const domain = () => domainOf(template);

  test('3 dedicated masters, 3 data nodes over 3 zones, gp3 storage sized by the formula (192 GiB / 3 nodes)', () => {
    expect(domain().Properties.ClusterConfig).toEqual({
      DedicatedMasterEnabled: true,
      DedicatedMasterCount: 3,
      DedicatedMasterType: 'm7g.large.search',
      InstanceCount: 3,
      InstanceType: 'r7g.large.search',
      ZoneAwarenessEnabled: true,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
    });
    expect(domain().Properties.EBSOptions).toEqual({ EBSEnabled: true, VolumeSize: 64, VolumeType: 'gp3' });
    expect(search.estimate).toEqual({ minimumStorageGiB: 192, storagePerNodeGiB: 64, primaryShards: 3 });
  });

  test('logical ids of the stateful resources are unchanged', () => {
    expect(stack.getLogicalId(search.domain.node.defaultChild as any)).toBe('SearchDomain62FD613E');
    expect(stack.getLogicalId(search.encryptionKey.node.defaultChild as kms.CfnKey)).toBe('SearchKeyC561A0CD');
    expect(Object.fromEntries(Object.entries(search.logGroups).map(([k, g]) => [k, stack.getLogicalId(g.node.defaultChild as any)]))).toEqual({
      ApplicationLogs: 'SearchApplicationLogsBEFD87C3', AuditLogs: 'SearchAuditLogsF1B55D26', IndexSlowLogs: 'SearchIndexSlowLogs5D1D98AC', SearchSlowLogs: 'SearchSearchSlowLogsBB1667C5',
    });
    expect(stack.getLogicalId(search.securityGroup.node.defaultChild as any)).toBe('SearchSecurityGroup0EC827A8');
    expect(stack.getLogicalId((search.adminRole as iam.Role).node.defaultChild as any)).toBe('SearchAdminRole39B48159');
  });

  test('in the VPC, encrypted at rest with the CMK, node-to-node, HTTPS with TLS 1.2 PFS, fine-grained access control', () => {
    const keyId = { Ref: stack.getLogicalId(search.encryptionKey.node.defaultChild as kms.CfnKey) };
    expect(domain().Properties).toMatchObject({
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyId },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
      AdvancedSecurityOptions: { Enabled: true, InternalUserDatabaseEnabled: false, MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [expect.stringMatching(/^SearchAdminRole/), 'Arn'] } } },
    });
    expect(domain().Properties.VPCOptions.SubnetIds).toHaveLength(3);
    expect(search.subnets.map((s) => s.availabilityZone)).toEqual(ZONES.map(() => expect.any(String)));
    expect(new Set(search.subnets.map((s) => s.availabilityZone)).size).toBe(3);
    expect(domain().DeletionPolicy).toBe('Retain');
    expect(search.connections.securityGroups).toEqual([search.securityGroup]);
  });

  test('domain policy (native, no custom resource) lets only the master role in; HTTPS only from the allowed peers', () => {
    const name = domain().Properties.DomainName;
    expect(name).toMatch(/^[a-z][a-z0-9-]{2,27}$/);
    expect(search.domainName).toBe(name);
    expect(domain().Properties.AccessPolicies.Statement).toEqual([{
      Sid: 'FineGrainedAccessControlMaster',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^SearchAdminRole/), 'Arn'] } },
      Action: ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'],
      Resource: `arn:aws:es:eu-west-1:123456789012:domain/${name}/*`,
    }]);
    template.resourceCountIs('Custom::OpenSearchAccessPolicy', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '10.0.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }],
    });
  });

  test('four encrypted log groups, published through one native log resource policy limited to this domain (statement whole)', () => {
    expect(Object.keys(domain().Properties.LogPublishingOptions).sort()).toEqual(['AUDIT_LOGS', 'ES_APPLICATION_LOGS', 'INDEX_SLOW_LOGS', 'SEARCH_SLOW_LOGS']);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() }, 4);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
    const resolved = stack.resolve(search.logsResourcePolicy.document.toJSON());
    expect(resolved.Statement).toEqual([{
      Sid: 'OpenSearchLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'es.amazonaws.com' },
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: ['SearchSlowLogs', 'IndexSlowLogs', 'ApplicationLogs', 'AuditLogs'].map((type) => ({ 'Fn::Join': ['', ['arn:aws:logs:eu-west-1:123456789012:log-group:', { Ref: stack.getLogicalId(search.logGroups[type].node.defaultChild as any) }, ':*']] })),
      Condition: {
        StringEquals: { 'aws:SourceAccount': ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:aws:es:eu-west-1:123456789012:domain/${search.domainName}` },
      },
    }]);
  });

  test('alarms: red status, free storage (25 % of the volume, MiB), JVM pressure, blocked writes, snapshots; each notifies the topic', () => {
    const byMetric = Object.fromEntries(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => [a.Properties.MetricName, a.Properties]));
    expect(Object.keys(byMetric).sort()).toEqual(['AutomatedSnapshotFailure', 'ClusterIndexWritesBlocked', 'ClusterStatus.red', 'FreeStorageSpace', 'JVMMemoryPressure']);
    expect(byMetric.FreeStorageSpace).toMatchObject({ Threshold: 16384, ComparisonOperator: 'LessThanOrEqualToThreshold', Statistic: 'Minimum' });
    expect(byMetric.JVMMemoryPressure).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(byMetric['ClusterStatus.red'].Dimensions).toEqual(expect.arrayContaining([{ Name: 'ClientId', Value: '123456789012' }]));
    const topic = { Ref: stack.getLogicalId(search.alarmTopic.node.defaultChild as sns.CfnTopic) };
    for (const a of Object.values(byMetric)) expect(a).toMatchObject({ AlarmActions: [topic], OKActions: [topic], EvaluationPeriods: 1, TreatMissingData: 'notBreaching' });
    expect(search.alarms.map((a) => a.node.id)).toEqual(['ClusterRedAlarm', 'FreeStorageAlarm', 'JvmMemoryPressureAlarm', 'WritesBlockedAlarm', 'SnapshotFailureAlarm']);
  });

  describe('run time', () => {
    const access = AccessModel.of(stack);
    const domainArn = `arn:aws:es:eu-west-1:${ACCOUNT}:domain/${search.domainName}`;
    const from = (account: string, arn: string) => ({ 'aws:SourceAccount': account, 'aws:SourceArn': arn });
    const logStream = (type: string) => `${String(access.resolve(search.logGroups[type].logGroupArn))}`.replace(/:\*$/, ':log-stream:es-stream');

    test('OpenSearch delivers each log type to its log group, for this domain only; CloudWatch Logs uses the key', async () => {
      for (const type of ['SearchSlowLogs', 'IndexSlowLogs', 'ApplicationLogs', 'AuditLogs']) {
        await access.expectAllowed(
          { principal: 'es.amazonaws.com', action: 'logs:PutLogEvents', resource: logStream(type), context: from(ACCOUNT, domainArn) },
          { principal: 'es.amazonaws.com', action: 'logs:CreateLogStream', resource: logStream(type), context: from(ACCOUNT, domainArn) },
          {
            principal: 'logs.eu-west-1.amazonaws.com',
            action: 'kms:GenerateDataKey',
            resource: search.encryptionKey.keyArn,
            context: { 'kms:EncryptionContext:aws:logs:arn': String(access.resolve(search.logGroups[type].logGroupArn)).replace(/:\*$/, '') },
          },
        );
      }
      await access.expectDenied(
        { principal: 'es.amazonaws.com', action: 'logs:PutLogEvents', resource: logStream('AuditLogs'), context: from(ACCOUNT, `arn:aws:es:eu-west-1:${ACCOUNT}:domain/other`) },
        { principal: 'es.amazonaws.com', action: 'logs:PutLogEvents', resource: logStream('AuditLogs'), context: from(OTHER_ACCOUNT, `arn:aws:es:eu-west-1:${OTHER_ACCOUNT}:domain/x`) },
        { principal: 'es.amazonaws.com', action: 'logs:PutLogEvents', resource: logStream('AuditLogs') },
        { principal: 'es.amazonaws.com', action: 'logs:PutLogEvents', resource: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:other:log-stream:s`, context: from(ACCOUNT, domainArn) },
      );
    });

    test('HTTP access: the master role and a role granted an index are allowed there; strangers, other accounts and unsigned callers are refused', async () => {
      const doc = `${domainArn}/clicks/_doc/1`;
      await access.expectAllowed(
        { principal: search.adminRole.roleArn, action: 'es:ESHttpGet', resource: `${domainArn}/_cluster/health` },
        { principal: writer.roleArn, action: 'es:ESHttpPut', resource: doc },
        { principal: writer.roleArn, action: 'es:ESHttpPost', resource: `${domainArn}/clicks/_bulk` },
      );
      await access.expectDenied(
        { principal: writer.roleArn, action: 'es:ESHttpPut', resource: `${domainArn}/orders/_doc/1` },
        { principal: writer.roleArn, action: 'es:ESHttpDelete', resource: `${domainArn}/_all` },
        { principal: Principals.strangerInAccount(), action: 'es:ESHttpGet', resource: doc },
        { ...Principals.otherAccountAdmin(), action: 'es:ESHttpGet', resource: doc },
        { principal: Principals.anonymous, action: 'es:ESHttpGet', resource: doc },
      );
    });

    test('the master role it creates: only principals tagged analytics-patterns:search-admin=true may assume it (trust whole), never the whole account', async () => {
      const roleId = stack.getLogicalId((search.adminRole as iam.Role).node.defaultChild as any);
      const trust = template.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
        Condition: { StringEquals: { 'aws:PrincipalTag/analytics-patterns:search-admin': 'true' } },
      }]);
      const tagged = { [`aws:PrincipalTag/${SearchDomain.ADMIN_TAG}`]: 'true' };
      await access.expectAllowed({ ...Principals.roleAssumer('SearchSteward'), action: 'sts:AssumeRole', resource: search.adminRole.roleArn, context: tagged });
      await access.expectDenied(
        { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: search.adminRole.roleArn },
        { principal: Principals.strangerInAccount(), action: 'sts:AssumeRole', resource: search.adminRole.roleArn, context: tagged },
        { ...Principals.otherAccountAdmin(), action: 'sts:AssumeRole', resource: search.adminRole.roleArn, context: tagged },
      );
    });

    test('every alarm reaches its topic and the topic key; the key refuses strangers', async () => {
      const context = from(ACCOUNT, `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x`);
      await access.expectAllowed(
        { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: search.alarmTopic.topicArn, context },
        { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: search.encryptionKey.keyArn, context },
      );
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action: 'kms:Decrypt', resource: search.encryptionKey.keyArn },
        { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: search.encryptionKey.keyArn },
      );
    });

    test('the grant is the index and its sub-paths only', () => {
      const statement = t.toJSON().Resources[stack.getLogicalId(writer.node.findChild('DefaultPolicy').node.defaultChild as any)].Properties.PolicyDocument.Statement[0];
      expect(statement.Resource).toEqual([
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(search.domain.node.defaultChild as any), 'Arn'] }, '/clicks']] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [stack.getLogicalId(search.domain.node.defaultChild as any), 'Arn'] }, '/clicks/*']] },
      ]);
    });
  });
});

describe('SearchDomain options', () => {
  test('two zones in a three-zone VPC: exactly one subnet in each of two zones', () => {
    const { search, template } = build({ availabilityZoneCount: 2, dataNodes: 4 });
    const d = domainOf(template).Properties;
    expect(d.VPCOptions.SubnetIds).toHaveLength(2);
    expect(d.ClusterConfig.ZoneAwarenessConfig).toEqual({ AvailabilityZoneCount: 2 });
    expect(new Set(search.subnets.map((s) => s.availabilityZone)).size).toBe(2);
  });

  test('given subnets: the first subnet of each zone, as many zones as used', () => {
    const stack = testStack();
    const vpc = importedVpc(stack, true);
    const search = new SearchDomain(stack, 'Search', { vpc, availabilityZoneCount: 2, dataNodes: 2, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    expect(search.subnets.map((s) => s.subnetId)).toEqual(['subnet-a', 'subnet-b']);
    expect(domainOf(Template.fromStack(stack)).Properties.VPCOptions.SubnetIds).toEqual(['subnet-a', 'subnet-b']);
  });

  test('subnets imported without their zone are refused with the construct\'s message', () => {
    const stack = testStack();
    const subnets = ['subnet-x', 'subnet-y'].map((id) => ec2.Subnet.fromSubnetId(stack, id, id));
    expectPropError(() => new SearchDomain(stack, 'Search', { vpc: importedVpc(stack), availabilityZoneCount: 2, dataNodes: 2, vpcSubnets: { subnets } }),
      { path: 'TestStack/Search', prop: 'vpcSubnets', value: '"2 subnets"', allowed: 'at least availabilityZoneCount (2) subnets in distinct zones' });
  });

  test('UltraWarm and cold storage', () => {
    const { template: t } = build({ storageTiers: { warmNodes: 2, coldStorage: true } });
    const d = domainOf(t).Properties;
    expect(d.ClusterConfig).toMatchObject({ WarmEnabled: true, WarmCount: 2, WarmType: 'ultrawarm1.medium.search', ColdStorageOptions: { Enabled: true } });
  });

  test('sandbox mode: domain and logs are destroyed', () => {
    const { template: t } = build({}, true);
    for (const type of ['AWS::OpenSearchService::Domain', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of Object.entries(t.findResources(type))) if (id.startsWith('Search')) expect(r.DeletionPolicy).toBe('Delete');
    }
  });

  test('tokens: node counts, instance types, volume size and name reach the template', () => {
    const stack = testStack();
    const search = new SearchDomain(stack, 'Search', {
      vpc: importedVpc(stack),
      dataNodes: numberParameter(stack, 'DataNodes'),
      masterNodes: numberParameter(stack, 'MasterNodes'),
      dataNodeInstanceType: stringParameter(stack, 'DataType'),
      masterNodeInstanceType: stringParameter(stack, 'MasterType'),
      volumeSizeGiB: numberParameter(stack, 'VolumeGiB'),
      domainName: stringParameter(stack, 'DomainName'),
      storageTiers: { warmNodes: numberParameter(stack, 'WarmNodes') },
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'DataNodes', /ClusterConfig\.InstanceCount$/);
    expectParameterUsed(t, 'MasterNodes', /DedicatedMasterCount$/);
    expectParameterUsed(t, 'DataType', /ClusterConfig\.InstanceType$/);
    expectParameterUsed(t, 'MasterType', /DedicatedMasterType$/);
    expectParameterUsed(t, 'VolumeGiB', /EBSOptions\.VolumeSize$/);
    expectParameterUsed(t, 'DomainName', /DomainName$/);
    expectParameterUsed(t, 'WarmNodes', /WarmCount$/);
    expect(search.alarms.find((a) => a.node.id === 'FreeStorageAlarm')).toBeDefined();
    const free = Object.values(t.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.MetricName === 'FreeStorageSpace')!;
    expect(free.Properties.Threshold).toBe(20480);
  });
});

describe('SearchDomain validation', () => {
  const path = 'TestStack/Search';
  const fails = (props: Partial<SearchDomainProps>, prop: string, value: string | undefined, allowed: string) =>
    expectPropError(() => build(props), { path, prop, value, allowed });
  const passes = (props: Partial<SearchDomainProps>) => {
    const stack = testStack();
    return new SearchDomain(stack, 'Search', { vpc: importedVpc(stack), ...props });
  };

  test('node layout', () => {
    fails({ masterNodes: 2 }, 'masterNodes', '"2"', 'one of 3, 5');
    passes({ masterNodes: 5 });
    fails({ dataNodes: 4 }, 'dataNodes', '4', 'a multiple of availabilityZoneCount (3)');
    fails({ availabilityZoneCount: 1 }, 'availabilityZoneCount', '"1"', 'one of 2, 3');
    fails({ dataNodeInstanceType: 'r7g.large' }, 'dataNodeInstanceType', '"r7g.large"', 'an OpenSearch instance type');
    passes({ dataNodes: 1002 });
    fails({ dataNodes: 1005 }, 'dataNodes', '1005 nodes', '1-1002 nodes');
    passes({ dataNodes: 9, masterNodeInstanceType: 't3.medium.search' });
    fails({ dataNodes: 12, masterNodeInstanceType: 't3.medium.search' }, 'masterNodeInstanceType', '"t3.medium.search"', 'not a T2/T3 type with more than 10 data nodes');
    fails({ dataNodes: 12, dataNodeInstanceType: 't2.medium.search' }, 'dataNodeInstanceType', '"t2.medium.search"', 'not a T2 type with more than 10 data nodes');
    const stack = testStack();
    expectPropError(() => new SearchDomain(stack, 'Search', { vpc: importedVpc(stack), availabilityZoneCount: numberParameter(stack, 'Zones') }),
      { path, prop: 'availabilityZoneCount', allowed: 'known at synth time' });
  });

  test('storage tiers', () => {
    fails({ storageTiers: { coldStorage: true } }, 'storageTiers.coldStorage', 'true', 'only with UltraWarm');
    fails({ storageTiers: { warmNodes: 2, coldStorage: true }, dataNodeInstanceType: 't3.medium.search' }, 'dataNodeInstanceType', '"t3.medium.search"', 'not a T2/T3 type');
    fails({ storageTiers: { warmNodes: 1 } }, 'storageTiers.warmNodes', '1', '2-150');
    passes({ storageTiers: { warmNodes: 150, warmInstanceType: 'ultrawarm1.large.search' } });
    fails({ storageTiers: { warmNodes: 151 } }, 'storageTiers.warmNodes', '151', '2-150');
    fails({ storageTiers: { warmNodes: 2, warmInstanceType: 'ultrawarm2.medium.search' } }, 'storageTiers.warmInstanceType', '"ultrawarm2.medium.search"', 'one of ultrawarm1.medium.search');
    fails({ storageTiers: { warmInstanceType: 'ultrawarm1.large.search' } }, 'storageTiers.warmInstanceType', '"ultrawarm1.large.search"', 'only with storageTiers.warmNodes');
  });

  test('volume size within the instance type\'s gp3 limit, on both sides', () => {
    fails({ volumeSizeGiB: 5 }, 'volumeSizeGiB', '5 GiB', '10-24576 GiB');
    passes({ volumeSizeGiB: 10 });
    passes({ volumeSizeGiB: 2048, dataNodeInstanceType: 'r6g.large.search' });
    fails({ volumeSizeGiB: 2049, dataNodeInstanceType: 'r6g.large.search' }, 'volumeSizeGiB', '2049 GiB', '10-2048 GiB');
    fails({ volumeSizeGiB: 24577 }, 'volumeSizeGiB', '24577 GiB', '10-24576 GiB');
  });

  test('a workload whose computed volume exceeds the instance type\'s limit fails with the construct\'s message', () => {
    const ok = passes({ workload: { sourceDataGiB: 2122 }, dataNodeInstanceType: 'r6g.large.search' });
    expect(ok.volumeSizeGiB).toBe(2048);
    fails({ workload: { sourceDataGiB: 2123 }, dataNodeInstanceType: 'r6g.large.search' }, 'workload', '6146 GiB in total, 2049 GiB per data node', 'at most 2048 GiB per r6g.large.search data node');
    fails({ workload: { sourceDataGiB: 66, replicas: 16 } }, 'workload.replicas', '16', 'a whole number from 0 to 15');
    const stack = testStack();
    expectPropError(() => new SearchDomain(stack, 'Search', { vpc: importedVpc(stack), workload: { sourceDataGiB: numberParameter(stack, 'Gib') } }),
      { path, prop: 'workload', allowed: 'values known at synth time' });
  });

  test('subnets and name', () => {
    const { stack: s, vpc } = vpcStack();
    expectPropError(() => new SearchDomain(s, 'Search', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] } }), {
      path, prop: 'vpcSubnets', value: '"1 subnets"', allowed: 'at least availabilityZoneCount (3) subnets',
    });
    fails({ domainName: 'Logs' }, 'domainName', '"Logs"', '3-28 characters');
    passes({ domainName: 'a'.repeat(28) });
    fails({ domainName: 'a'.repeat(29) }, 'domainName', undefined, '3-28 characters');
    fails({ domainName: 'ab' }, 'domainName', '"ab"', '3-28 characters');
  });
});

describe('SearchDomain compliance', () => {
  test('imported VPC and key: cdk-nag clean in the four packs; the only acknowledgement is the VPC-only OS3', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new SearchDomain(stack, 'Search', { vpc: importedVpc(stack), encryptionKey: key });
    const report = expectNagClean(stack);
    expect([...new Set(report.acknowledged.map((a) => a.rule))].sort()).toEqual(['AwsSolutions-OS3']);
  });

  test('defaults in a VPC of the stack: cdk-nag clean', () => {
    const stack = testStack();
    new SearchDomain(stack, 'Search', { vpc: importedVpc(stack) });
    expectNagClean(stack);
  });
});

describe('SearchDomain master role options', () => {
  test('adminAssumerArns: exactly those principals (aws:PrincipalArn) may assume the master role; a tag lets no one else in', async () => {
    const named = `arn:aws:iam::${ACCOUNT}:role/SearchAdmins`;
    const { stack, search } = build({ adminAssumerArns: [named] });
    const access = AccessModel.of(stack);
    await access.expectAllowed({ ...Principals.roleAssumer('SearchAdmins'), action: 'sts:AssumeRole', resource: search.adminRole.roleArn, context: { 'aws:PrincipalArn': named } });
    const developer = Principals.roleAssumer('Developer');
    await access.expectDenied({
      ...developer,
      action: 'sts:AssumeRole',
      resource: search.adminRole.roleArn,
      context: { 'aws:PrincipalArn': developer.principal, [`aws:PrincipalTag/${SearchDomain.ADMIN_TAG}`]: 'true' },
    });
  });

  test('adminAssumerArns from a CommaDelimitedList parameter reach the master role\'s trust policy', () => {
    const { stack, vpc } = vpcStack();
    new SearchDomain(stack, 'Search', { vpc, adminAssumerArns: listParameter(stack, 'SearchAdmins') });
    expectParameterUsed(Template.fromStack(stack), 'SearchAdmins', /AssumeRolePolicyDocument/);
  });

  test('adminAssumerArns are IAM role or user ARNs, and only without adminRole (both sides)', () => {
    expectPropError(() => build({ adminAssumerArns: ['alice'] }), { path: 'TestStack/Search/AdminRole', prop: 'assumerArns[0]', value: 'alice', allowed: 'an IAM role or user ARN' });
    const { stack } = vpcStack();
    const own = iam.Role.fromRoleArn(stack, 'Own', `arn:aws:iam::${ACCOUNT}:role/Own`);
    expectPropError(() => new SearchDomain(stack, 'Search', { vpc: importedVpc(stack), adminRole: own, adminAssumerArns: [`arn:aws:iam::${ACCOUNT}:role/X`] }), {
      path: 'TestStack/Search', prop: 'adminAssumerArns', allowed: 'only without adminRole',
    });
    expect(build({ adminRole: iam.Role.fromRoleArn(testStack(), 'Own', `arn:aws:iam::${ACCOUNT}:role/Own`) }).search.adminRole.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/Own`);
  });
});
