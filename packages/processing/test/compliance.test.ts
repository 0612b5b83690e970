import * as path from 'path';
import { AlarmTopic, CustomerManagedPolicies, NagAcknowledgements } from '@analytics-patterns/core';
import {
  ColumnType, DataLakeDatabase, DataLakeStorage, DataLakeTable, PartitionKeys, TableFormat, TimePartitionDepth,
} from '@analytics-patterns/storage';
import { acknowledgementLines, expectNagClean, testStack } from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  ActivityWork, CatalogAndTransformWorkflow, ClusterAuthentication, DataLakeCrawler, DataLakeEtlJob, EmrScript, EmrServerlessJob, EmrStep,
  GlueSecurityConfiguration, LakePermission, LakePrincipal, LakeResource, ScheduledPipeline, SecureDataLake, TransientEmrCluster,
} from '../src';

/** Every construct of the package in one stack, as an app would compose them. */
function everything(stack: Stack): void {
  const storage = new DataLakeStorage(stack, 'Lake');
  const db = new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' });
  const source = new DataLakeTable(stack, 'RawEvents', {
    database: db,
    tableName: 'raw_events',
    format: TableFormat.JSON,
    columns: [{ name: 'event_id', type: ColumnType.STRING }],
    partitionKeys: PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
    bucket: storage.raw.bucket,
    prefix: 'events/',
  });
  const alarms = new AlarmTopic(stack, 'Alarms', { encryptionKey: new kms.Key(stack, 'AlarmKey', { enableKeyRotation: true }) });
  const security = new GlueSecurityConfiguration(stack, 'GlueSecurity', { encryptionKey: storage.encryptionKey });
  const crawler = new DataLakeCrawler(stack, 'Crawler', { database: db, targets: [{ bucket: storage.raw.bucket, prefix: 'events/' }], securityConfiguration: security, lakeFormationGoverned: true });
  const job = new DataLakeEtlJob(stack, 'Job', { source, target: { bucket: storage.curated.bucket, prefix: 'events/' }, lakeFormationGoverned: true });
  new CatalogAndTransformWorkflow(stack, 'Workflow', { crawler, job, schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }) });
  const lake = new SecureDataLake(stack, 'Governance', {
    admins: [LakePrincipal.fromArn('arn:aws:iam::123456789012:role/DataLakeAdmin')],
    bucket: storage.raw.bucket,
    locationPrefix: 'events',
    existingDatabases: [db],
    tables: [SecureDataLake.describeTable(source)],
    grants: [{ principal: LakePrincipal.account('210987654321'), resource: LakeResource.table('clickstream', 'raw_events'), permissions: [LakePermission.SELECT] }],
  });
  lake.grantCrawler(crawler.role, 'clickstream');
  lake.grantEtlJob(job.role, 'clickstream');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'emr', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  NagAcknowledgements.acknowledgeCompliance(vpc, 'VPCDefaultSecurityGroupClosed', 'Test fixture VPC: not part of the constructs under test.');
  NagAcknowledgements.acknowledgeCompliance(vpc, 'VPCFlowLogsEnabled', 'Test fixture VPC: not part of the constructs under test.');
  NagAcknowledgements.acknowledge(vpc, 'AwsSolutions-VPC7', 'Test fixture VPC: not part of the constructs under test.');
  const script = EmrScript.fromAsset(path.join(__dirname, '..', 'assets', 'emr', 'weblog_analysis.py'));
  const emr = new TransientEmrCluster(stack, 'Emr', {
    vpc,
    steps: [EmrStep.spark({ name: 'weblog-analysis', script })],
    authentication: ClusterAuthentication.keyPair('emr-lab'),
    inTransitEncryption: { certificateBucket: storage.raw.bucket, certificateKey: 'emr/tls.zip' },
    readLocations: [{ bucket: storage.raw.bucket, prefix: 'raw/' }],
    writeLocations: [{ bucket: storage.curated.bucket, prefix: 'curated/' }],
    encryptionKey: storage.encryptionKey,
    notificationTopic: alarms.topic,
    idleTimeout: Duration.minutes(30),
  });
  new EmrServerlessJob(stack, 'Serverless', { script, readLocations: [{ bucket: storage.raw.bucket, prefix: 'raw/' }], notificationTopic: alarms.topic });
  new ScheduledPipeline(stack, 'Pipeline', {
    activities: [
      { name: 'copy', work: ActivityWork.runCommandOnInstances({ tagKey: 'role', tagValue: 'web', commands: ['true'] }) },
      { name: 'emr', work: ActivityWork.runStateMachine(emr.stateMachine), dependsOn: ['copy'] },
    ],
    schedules: [{ name: 'daily', expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '1' }), activities: ['emr'] }],
    notificationTopic: alarms.topic,
  });
}

describe('processing constructs together', () => {
  test('four nag packs clean; the acknowledgements of the package, by pack and rule, are exactly these', () => {
    const stack = testStack();
    everything(stack);
    const report = expectNagClean(stack);
    // the storage constructs (SecureBucket, AccessLogBucket) acknowledge their own rules; they are pinned in the storage package's tests
    const ours = report.acknowledged.filter((a) => !/Test fixture/.test(a.reason) && !/^\[(SecureBucket|AccessLogBucket) at /.test(a.reason));
    const byPackAndRule = [...new Set(ours.map((a) => `${a.pack} ${a.rule.replace(/\[.*\]$/, '')}`))].sort();
    expect(byPackAndRule).toEqual([
      'AwsSolutions AwsSolutions-IAM4',
      'AwsSolutions AwsSolutions-IAM5',
      'HIPAA.Security HIPAA.Security-IAMNoInlinePolicy',
      'NIST.800.53.R5 NIST.800.53.R5-IAMNoInlinePolicy',
      'PCI.DSS.321 PCI.DSS.321-IAMNoInlinePolicy',
    ]);
    // every reason names the construct that decided it
    expect(ours.every((a) => /^\[[A-Za-z0-9]+ at TestStack\//.test(a.reason))).toBe(true);
    expect(acknowledgementLines(report, 'TestStack/').length).toBeGreaterThan(0);
  });

  test('with customer-managed policies (context flag) the compliance packs need no IAMNoInlinePolicy acknowledgement', () => {
    const stack = testStack({ context: { [CustomerManagedPolicies.CONTEXT_KEY]: true } });
    everything(stack);
    const report = expectNagClean(stack);
    const construct = /^TestStack\/(Crawler|Job|Workflow|Governance|Emr|Serverless|Pipeline|GlueSecurity)\//;
    expect(report.acknowledged.filter((a) => a.rule.endsWith('IAMNoInlinePolicy') && construct.test(a.path))).toEqual([]);
    const template = Template.fromStack(stack).toJSON();
    const inline = Object.entries<any>(template.Resources).filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && /^(Crawler|Job|Governance|Emr|Serverless|Pipeline)/.test(id));
    expect(inline.map(([id]) => id)).toEqual([]);
  });
});
