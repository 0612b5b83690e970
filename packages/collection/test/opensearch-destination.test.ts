import {
  AccessModel, acknowledgementsBy, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, numberParameter,
  Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { IndexRotation, OpenSearchDestination, OpenSearchDestinationProps, StreamIngestion, TimeGranularity } from '../src';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const DOMAIN_ARN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/search`;

function importedDomain(stack: Stack) {
  return opensearch.Domain.fromDomainAttributes(stack, 'Search', { domainArn: DOMAIN_ARN, domainEndpoint: `https://search-abc.${REGION}.es.amazonaws.com` });
}

function withVpcDelivery(stack: Stack): Partial<OpenSearchDestinationProps> {
  return {
    subnets: ['subnet-aaaa1111', 'subnet-bbbb2222'].map((s, i) => ec2.Subnet.fromSubnetId(stack, `Subnet${i}`, s)),
    securityGroups: [ec2.SecurityGroup.fromSecurityGroupId(stack, 'FirehoseSg', 'sg-0123456789abcdef0')],
  };
}

function build(props: Partial<OpenSearchDestinationProps> = {}, stack = testStack()) {
  const destination = new OpenSearchDestination({ domain: importedDomain(stack), indexName: 'clicks', ...props });
  const ingestion = new StreamIngestion(stack, 'Ingest', { destination, prefix: 'search-backup' });
  return { stack, ingestion };
}

const deliveryStream = (t: Template) => Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties;

describe('OpenSearchDestination', () => {
  describe('public domain, defaults', () => {
    const { stack, ingestion } = build();
    const t = Template.fromStack(stack);
    const ds = deliveryStream(t);
    const bucketArn = { 'Fn::GetAtt': [id(stack, ingestion.bucket), 'Arn'] };

    test('bulk indexing into a daily index, failed documents backed up to the bucket prefix, no VPC delivery', () => {
      expect(ds.ExtendedS3DestinationConfiguration).toBeUndefined();
      const os = ds.AmazonopensearchserviceDestinationConfiguration;
      expect(os).toEqual({
        DomainARN: DOMAIN_ARN,
        IndexName: 'clicks',
        IndexRotationPeriod: 'OneDay',
        RoleARN: { 'Fn::GetAtt': [id(stack, ingestion.deliveryRole), 'Arn'] },
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        RetryOptions: { DurationInSeconds: 300 },
        S3BackupMode: 'FailedDocumentsOnly',
        S3Configuration: expect.objectContaining({
          BucketARN: bucketArn,
          Prefix: 'search-backup/',
          ErrorOutputPrefix: 'errors/search-backup/!{firehose:error-output-type}/',
          CompressionFormat: 'GZIP',
          EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [id(stack, ingestion.encryptionKey), 'Arn'] } } },
        }),
        CloudWatchLoggingOptions: { Enabled: true, LogGroupName: { Ref: id(stack, ingestion.logGroup) }, LogStreamName: 'DestinationDelivery' },
      });
      expect(ingestion.dataPrefix).toBe('search-backup/');
    });

    test('alarms: freshness and failures of OpenSearch delivery, and of the S3 backup, each notifying the topic', () => {
      const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties).filter((p) => p.Namespace === 'AWS/Firehose');
      const topic = [{ Ref: id(stack, ingestion.alarmTopic) }];
      const dims = [{ Name: 'DeliveryStreamName', Value: { Ref: stack.getLogicalId(ingestion.deliveryStream) } }];
      const common = { Namespace: 'AWS/Firehose', Dimensions: dims, Period: 300, EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: topic, OKActions: topic };
      expect(alarms.map(({ AlarmDescription, ...rest }) => rest)).toEqual([
        { ...common, MetricName: 'DeliveryToAmazonOpenSearchService.DataFreshness', Statistic: 'Maximum', Threshold: 1350, ComparisonOperator: 'GreaterThanThreshold' },
        { ...common, MetricName: 'DeliveryToAmazonOpenSearchService.Success', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' },
        { ...common, MetricName: 'DeliveryToS3.Success', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' },
      ]);
      expect(ingestion.deliveryFailureAlarm.node.id).toBe('DeliveryFailureAlarm');
    });

    test('run time: the role indexes into the index through _bulk and reads the cluster state, nothing else', async () => {
      const access = AccessModel.of(stack);
      const role = ingestion.deliveryRole.roleArn;
      await access.expectAllowed(
        { principal: role, action: 'es:ESHttpPost', resource: `${DOMAIN_ARN}/_bulk` },
        { principal: role, action: 'es:ESHttpPut', resource: `${DOMAIN_ARN}/clicks-2026-11-28` },
        { principal: role, action: 'es:ESHttpGet', resource: `${DOMAIN_ARN}/_cluster/stats` },
        { principal: role, action: 'es:ESHttpGet', resource: `${DOMAIN_ARN}/clicks-2026-11-28/_stats` },
        { principal: role, action: 'es:DescribeDomain', resource: DOMAIN_ARN },
        { principal: role, action: 's3:PutObject', resource: ingestion.bucket.arnForObjects('search-backup/2026/11/28/10/x') },
      );
      await access.expectDenied(
        { principal: role, action: 'es:ESHttpPut', resource: `${DOMAIN_ARN}/orders-2026-11-28` },
        { principal: role, action: 'es:ESHttpDelete', resource: `${DOMAIN_ARN}/clicks-2026-11-28` },
        { principal: role, action: 'es:ESHttpGet', resource: `${DOMAIN_ARN}/clicks-2026-11-28/_search` },
        { principal: role, action: 'es:ESHttpPost', resource: `arn:aws:es:${REGION}:${ACCOUNT}:domain/other/_bulk` },
        { principal: role, action: 'ec2:CreateNetworkInterface', resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*` },
        { principal: Principals.strangerInAccount(), action: 'es:ESHttpPost', resource: `${DOMAIN_ARN}/_bulk` },
      );
    });
  });

  test('imported domain with VPC delivery: four packs clean, every wildcard acknowledged by its exact finding', () => {
    const stack = testStack();
    build(withVpcDelivery(stack), stack);
    const report = expectNagClean(stack);
    const acks = acknowledgementsBy(report, 'StreamIngestion');
    expect(acks).toEqual(expect.arrayContaining([
      `AwsSolutions-IAM5[Resource::${DOMAIN_ARN}/clicks*] TestStack/Ingest/DeliveryPolicy/Resource`,
      'AwsSolutions-IAM5[Resource::*] TestStack/Ingest/DeliveryPolicy/Resource',
      `AwsSolutions-IAM5[Resource::arn:aws:ec2:${REGION}:${ACCOUNT}:network-interface/*] TestStack/Ingest/DeliveryPolicy/Resource`,
    ]));
  });

  describe('VPC delivery', () => {
    test('imported domain: Firehose\'s interfaces in the given subnets and security groups; the EC2 actions AWS lists, scoped', async () => {
      const stack = testStack();
      const { ingestion } = build(withVpcDelivery(stack), stack);
      const ds = deliveryStream(Template.fromStack(stack)).AmazonopensearchserviceDestinationConfiguration;
      expect(ds.VpcConfiguration).toEqual({
        RoleARN: { 'Fn::GetAtt': [id(stack, ingestion.deliveryRole), 'Arn'] },
        SubnetIds: ['subnet-aaaa1111', 'subnet-bbbb2222'],
        SecurityGroupIds: ['sg-0123456789abcdef0'],
      });
      const access = AccessModel.of(stack);
      const role = ingestion.deliveryRole.roleArn;
      const ec2Arn = (r: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${r}`;
      await access.expectAllowed(
        { principal: role, action: 'ec2:DescribeSubnets', resource: '*' },
        { principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2Arn('subnet/subnet-aaaa1111') },
        { principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2Arn('security-group/sg-0123456789abcdef0') },
        { principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2Arn('network-interface/eni-1') },
        { principal: role, action: 'ec2:DeleteNetworkInterface', resource: ec2Arn('network-interface/eni-1') },
        { principal: role, action: 'ec2:CreateNetworkInterfacePermission', resource: ec2Arn('network-interface/eni-1') },
      );
      await access.expectDenied(
        { principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2Arn('subnet/subnet-other') },
        { principal: role, action: 'ec2:CreateNetworkInterface', resource: ec2Arn('security-group/sg-other') },
        { principal: role, action: 'ec2:DeleteNetworkInterface', resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:network-interface/eni-1` },
        { principal: role, action: 'ec2:DeleteSubnet', resource: ec2Arn('subnet/subnet-aaaa1111') },
      );
    });

    test('a domain of this app in a VPC: its own subnets and security group, which then allows HTTPS between its members', () => {
      const stack = testStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const domain = new opensearch.Domain(stack, 'Domain', {
        version: opensearch.EngineVersion.OPENSEARCH_2_17,
        vpc,
        vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
        zoneAwareness: { availabilityZoneCount: 2 },
        capacity: { dataNodes: 2, multiAzWithStandbyEnabled: false },
      });
      new StreamIngestion(stack, 'Ingest', { destination: new OpenSearchDestination({ domain, indexName: 'clicks' }) });
      const t = Template.fromStack(stack);
      const vpcConfig = deliveryStream(t).AmazonopensearchserviceDestinationConfiguration.VpcConfiguration;
      const domainVpc = t.toJSON().Resources[id(stack, domain)].Properties.VPCOptions;
      expect(vpcConfig.SubnetIds).toEqual(domainVpc.SubnetIds);
      expect(vpcConfig.SecurityGroupIds).toEqual(domainVpc.SecurityGroupIds);
      const sg = domain.connections.securityGroups[0];
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp', FromPort: 443, ToPort: 443, GroupId: { 'Fn::GetAtt': [id(stack, sg), 'GroupId'] }, SourceSecurityGroupId: { 'Fn::GetAtt': [id(stack, sg), 'GroupId'] },
      });
    });
  });

  test('options: rotation, buffering and retry reach the configuration', () => {
    const { stack } = build({
      indexRotation: IndexRotation.NO_ROTATION,
      bufferingInterval: Duration.seconds(0),
      bufferingSize: Size.mebibytes(100),
      retryDuration: Duration.seconds(7200),
    });
    const os = deliveryStream(Template.fromStack(stack)).AmazonopensearchserviceDestinationConfiguration;
    expect(os).toMatchObject({ IndexRotationPeriod: 'NoRotation', BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 100 }, RetryOptions: { DurationInSeconds: 7200 } });
  });

  test('tokens: index name, buffering and retry given as parameters reach the configuration', () => {
    const stack = testStack();
    build({
      indexName: stringParameter(stack, 'Index'),
      bufferingInterval: Duration.seconds(numberParameter(stack, 'Interval')),
      bufferingSize: Size.mebibytes(numberParameter(stack, 'SizeMib')),
      retryDuration: Duration.seconds(numberParameter(stack, 'Retry')),
    }, stack);
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Index', /IndexName/);
    expectParameterUsed(t, 'Index', /PolicyDocument/);
    expectParameterUsed(t, 'Interval', /AmazonopensearchserviceDestinationConfiguration\.BufferingHints\.IntervalInSeconds/);
    expectParameterUsed(t, 'SizeMib', /AmazonopensearchserviceDestinationConfiguration\.BufferingHints\.SizeInMBs/);
    expectParameterUsed(t, 'Retry', /RetryOptions/);
  });

  describe('validation, both sides of each limit', () => {
    const path = 'TestStack/Ingest';
    const fails = (props: Partial<OpenSearchDestinationProps>, prop: string, value: string, allowed: string) =>
      expectPropError(() => build(props), { path, prop, value, allowed });
    test('accepted at the boundaries', () => {
      for (const props of [
        { indexName: 'a' }, { indexName: 'a'.repeat(80) }, { indexName: 'logs-2026.v1_x' },
        { bufferingInterval: Duration.seconds(900), bufferingSize: Size.mebibytes(1), retryDuration: Duration.seconds(0) },
      ] as Array<Partial<OpenSearchDestinationProps>>) {
        expect(() => build(props)).not.toThrow();
      }
    });
    test('refused beyond them', () => {
      fails({ indexName: 'Clicks' }, 'destination.indexName', 'Clicks', 'lower-case');
      fails({ indexName: '_clicks' }, 'destination.indexName', '_clicks', 'not starting with');
      fails({ indexName: 'a b' }, 'destination.indexName', 'a b', 'without');
      fails({ indexName: 'a'.repeat(81) }, 'destination.indexName', 'aaa', '1-80 characters');
      fails({ bufferingInterval: Duration.seconds(901) }, 'destination.bufferingInterval', '901 seconds', '0-900 seconds');
      fails({ bufferingSize: Size.mebibytes(101) }, 'destination.bufferingSize', '101 MiB', '1-100 MiB');
      fails({ bufferingSize: Size.mebibytes(0) }, 'destination.bufferingSize', '0 MiB', '1-100 MiB');
      fails({ retryDuration: Duration.seconds(7201) }, 'destination.retryDuration', '7201 seconds', '0-7200 seconds');
    });
    test('VPC delivery needs security groups for an imported domain; at most 16 subnets and 5 security groups', () => {
      const stack = testStack();
      const { subnets, securityGroups } = withVpcDelivery(stack);
      expectPropError(() => build({ subnets }, stack), { path, prop: 'destination.securityGroups', allowed: 'required with subnets of an imported domain' });
      const s2 = testStack();
      expectPropError(() => build({ securityGroups: withVpcDelivery(s2).securityGroups }, s2), { path, prop: 'destination.securityGroups', allowed: 'only with subnets' });
      const s3 = testStack();
      const many = Array.from({ length: 17 }, (_, i) => ec2.Subnet.fromSubnetId(s3, `S${i}`, `subnet-${i}`));
      expectPropError(() => build({ subnets: many, securityGroups }, s3), { path, prop: 'destination.subnets', allowed: '1-16 entries' });
      const s4 = testStack();
      const sixGroups = Array.from({ length: 6 }, (_, i) => ec2.SecurityGroup.fromSecurityGroupId(s4, `G${i}`, `sg-${i}`));
      expectPropError(() => build({ subnets: withVpcDelivery(s4).subnets, securityGroups: sixGroups }, s4), { path, prop: 'destination.securityGroups', allowed: '1-5 entries' });
    });
    test('S3-only props are refused with another destination', () => {
      const stack = testStack();
      const destination = new OpenSearchDestination({ domain: importedDomain(stack), indexName: 'clicks' });
      expectPropError(() => new StreamIngestion(stack, 'Ingest', { destination, partitioning: { timeGranularity: TimeGranularity.HOUR } }), {
        path, prop: 'partitioning', allowed: 'not set with destination OpenSearch',
      });
    });
  });
});
