import { CustomerManagedPolicies } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ColumnType, DataLakeDatabase, DataLakeStorage, DataLakeTable, IDataLakeTable, TableFormat } from '@analytics-patterns/storage';
import {
  AccessModel, cfnValidationFindings, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, numberParameter,
  Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AnalyticsWorkgroup, AnalyticsWorkgroupProps } from '../src';

const ACCOUNT = '123456789012';

function workgroup(stack: Stack, overrides: Partial<AnalyticsWorkgroupProps> = {}): AnalyticsWorkgroup {
  return new AnalyticsWorkgroup(stack, 'Workgroup', { workgroupName: 'analysts', ...overrides });
}

function eventsTable(stack: Stack): DataLakeTable {
  const lake = new DataLakeStorage(stack, 'Lake');
  return new DataLakeTable(stack, 'Events', {
    database: new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' }),
    tableName: 'events',
    format: TableFormat.PARQUET,
    columns: [{ name: 'event_id', type: ColumnType.STRING }],
    bucket: lake.curated.bucket,
    prefix: 'events/',
  });
}

describe('AnalyticsWorkgroup', () => {
  test('enforced configuration, SSE_KMS results with the CMK, cutoff, metrics, engine v3', () => {
    const stack = testStack();
    const w = workgroup(stack);
    const t = Template.fromStack(stack);
    t.hasResource('AWS::Athena::WorkGroup', {
      DeletionPolicy: 'Retain',
      Properties: {
        Name: 'analysts',
        State: 'ENABLED',
        RecursiveDeleteOption: false,
        WorkGroupConfiguration: {
          EnforceWorkGroupConfiguration: true,
          PublishCloudWatchMetricsEnabled: true,
          RequesterPaysEnabled: false,
          BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
          EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
          ResultConfiguration: {
            OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: id(stack, w.resultsBucket) }, '/athena-results/analysts/']] },
            ExpectedBucketOwner: '123456789012',
            EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [id(stack, w.encryptionKey), 'Arn'] } },
          },
        },
      },
    });
    // results bucket: SecureBucket with the same CMK, results expire after 30 days
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [id(stack, w.encryptionKey), 'Arn'] } } })] },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Transitions: Match.absent() }),
        ]),
      },
    });
    expect(w.bytesScannedCutoffPerQuery).toBe(10737418240);
    expect(w.workgroupArn).toContain(':workgroup/analysts');
  });

  test('per-workgroup data usage control: alarm on ProcessedBytes of this workgroup, with SNS actions', () => {
    const stack = testStack();
    const topic = new sns.Topic(stack, 'Alarms');
    workgroup(stack, { dataUsageLimit: Size.gibibytes(100), dataUsagePeriod: Duration.hours(1), alarmTopic: topic });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Athena',
      MetricName: 'ProcessedBytes',
      Dimensions: [{ Name: 'WorkGroup', Value: 'analysts' }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: 100 * 1024 ** 3,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: id(stack, topic) }],
      OKActions: [{ Ref: id(stack, topic) }],
    });
  });

  test('default data usage limit: 1 TiB per day', () => {
    const stack = testStack();
    workgroup(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { Period: 86400, Threshold: 1024 ** 4 });
  });

  test('named queries belong to the workgroup', () => {
    const stack = testStack();
    const w = workgroup(stack, { namedQueries: [{ name: 'daily-revenue', database: 'clickstream', queryString: 'SELECT 1', description: 'revenue' }] });
    w.addNamedQuery({ name: 'top-pages', database: 'clickstream', queryString: 'SELECT 2' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Athena::NamedQuery', 2);
    t.hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: 'daily-revenue', Database: 'clickstream', QueryString: 'SELECT 1', Description: 'revenue', WorkGroup: { Ref: id(stack, w.workgroup) },
    });
    expect(w.namedQueries).toHaveLength(2);
  });

  test('sandbox mode: workgroup deleted with its queries', () => {
    const stack = testStack({ sandbox: true });
    workgroup(stack);
    Template.fromStack(stack).hasResource('AWS::Athena::WorkGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RecursiveDeleteOption: true }) });
  });

  test('existing results bucket and key', () => {
    const stack = testStack();
    const key = new DataKey(stack, 'Key').key;
    const bucket = s3.Bucket.fromBucketName(stack, 'Results', 'corp-athena-results');
    const w = workgroup(stack, { existingResultsBucket: bucket, encryptionKey: key, resultsPrefix: 'team-a/' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        ResultConfiguration: Match.objectLike({ OutputLocation: 's3://corp-athena-results/team-a/', EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [id(stack, key), 'Arn'] } } }),
      }),
    });
    expect(w.secureResultsBucket).toBeUndefined();
  });

  test('grantQuery: this workgroup only, result prefix, key via S3/Athena; Lake Formation tables: catalog + GetDataAccess, no S3', () => {
    const stack = testStack();
    const w = workgroup(stack);
    const events = eventsTable(stack);
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    w.grantQuery(analyst, { tables: [events], lakeFormation: true });
    const results = { 'Fn::GetAtt': [id(stack, w.resultsBucket), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, analyst) }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: [
              'athena:StartQueryExecution', 'athena:StopQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults',
              'athena:GetQueryResultsStream', 'athena:GetQueryRuntimeStatistics', 'athena:ListQueryExecutions',
              'athena:BatchGetQueryExecution', 'athena:GetWorkGroup', 'athena:ListNamedQueries', 'athena:GetNamedQuery', 'athena:BatchGetNamedQuery',
            ],
            Resource: 'arn:aws:athena:eu-west-1:123456789012:workgroup/analysts',
          },
          {
            Effect: 'Allow',
            Action: ['s3:GetBucketLocation', 's3:ListBucket'],
            Resource: results,
            Condition: { StringLike: { 's3:prefix': ['athena-results/analysts/', 'athena-results/analysts/*'] } },
          },
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
            Resource: { 'Fn::Join': ['', [results, '/athena-results/analysts/*']] },
          },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [id(stack, w.encryptionKey), 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'athena.eu-west-1.amazonaws.com'] } },
          },
          {
            Effect: 'Allow',
            Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
            Resource: [
              'arn:aws:glue:eu-west-1:123456789012:catalog',
              'arn:aws:glue:eu-west-1:123456789012:database/clickstream',
              'arn:aws:glue:eu-west-1:123456789012:table/clickstream/events',
            ],
          },
          { Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' },
        ],
      },
    });
  });

  test('grantQuery without Lake Formation reads the table prefix directly', () => {
    const stack = testStack();
    const w = workgroup(stack);
    const events = eventsTable(stack);
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    w.grantQuery(analyst, { tables: [events] });
    const policy = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
    expect(policy).toContain('/events/*');
    expect(policy).not.toContain('lakeformation:GetDataAccess');
  });

  test('grantQuery reads any IDataLakeTable (a hand-written table, not DataLakeTable) through its own grant methods', () => {
    const stack = testStack();
    const w = workgroup(stack);
    const bucket = s3.Bucket.fromBucketName(stack, 'Orders', 'orders-bucket');
    const calls: string[] = [];
    const grant = (kind: string) => (grantee: iam.IGrantable) => {
      calls.push(kind);
      return iam.Grant.addToPrincipal({ grantee, actions: [`glue:${kind}`], resourceArns: ['arn:aws:glue:eu-west-1:123456789012:table/sales/orders'] });
    };
    const orders: IDataLakeTable = {
      tableName: 'orders',
      databaseName: 'sales',
      database: DataLakeDatabase.fromDatabaseName(stack, 'Sales', 'sales'),
      tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders',
      partitionKeys: [],
      bucket,
      prefix: 'orders/',
      grantRead: grant('GetTable'),
      grantReadMetadata: grant('GetTables'),
    };
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    const lakeAnalyst = new iam.Role(stack, 'LakeAnalyst', { assumedBy: new iam.AccountRootPrincipal() });
    w.grantQuery(analyst, { tables: [orders] });
    w.grantQuery(lakeAnalyst, { tables: [orders], lakeFormation: true });
    expect(calls).toEqual(['GetTable', 'GetTables']);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'glue:GetTable', Resource: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders' },
      { Effect: 'Allow', Action: 'glue:GetTables', Resource: 'arn:aws:glue:eu-west-1:123456789012:table/sales/orders' },
    ]));
  });

  test('cdk-nag clean, with analysts granted (Lake Formation and direct)', () => {
    const stack = testStack();
    const w = workgroup(stack, { namedQueries: [{ name: 'q', database: 'clickstream', queryString: 'SELECT 1' }] });
    const events = eventsTable(stack);
    w.grantQuery(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }), { tables: [events], lakeFormation: true });
    w.grantQuery(new iam.Role(stack, 'Engineer', { assumedBy: new iam.AccountRootPrincipal() }), { tables: [events] });
    CustomerManagedPolicies.apply(stack); // the app's own roles (the grantees)
    expectNagClean(stack);
  });

  test('imported results bucket, key and grantee role: cdk-nag clean in the four packs (the prefix acknowledgement matches imported buckets)', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', `arn:aws:kms:eu-west-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`);
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Results', { bucketName: 'corp-athena-results', encryptionKey: key });
    const w = workgroup(stack, { existingResultsBucket: bucket, resultsPrefix: 'team-a/', alarmTopic: sns.Topic.fromTopicArn(stack, 'Ops', `arn:aws:sns:eu-west-1:${ACCOUNT}:ops`) });
    const analyst = iam.Role.fromRoleArn(stack, 'Analyst', `arn:aws:iam::${ACCOUNT}:role/analyst`);
    w.grantQuery(analyst, { tables: [eventsTable(stack)] });
    CustomerManagedPolicies.apply(stack); // the app's own role (the grantee)
    const report = expectNagClean(stack);
    expect(report.acknowledged.map((a) => a.rule)).toContain('AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-athena-results/team-a/*]');
  });

  describe('validation', () => {
    const path = 'TestStack/Workgroup';
    test('workgroup name', () => {
      expectPropError(() => workgroup(testStack(), { workgroupName: 'my workgroup' }), { path, prop: 'workgroupName', value: '"my workgroup"', allowed: '1-128 letters' });
    });
    test('cutoff below 10 MB', () => {
      expectPropError(() => workgroup(testStack(), { bytesScannedCutoffPerQuery: Size.mebibytes(5) }), {
        path, prop: 'bytesScannedCutoffPerQuery', value: '5242880 bytes', allowed: 'at least 10000000 bytes',
      });
    });
    test('workgroup limit below the per-query cutoff', () => {
      expectPropError(() => workgroup(testStack(), { bytesScannedCutoffPerQuery: Size.gibibytes(10), dataUsageLimit: Size.gibibytes(1) }), {
        path, prop: 'dataUsageLimit', value: '1073741824 bytes', allowed: 'at least bytesScannedCutoffPerQuery',
      });
    });
    test('data usage period', () => {
      expectPropError(() => workgroup(testStack(), { dataUsagePeriod: Duration.days(7) }), { path, prop: 'dataUsagePeriod', value: '10080 minutes', allowed: '60-1440 minutes' });
    });
    test('results prefix', () => {
      expectPropError(() => workgroup(testStack(), { resultsPrefix: 'results' }), { path, prop: 'resultsPrefix', value: '"results"', allowed: 'each ending with "/"' });
    });
    test('retention with an existing bucket', () => {
      const stack = testStack();
      expectPropError(() => workgroup(stack, { existingResultsBucket: s3.Bucket.fromBucketName(stack, 'B', 'bbb'), resultsRetention: Duration.days(7) }), {
        path, prop: 'resultsRetention', allowed: 'not set together with existingResultsBucket',
      });
    });
    test('named query database', () => {
      expectPropError(() => workgroup(testStack(), { namedQueries: [{ name: 'q', database: 'Click Stream', queryString: 'SELECT 1' }] }), {
        path, prop: 'namedQueries[0].database', value: '"Click Stream"', allowed: 'lower-case',
      });
    });
    test('empty named query', () => {
      expectPropError(() => workgroup(testStack()).addNamedQuery({ name: 'q', database: 'db', queryString: ' ' }), {
        path, prop: 'query.queryString', value: '"1 bytes"', allowed: 'non-empty SQL',
      });
    });
    test('duplicate named queries', () => {
      expectPropError(() => workgroup(testStack(), {
        namedQueries: [{ name: 'q', database: 'db', queryString: 'SELECT 1' }, { name: 'q', database: 'db', queryString: 'SELECT 2' }],
      }), { path, prop: 'namedQueries[].name', allowed: 'distinct entries' });
    });
  });
});

describe('AnalyticsWorkgroup run time', () => {
  const stack = testStack();
  const w = workgroup(stack);
  const events = eventsTable(stack);
  const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  const engineer = new iam.Role(stack, 'Engineer', { assumedBy: new iam.AccountRootPrincipal() });
  w.grantQuery(analyst, { tables: [events], lakeFormation: true });
  w.grantQuery(engineer, { tables: [events] });
  const access = AccessModel.of(stack);
  const otherWorkgroup = `arn:aws:athena:eu-west-1:${ACCOUNT}:workgroup/primary`;
  const result = w.resultsBucket.arnForObjects('athena-results/analysts/1234.csv');
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };

  test('logical ids of the stateful resources are unchanged', () => {
    expect(stack.getLogicalId(w.workgroup)).toBe('WorkgroupWorkGroup10BB3C95');
    expect(stack.getLogicalId(w.encryptionKey.node.defaultChild as kms.CfnKey)).toBe('WorkgroupKey7DC50FF6');
    expect(stack.getLogicalId(w.resultsBucket.node.defaultChild as s3.CfnBucket)).toBe('WorkgroupResultsBucket9D320FB1');
    expect(stack.getLogicalId(w.secureResultsBucket!.accessLogBucket!.bucket.node.defaultChild as s3.CfnBucket)).toBe('WorkgroupResultsAccessLogsBucket47503CFE');
  });

  test('grantees start and read queries in this workgroup only, and write and read results under its prefix with its key', async () => {
    for (const role of [analyst, engineer]) {
      await access.expectAllowed(
        { principal: role.roleArn, action: 'athena:StartQueryExecution', resource: w.workgroupArn },
        { principal: role.roleArn, action: 'athena:GetQueryResults', resource: w.workgroupArn },
        // Athena writes results with the workgroup's key named (SSE_KMS + KmsKey); without the key id S3 would use aws/s3, which SecureBucket denies
        {
          principal: role.roleArn,
          action: 's3:PutObject',
          resource: result,
          context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': w.encryptionKey.keyArn },
        },
        { principal: role.roleArn, action: 's3:GetObject', resource: result },
        { principal: role.roleArn, action: 's3:ListBucket', resource: w.resultsBucket.bucketArn, context: { 's3:prefix': 'athena-results/analysts/' } },
        { principal: role.roleArn, action: 'kms:GenerateDataKey', resource: w.encryptionKey.keyArn, context: viaS3 },
        { principal: role.roleArn, action: 'kms:Decrypt', resource: w.encryptionKey.keyArn, context: viaS3 },
        { principal: role.roleArn, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/clickstream/events` },
      );
      await access.expectDenied(
        { principal: role.roleArn, action: 'athena:StartQueryExecution', resource: otherWorkgroup },
        { principal: role.roleArn, action: 's3:PutObject', resource: w.resultsBucket.arnForObjects('athena-results/other-team/1.csv') },
        { principal: role.roleArn, action: 's3:ListBucket', resource: w.resultsBucket.bucketArn, context: { 's3:prefix': 'athena-results/' } },
        { principal: role.roleArn, action: 'kms:Decrypt', resource: w.encryptionKey.keyArn },
        { principal: role.roleArn, action: 'glue:GetTable', resource: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/clickstream/orders` },
      );
    }
  });

  test('without Lake Formation the grantee reads the table prefix with its key; with Lake Formation only the credentials Lake Formation vends', async () => {
    const file = events.bucket.arnForObjects('events/year=2025/part-0.parquet');
    await access.expectAllowed(
      { principal: engineer.roleArn, action: 's3:GetObject', resource: file },
      { principal: engineer.roleArn, action: 'kms:Decrypt', resource: events.bucket.encryptionKey!.keyArn, context: viaS3 },
      { principal: analyst.roleArn, action: 'lakeformation:GetDataAccess', resource: '*' },
    );
    await access.expectDenied(
      { principal: engineer.roleArn, action: 's3:GetObject', resource: events.bucket.arnForObjects('orders/part-0.parquet') },
      { principal: analyst.roleArn, action: 's3:GetObject', resource: file },
      { principal: engineer.roleArn, action: 'lakeformation:GetDataAccess', resource: '*' },
    );
  });

  test('strangers, other accounts, unsigned and plain-HTTP requests are refused', async () => {
    await access.expectDenied(
      { principal: Principals.strangerInAccount(), action: 'athena:StartQueryExecution', resource: w.workgroupArn },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: result },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: result },
      { ...Principals.otherAccountAdmin(), action: 'kms:Decrypt', resource: w.encryptionKey.keyArn, context: viaS3 },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: result },
    );
    await access.expectExplicitlyDenied({ principal: engineer.roleArn, action: 's3:GetObject', resource: result, context: { 'aws:SecureTransport': 'false' } });
  });

  test('the data usage alarm reaches its topic and the topic key', async () => {
    const context = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:x` };
    await access.expectAllowed(
      { principal: 'cloudwatch.amazonaws.com', action: 'sns:Publish', resource: w.alarmTopic.topicArn, context },
      { principal: 'cloudwatch.amazonaws.com', action: 'kms:GenerateDataKey', resource: w.encryptionKey.keyArn, context },
    );
    expect(w.alarms).toEqual([w.dataUsageAlarm]);
  });
});

describe('AnalyticsWorkgroup tokens and limits', () => {
  const path = 'TestStack/Workgroup';

  test('tokens: name, description, cutoff, usage limit, period, prefix and named query reach the template', () => {
    const stack = testStack();
    const w = workgroup(stack, {
      workgroupName: stringParameter(stack, 'Name'),
      description: stringParameter(stack, 'Description'),
      bytesScannedCutoffPerQuery: Size.bytes(numberParameter(stack, 'Cutoff')),
      dataUsageLimit: Size.bytes(numberParameter(stack, 'Limit')),
      dataUsagePeriod: Duration.seconds(numberParameter(stack, 'PeriodSeconds')),
      resultsPrefix: stringParameter(stack, 'Prefix'),
      namedQueries: [{ name: stringParameter(stack, 'QueryName'), database: stringParameter(stack, 'Db'), queryString: stringParameter(stack, 'Sql') }],
    });
    const t = Template.fromStack(stack);
    expectParameterUsed(t, 'Name', /WorkGroup.*\.Name$/);
    expectParameterUsed(t, 'Description', /\.Description$/);
    expectParameterUsed(t, 'Cutoff', /BytesScannedCutoffPerQuery$/);
    expectParameterUsed(t, 'Limit', /Threshold$/);
    expectParameterUsed(t, 'PeriodSeconds', /Period$/);
    expectParameterUsed(t, 'Prefix', /OutputLocation/);
    expectParameterUsed(t, 'QueryName', /NamedQuery|Query0/);
    expectParameterUsed(t, 'Sql', /QueryString$/);
    w.grantQuery(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }));
  });

  test('cutoff on both sides of 10,000,000 bytes; sizes that are not whole bytes fail with the construct\'s message', () => {
    workgroup(testStack(), { bytesScannedCutoffPerQuery: Size.bytes(10_000_000), dataUsageLimit: Size.bytes(10_000_000) });
    expectPropError(() => workgroup(testStack(), { bytesScannedCutoffPerQuery: Size.bytes(9_999_999) }), {
      path, prop: 'bytesScannedCutoffPerQuery', value: '9999999 bytes', allowed: 'at least 10000000 bytes',
    });
    expectPropError(() => workgroup(testStack(), { bytesScannedCutoffPerQuery: Size.bytes(10_000_000.5) }), { path, prop: 'bytesScannedCutoffPerQuery', allowed: 'a whole number' });
    expectPropError(() => workgroup(testStack(), { dataUsageLimit: Size.bytes(10 * 1024 ** 3 - 1) }), {
      path, prop: 'dataUsageLimit', allowed: 'at least bytesScannedCutoffPerQuery (10737418240 bytes)',
    });
    const stack = testStack();
    expectPropError(() => workgroup(stack, { bytesScannedCutoffPerQuery: Size.gibibytes(numberParameter(stack, 'G')) }), { path, prop: 'bytesScannedCutoffPerQuery', allowed: 'Size.bytes(...)' });
  });

  test('data usage period on both sides of 60 and 1,440 whole minutes', () => {
    workgroup(testStack(), { dataUsagePeriod: Duration.minutes(60) });
    workgroup(testStack(), { dataUsagePeriod: Duration.minutes(1440) });
    expectPropError(() => workgroup(testStack(), { dataUsagePeriod: Duration.minutes(59) }), { path, prop: 'dataUsagePeriod', value: '59 minutes', allowed: '60-1440 minutes' });
    expectPropError(() => workgroup(testStack(), { dataUsagePeriod: Duration.minutes(1441) }), { path, prop: 'dataUsagePeriod', value: '1441 minutes', allowed: '60-1440 minutes' });
    expectPropError(() => workgroup(testStack(), { dataUsagePeriod: Duration.seconds(3630) }), { path, prop: 'dataUsagePeriod', allowed: 'a whole number from 60 to 1440 minutes' });
  });

  test('names and texts on both sides of their limits', () => {
    workgroup(testStack(), { workgroupName: 'a'.repeat(128), description: 'd'.repeat(1024) });
    expectPropError(() => workgroup(testStack(), { workgroupName: 'a'.repeat(129) }), { path, prop: 'workgroupName', allowed: '1-128 letters' });
    expectPropError(() => workgroup(testStack(), { description: 'd'.repeat(1025) }), { path, prop: 'description', allowed: '0-1024 characters' });
    const q = { database: 'db', queryString: 'SELECT 1' };
    workgroup(testStack(), { namedQueries: [{ ...q, name: 'n'.repeat(128), description: 'd'.repeat(1024) }] });
    expectPropError(() => workgroup(testStack(), { namedQueries: [{ ...q, name: 'n'.repeat(129) }] }), { path, prop: 'namedQueries[0].name', allowed: '1-128 characters' });
    expectPropError(() => workgroup(testStack(), { namedQueries: [{ ...q, name: 'q', description: 'd'.repeat(1025) }] }), { path, prop: 'namedQueries[0].description', allowed: '1-1024 characters' });
    workgroup(testStack(), { namedQueries: [{ ...q, name: 'q', queryString: 'x'.repeat(262_144) }] });
    expectPropError(() => workgroup(testStack(), { namedQueries: [{ ...q, name: 'q', queryString: 'x'.repeat(262_145) }] }), {
      path, prop: 'namedQueries[0].queryString', value: '"262145 bytes"', allowed: 'non-empty SQL of at most 262144 bytes',
    });
    expectPropError(() => workgroup(testStack(), { resultsRetention: Duration.hours(36) }), { path, prop: 'resultsRetention', allowed: 'a whole number' });
    expectPropError(() => workgroup(testStack(), { resultsRetention: Duration.days(0) }), { path, prop: 'resultsRetention', value: '0 days' });
  });
});

describe('CloudFormation schema validation (aws-cdk-lib built-in validator)', () => {
  test('workgroup, results bucket, alarm and named query pass', () => {
    const stack = testStack({ cfnValidation: true });
    workgroup(stack, { namedQueries: [{ name: 'q', database: 'clickstream', queryString: 'SELECT 1' }], alarmTopic: new sns.Topic(stack, 'T') });
    expect(cfnValidationFindings(stack)).toEqual([]);
  });
});
