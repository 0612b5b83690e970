import {
  AccessModel, acknowledgementsBy, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, numberParameter,
  Principals, stringParameter, testApp, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RedshiftDestination, RedshiftDestinationProps, RedshiftEndpoint, StreamIngestion, StreamIngestionProps } from '../src';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:firehose-loader-AbCdEf`;

function publicEndpoint() {
  return RedshiftEndpoint.fromAttributes({ hostname: 'analytics.abc123.eu-west-1.redshift.amazonaws.com', publiclyAccessible: true });
}

function build(props: Partial<RedshiftDestinationProps> = {}, stack = testStack(), ingestionProps: StreamIngestionProps = {}) {
  const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
  const credentials = secretsmanager.Secret.fromSecretAttributes(stack, 'Loader', { secretCompleteArn: SECRET_ARN, encryptionKey: key });
  const destination = new RedshiftDestination({ endpoint: publicEndpoint(), database: 'analytics', tableName: 'public.clicks', credentials, ...props });
  const ingestion = new StreamIngestion(stack, 'Ingest', { destination, prefix: 'redshift-staging', ...ingestionProps });
  return { stack, ingestion, credentials, key };
}

const config = (t: Template) => Object.values(t.findResources('AWS::KinesisFirehose::DeliveryStream'))[0].Properties.RedshiftDestinationConfiguration;

describe('RedshiftDestination', () => {
  describe('public endpoint, defaults', () => {
    const sgStack = testStack();
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(sgStack, 'ClusterSg', 'sg-0aaa1111bbbb22223');
    const { stack, ingestion, key } = build({ securityGroup }, sgStack);
    const t = Template.fromStack(stack);

    test('COPY from files staged under the prefix, JSON auto with GZIP, credentials from Secrets Manager, one-hour retry', () => {
      expect(config(t)).toEqual({
        ClusterJDBCURL: 'jdbc:redshift://analytics.abc123.eu-west-1.redshift.amazonaws.com:5439/analytics',
        CopyCommand: { DataTableName: 'public.clicks', CopyOptions: "JSON 'auto' GZIP" },
        RoleARN: { 'Fn::GetAtt': [id(stack, ingestion.deliveryRole), 'Arn'] },
        S3Configuration: expect.objectContaining({
          BucketARN: { 'Fn::GetAtt': [id(stack, ingestion.bucket), 'Arn'] },
          Prefix: 'redshift-staging/',
          CompressionFormat: 'GZIP',
          EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': [id(stack, ingestion.encryptionKey), 'Arn'] } } },
        }),
        SecretsManagerConfiguration: { Enabled: true, SecretARN: SECRET_ARN, RoleARN: { 'Fn::GetAtt': [id(stack, ingestion.deliveryRole), 'Arn'] } },
        RetryOptions: { DurationInSeconds: 3600 },
        S3BackupMode: 'Disabled',
        CloudWatchLoggingOptions: { Enabled: true, LogGroupName: { Ref: id(stack, ingestion.logGroup) }, LogStreamName: 'DestinationDelivery' },
      });
      expect(config(t).Username).toBeUndefined();
      expect(config(t).Password).toBeUndefined();
    });

    test('the cluster\'s security group admits the Firehose CIDR block of the region on the endpoint port', () => {
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: 'sg-0aaa1111bbbb22223', IpProtocol: 'tcp', FromPort: 5439, ToPort: 5439, CidrIp: '52.19.239.192/27',
      });
    });

    test('alarms: staging freshness, failed COPYs and failed staging, each notifying the topic', () => {
      const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties).filter((p) => p.Namespace === 'AWS/Firehose');
      const topic = [{ Ref: id(stack, ingestion.alarmTopic) }];
      const dims = [{ Name: 'DeliveryStreamName', Value: { Ref: stack.getLogicalId(ingestion.deliveryStream) } }];
      const common = { Namespace: 'AWS/Firehose', Dimensions: dims, Period: 300, EvaluationPeriods: 1, TreatMissingData: 'notBreaching', AlarmActions: topic, OKActions: topic };
      expect(alarms.map(({ AlarmDescription, ...rest }) => rest)).toEqual([
        { ...common, MetricName: 'DeliveryToS3.DataFreshness', Statistic: 'Maximum', Threshold: 1350, ComparisonOperator: 'GreaterThanThreshold' },
        { ...common, MetricName: 'DeliveryToRedshift.Success', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' },
        { ...common, MetricName: 'DeliveryToS3.Success', Statistic: 'Minimum', Threshold: 1, ComparisonOperator: 'LessThanThreshold' },
      ]);
    });

    test('run time: the role reads the credentials (decrypting through Secrets Manager) and writes only the staging prefix', async () => {
      const access = AccessModel.of(stack);
      const role = ingestion.deliveryRole.roleArn;
      await access.expectAllowed(
        { principal: role, action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
        { principal: role, action: 'kms:Decrypt', resource: key.keyArn, context: { 'kms:ViaService': `secretsmanager.${REGION}.amazonaws.com` } },
        { principal: role, action: 's3:PutObject', resource: ingestion.bucket.arnForObjects('redshift-staging/2026/11/28/10/x.gz') },
        { principal: role, action: 's3:GetObject', resource: ingestion.bucket.arnForObjects('redshift-staging/2026/11/28/10/x.gz') },
      );
      await access.expectDenied(
        { principal: role, action: 'secretsmanager:GetSecretValue', resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:admin-XyZ123` },
        { principal: role, action: 'secretsmanager:PutSecretValue', resource: SECRET_ARN },
        { principal: role, action: 'kms:Decrypt', resource: key.keyArn, context: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } },
        { principal: Principals.strangerInAccount(), action: 'secretsmanager:GetSecretValue', resource: SECRET_ARN },
        { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: ingestion.bucket.arnForObjects('redshift-staging/x.gz') },
      );
    });
  });

  test('four packs clean with an imported endpoint and secret', () => {
    const report = expectNagClean(build().stack);
    expect(acknowledgementsBy(report, 'StreamIngestion').filter((a) => a.startsWith('AwsSolutions-IAM5'))).toEqual([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<IngestBucket[0-9A-F]+\.Arn>\/errors\/redshift-staging\/\*\]/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<IngestBucket[0-9A-F]+\.Arn>\/redshift-staging\/\*\]/),
    ]);
  });

  test('with an explicit region the ingress rule\'s CIDR is a literal: the open-ingress rules evaluate it and pass, nothing acknowledged', () => {
    const stack = testStack();
    build({ securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-0aaa1111bbbb22223') }, stack);
    const report = expectNagClean(stack);
    expect(report.acknowledged.filter((a) => a.path.endsWith('FirehoseToRedshift'))).toEqual([]);
  });

  describe('reachability, checked at synth', () => {
    const path = 'TestStack/Ingest';
    const cluster = (stack: Stack, publiclyAccessible?: boolean) => new redshift.CfnCluster(stack, 'Warehouse', {
      clusterType: 'multi-node', numberOfNodes: 2, nodeType: 'ra3.xlplus', dbName: 'analytics', masterUsername: 'admin', manageMasterPassword: true, publiclyAccessible,
    });

    test('a private provisioned cluster (like RedshiftWarehouse) is refused, with the reason and the alternatives', () => {
      for (const publiclyAccessible of [false, undefined]) {
        const stack = testStack();
        const msg = expectPropError(() => build({ endpoint: RedshiftEndpoint.fromCluster(cluster(stack, publiclyAccessible)) }, stack), {
          path, prop: 'destination.endpoint', value: 'TestStack/Warehouse (not publicly accessible)', allowed: 'a publicly accessible Redshift cluster',
        });
        expect(msg).toContain('never through a VPC');
        expect(msg).toContain('streaming ingestion');
      }
    });

    test('a publicly accessible cluster: the JDBC URL is built from its endpoint attributes', () => {
      const stack = testStack();
      const c = cluster(stack, true);
      build({ endpoint: RedshiftEndpoint.fromCluster(c) }, stack);
      expect(config(Template.fromStack(stack)).ClusterJDBCURL).toEqual({
        'Fn::Join': ['', ['jdbc:redshift://', { 'Fn::GetAtt': [stack.getLogicalId(c), 'Endpoint.Address'] }, ':', { 'Fn::GetAtt': [stack.getLogicalId(c), 'Endpoint.Port'] }, '/analytics']],
      });
    });

    test('Redshift Serverless: a private workgroup is refused, a public one accepted', () => {
      const workgroup = (stack: Stack, publiclyAccessible: boolean) => new rss.CfnWorkgroup(stack, 'Workgroup', { workgroupName: 'wg', namespaceName: 'ns', publiclyAccessible });
      const s1 = testStack();
      expectPropError(() => build({ endpoint: RedshiftEndpoint.fromServerlessWorkgroup(workgroup(s1, false)) }, s1), { path, prop: 'destination.endpoint', allowed: 'publicly accessible' });
      const s2 = testStack();
      const wg = workgroup(s2, true);
      build({ endpoint: RedshiftEndpoint.fromServerlessWorkgroup(wg) }, s2);
      expect(JSON.stringify(config(Template.fromStack(s2)).ClusterJDBCURL)).toContain('Workgroup.Endpoint.Address');
    });

    test('an imported endpoint declared private is refused; without a security group a warning names the CIDR block to allow', () => {
      const s1 = testStack();
      expectPropError(() => build({ endpoint: RedshiftEndpoint.fromAttributes({ hostname: 'h.example', publiclyAccessible: false }) }, s1), { path, prop: 'destination.endpoint' });
      const { stack } = build();
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
      expect(warnings.some((w) => w.includes('52.19.239.192/27') && w.includes('5439'))).toBe(true);
    });

    test('an environment-agnostic stack looks the CIDR block up in a mapping of every region (cdk-nag clean: the rules that cannot read the mapping are acknowledged)', () => {
      const stack = new Stack(testApp(), 'Agnostic');
      const sg = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-1');
      build({ securityGroup: sg }, stack);
      const t = Template.fromStack(stack).toJSON();
      expect(t.Mappings.FirehoseRedshiftCidrs['us-east-1']).toEqual({ cidr: '52.70.63.192/27' });
      expect(Object.keys(t.Mappings.FirehoseRedshiftCidrs)).toHaveLength(26);
      const ingress = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::EC2::SecurityGroupIngress');
      expect(ingress.Properties.CidrIp).toEqual({ 'Fn::FindInMap': ['FirehoseRedshiftCidrs', { Ref: 'AWS::Region' }, 'cidr'] });
      expect(acknowledgementsBy(expectNagClean(stack), 'StreamIngestion').filter((a) => a.includes('FirehoseToRedshift'))).toEqual([
        'AwsSolutions-EC23 Agnostic/Ingest/FirehoseToRedshift',
        'HIPAA.Security-EC2RestrictedCommonPorts Agnostic/Ingest/FirehoseToRedshift',
        'HIPAA.Security-EC2RestrictedSSH Agnostic/Ingest/FirehoseToRedshift',
        'NIST.800.53.R5-EC2RestrictedCommonPorts Agnostic/Ingest/FirehoseToRedshift',
        'NIST.800.53.R5-EC2RestrictedSSH Agnostic/Ingest/FirehoseToRedshift',
        'PCI.DSS.321-EC2RestrictedCommonPorts Agnostic/Ingest/FirehoseToRedshift',
        'PCI.DSS.321-EC2RestrictedSSH Agnostic/Ingest/FirehoseToRedshift',
      ]);
    });

    test('a region without a published Firehose block is an error', () => {
      const stack = new Stack(testApp(), 'Elsewhere', { env: { account: ACCOUNT, region: 'xx-nowhere-1' } });
      expect(() => build({}, stack)).toThrow(/no Redshift CIDR block for region xx-nowhere-1/);
    });
  });

  test('options: columns, COPY options without GZIP on uncompressed staging, retry', () => {
    const { stack } = build({ columns: ['event_id', 'user_id'], copyOptions: "JSON 's3://cfg/jsonpaths.json' TIMEFORMAT 'auto'", retryDuration: Duration.seconds(0) },
      testStack(), { compression: firehose.Compression.UNCOMPRESSED });
    expect(config(Template.fromStack(stack))).toMatchObject({
      CopyCommand: { DataTableName: 'public.clicks', DataTableColumns: 'event_id,user_id', CopyOptions: "JSON 's3://cfg/jsonpaths.json' TIMEFORMAT 'auto'" },
      RetryOptions: { DurationInSeconds: 0 },
      S3Configuration: expect.objectContaining({ CompressionFormat: 'UNCOMPRESSED' }),
    });
  });

  test('tokens: database, table, COPY options, retry and hostname given as parameters reach the configuration', () => {
    const stack = testStack();
    build({
      endpoint: RedshiftEndpoint.fromAttributes({ hostname: stringParameter(stack, 'Host'), port: numberParameter(stack, 'Port'), publiclyAccessible: true }),
      database: stringParameter(stack, 'Database'),
      tableName: stringParameter(stack, 'Table'),
      copyOptions: stringParameter(stack, 'CopyOptions'),
      retryDuration: Duration.seconds(numberParameter(stack, 'Retry')),
    }, stack);
    const t = Template.fromStack(stack);
    for (const [p, where] of [['Host', /ClusterJDBCURL/], ['Port', /ClusterJDBCURL/], ['Database', /ClusterJDBCURL/], ['Table', /DataTableName/], ['CopyOptions', /CopyOptions/], ['Retry', /RetryOptions/]] as const) {
      expectParameterUsed(t, p, where);
    }
  });

  describe('validation, both sides of each limit', () => {
    const path = 'TestStack/Ingest';
    const fails = (props: Partial<RedshiftDestinationProps>, prop: string, value: string, allowed: string, ingestion: StreamIngestionProps = {}) =>
      expectPropError(() => build(props, testStack(), ingestion), { path, prop, value, allowed });
    test('accepted at the boundaries', () => {
      for (const props of [{ retryDuration: Duration.seconds(7200) }, { tableName: 'clicks' }, { tableName: `s.${'t'.repeat(200)}` }, { database: 'd'.repeat(64) }]) {
        expect(() => build(props)).not.toThrow();
      }
    });
    test('refused beyond them', () => {
      fails({ retryDuration: Duration.seconds(7201) }, 'destination.retryDuration', '7201 seconds', '0-7200 seconds');
      fails({ tableName: 'clicks; drop table x' }, 'destination.tableName', 'clicks; drop table x', 'a Redshift table name');
      fails({ tableName: '1clicks' }, 'destination.tableName', '1clicks', 'a Redshift table name');
      fails({ database: 'd'.repeat(65) }, 'destination.database', 'ddd', '1-64 characters');
      fails({ columns: ['a', 'a'] }, 'destination.columns', 'a', 'distinct entries');
      fails({ columns: ['a b'] }, 'destination.columns[0]', 'a b', 'a Redshift column name');
      fails({}, 'compression', 'Snappy', 'UNCOMPRESSED or GZIP', { compression: firehose.Compression.SNAPPY });
    });
  });
});
