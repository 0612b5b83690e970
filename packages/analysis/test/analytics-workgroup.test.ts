import { DataKey } from '@analytics-patterns/security';
import { ColumnType, DataLakeDatabase, DataLakeStorage, DataLakeTable, TableFormat } from '@analytics-patterns/storage';
import { AWS_SOLUTIONS_ONLY, cfnValidationFindings, expectNagClean, expectPropError, testStack } from '@analytics-patterns/testing';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AnalyticsWorkgroup, AnalyticsWorkgroupProps } from '../src';

const id = (stack: Stack, c: any) => stack.getLogicalId(c.node.defaultChild ?? c);

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

  test('cdk-nag clean, with analysts granted (Lake Formation and direct)', () => {
    const stack = testStack();
    const w = workgroup(stack, { namedQueries: [{ name: 'q', database: 'clickstream', queryString: 'SELECT 1' }] });
    const events = eventsTable(stack);
    w.grantQuery(new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() }), { tables: [events], lakeFormation: true });
    w.grantQuery(new iam.Role(stack, 'Engineer', { assumedBy: new iam.AccountRootPrincipal() }), { tables: [events] });
    expectNagClean(stack, AWS_SOLUTIONS_ONLY);
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

describe('CloudFormation schema validation (aws-cdk-lib built-in validator)', () => {
  test('workgroup, results bucket, alarm and named query pass', () => {
    const stack = testStack({ cfnValidation: true });
    workgroup(stack, { namedQueries: [{ name: 'q', database: 'clickstream', queryString: 'SELECT 1' }], alarmTopic: new sns.Topic(stack, 'T') });
    expect(cfnValidationFindings(stack)).toEqual([]);
  });
});
