import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SearchDomain, SearchDomainProps } from '../src';

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

function build(props: Partial<SearchDomainProps> = {}, sandbox = false) {
  const { stack, vpc } = vpcStack(sandbox);
  const search = new SearchDomain(stack, 'Search', { vpc, ...props });
  return { stack, vpc, search, template: Template.fromStack(stack) };
}

describe('SearchDomain', () => {
  const { stack, search, template } = build({ workload: { sourceDataGiB: 66 }, allowedPeers: [ec2.Peer.ipv4('10.0.0.0/16')] });
  const domain = () => Object.values(template.findResources('AWS::OpenSearchService::Domain'))[0];

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

  test('in the VPC, encrypted at rest with the CMK, node-to-node, HTTPS with TLS 1.2 PFS, fine-grained access control', () => {
    const keyId = { Ref: stack.getLogicalId(search.encryptionKey.node.defaultChild as kms.CfnKey) };
    expect(domain().Properties).toMatchObject({
      EncryptionAtRestOptions: { Enabled: true, KmsKeyId: keyId },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' },
      AdvancedSecurityOptions: { Enabled: true, InternalUserDatabaseEnabled: false, MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [expect.stringMatching(/^SearchAdminRole/), 'Arn'] } } },
    });
    expect(domain().Properties.VPCOptions.SubnetIds).toHaveLength(3);
    expect(domain().DeletionPolicy).toBe('Retain');
  });

  test('domain policy (native, no custom resource) lets only the master role in; HTTPS only from the allowed peers', () => {
    const name = domain().Properties.DomainName;
    expect(name).toMatch(/^[a-z][a-z0-9-]{2,27}$/);
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

  test('four encrypted log groups, published through a native log resource policy (no custom resource)', () => {
    expect(Object.keys(domain().Properties.LogPublishingOptions).sort()).toEqual(['AUDIT_LOGS', 'ES_APPLICATION_LOGS', 'INDEX_SLOW_LOGS', 'SEARCH_SLOW_LOGS']);
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue() }, 4);
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::CloudwatchLogResourcePolicy', 0);
  });

  test('alarms: red status, free storage (25 % of the volume, MiB), JVM pressure, blocked writes, snapshots', () => {
    const byMetric = Object.fromEntries(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => [a.Properties.MetricName, a.Properties]));
    expect(Object.keys(byMetric).sort()).toEqual(['AutomatedSnapshotFailure', 'ClusterIndexWritesBlocked', 'ClusterStatus.red', 'FreeStorageSpace', 'JVMMemoryPressure']);
    expect(byMetric.FreeStorageSpace).toMatchObject({ Threshold: 16384, ComparisonOperator: 'LessThanOrEqualToThreshold', Statistic: 'Minimum' });
    expect(byMetric.JVMMemoryPressure).toMatchObject({ Threshold: 80 });
    expect(byMetric['ClusterStatus.red'].Dimensions).toEqual(expect.arrayContaining([{ Name: 'ClientId', Value: '123456789012' }]));
  });

  test('UltraWarm and cold storage', () => {
    const { template: t } = build({ storageTiers: { warmNodes: 2, coldStorage: true } });
    const d = Object.values(t.findResources('AWS::OpenSearchService::Domain'))[0].Properties;
    expect(d.ClusterConfig).toMatchObject({ WarmEnabled: true, WarmCount: 2, WarmType: 'ultrawarm1.medium.search', ColdStorageOptions: { Enabled: true } });
  });

  test('sandbox mode: domain and logs are destroyed', () => {
    const { template: t } = build({}, true);
    for (const type of ['AWS::OpenSearchService::Domain', 'AWS::Logs::LogGroup']) {
      for (const [id, r] of Object.entries(t.findResources(type))) if (id.startsWith('Search')) expect(r.DeletionPolicy).toBe('Delete');
    }
  });

  test('cdk-nag clean', () => {
    const { stack: s, vpc } = vpcStack();
    new SearchDomain(s, 'Search', { vpc });
    expectNagClean(s, AWS_SOLUTIONS_ONLY);
  });

  describe('validation', () => {
    const path = 'TestStack/Search';
    const fails = (props: Partial<SearchDomainProps>, prop: string, value: string, allowed: string) =>
      expectPropError(() => build(props), { path, prop, value, allowed });
    test('node layout', () => {
      fails({ masterNodes: 2 }, 'masterNodes', '"2"', 'one of 3, 5');
      fails({ dataNodes: 4 }, 'dataNodes', '4', 'a multiple of availabilityZoneCount (3)');
      fails({ availabilityZoneCount: 1 }, 'availabilityZoneCount', '"1"', 'one of 2, 3');
      fails({ dataNodeInstanceType: 'r7g.large' }, 'dataNodeInstanceType', '"r7g.large"', 'an OpenSearch instance type');
    });
    test('storage tiers', () => {
      fails({ storageTiers: { coldStorage: true } }, 'storageTiers.coldStorage', 'true', 'only with UltraWarm');
      fails({ storageTiers: { warmNodes: 2, coldStorage: true }, dataNodeInstanceType: 't3.medium.search' }, 'dataNodeInstanceType', '"t3.medium.search"', 'not a T2/T3 type');
      fails({ storageTiers: { warmNodes: 1 } }, 'storageTiers.warmNodes', '1', '2-150');
      fails({ volumeSizeGiB: 5 }, 'volumeSizeGiB', '5 GiB', '10-24576 GiB');
    });
    test('subnets and name', () => {
      const { stack: s, vpc } = vpcStack();
      expectPropError(() => new SearchDomain(s, 'Search', { vpc, vpcSubnets: { subnets: [vpc.isolatedSubnets[0]] } }), {
        path, prop: 'vpcSubnets', value: '"1 subnets"', allowed: 'at least availabilityZoneCount (3) subnets',
      });
      fails({ domainName: 'Logs' }, 'domainName', '"Logs"', '3-28 characters');
    });
  });
});
