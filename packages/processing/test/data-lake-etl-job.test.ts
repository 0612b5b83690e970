import * as fs from 'fs';
import * as path from 'path';
import {
  ColumnType, DataLakeDatabase, DataLakeStorage, DataLakeTable, IDataLakeTable, PartitionKeys, TableFormat, TimePartitionDepth,
} from '@analytics-patterns/storage';
import {
  AccessModel, cfnValidationFindings, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, numberParameter,
  Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import {
  CatalogAndTransformWorkflow, DataLakeCrawler, DataLakeEtlJob, DataLakeEtlJobProps, GlueJobType, GlueSecurityConfiguration, GlueWorkerType,
  IDataLakeCrawler, IDataLakeEtlJob,
} from '../src';

interface Fixture { stack: Stack; lake: DataLakeStorage; db: DataLakeDatabase; source: DataLakeTable }

function fixture(stack: Stack = testStack()): Fixture {
  const lake = new DataLakeStorage(stack, 'Lake');
  const db = new DataLakeDatabase(stack, 'Db', { databaseName: 'clickstream' });
  const source = new DataLakeTable(stack, 'RawEvents', {
    database: db,
    tableName: 'raw_events',
    format: TableFormat.JSON,
    columns: [{ name: 'event_id', type: ColumnType.STRING }, { name: 'amount', type: ColumnType.DOUBLE }],
    partitionKeys: PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
    bucket: lake.raw.bucket,
    prefix: 'events/',
  });
  return { stack, lake, db, source };
}

function job(f: Fixture, overrides: Partial<DataLakeEtlJobProps> = {}): DataLakeEtlJob {
  return new DataLakeEtlJob(f.stack, 'Job', {
    source: f.source,
    target: { bucket: f.lake.curated.bucket, prefix: 'events/', database: f.db, tableName: 'curated_events' },
    jobName: 'raw-to-curated',
    ...overrides,
  });
}

describe('DataLakeEtlJob', () => {
  test('Spark job: script asset, bookmarks, workers, security configuration, arguments', () => {
    const f = fixture();
    const j = job(f, { workerType: GlueWorkerType.G_2X, numberOfWorkers: 10 });
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('AWS::Glue::Job', {
      Name: 'raw-to-curated',
      Role: { 'Fn::GetAtt': [id(f.stack, j.role), 'Arn'] },
      Command: { Name: 'glueetl', PythonVersion: '3', ScriptLocation: Match.stringLikeRegexp('^s3://cdk-[a-z0-9]+-assets-123456789012-eu-west-1/[a-f0-9]{64}\\.py$') },
      GlueVersion: '5.0',
      WorkerType: 'G.2X',
      NumberOfWorkers: 10,
      MaxCapacity: Match.absent(),
      Timeout: 120,
      MaxRetries: 0,
      ExecutionProperty: { MaxConcurrentRuns: 1 },
      SecurityConfiguration: j.securityConfiguration.securityConfigurationName,
      DefaultArguments: {
        '--job-language': 'python',
        '--job-bookmark-option': 'job-bookmark-enable',
        '--enable-metrics': 'true',
        '--enable-continuous-cloudwatch-log': 'true',
        '--enable-glue-datacatalog': 'true',
        '--source_database': 'clickstream',
        '--source_table': 'raw_events',
        '--target_path': { 'Fn::Join': ['', ['s3://', { Ref: id(f.stack, f.lake.curated.bucket) }, '/events/']] },
        '--partition_keys': 'year,month,day',
        '--target_database': 'clickstream',
        '--target_table': 'curated_events',
      },
    });
    expect(j.script.isFile).toBe(true);
    expect(fs.readFileSync(path.join(__dirname, '..', 'assets', 'glue', 'raw_to_curated.py'), 'utf8')).toContain('transformation_ctx="source"');
    expect(j.jobBookmarks).toBe(true);
    // the security configuration uses the curated zone's CMK
    t.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: Match.objectLike({
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: { 'Fn::GetAtt': [id(f.stack, f.lake.encryptionKey), 'Arn'] } },
      }),
    });
  });

  test('least-privilege role: script object, source read, target write, keys via S3, bookmarks key, logs, metrics', () => {
    const f = fixture();
    const j = job(f);
    const t = Template.fromStack(f.stack);
    const raw = { 'Fn::GetAtt': [id(f.stack, f.lake.raw.bucket), 'Arn'] };
    const curated = { 'Fn::GetAtt': [id(f.stack, f.lake.curated.bucket), 'Arn'] };
    const keyArn = { 'Fn::GetAtt': [id(f.stack, f.lake.encryptionKey), 'Arn'] };
    t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'glue.amazonaws.com' } })] } });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(f.stack, j.role) }],
      PolicyDocument: {
        Statement: [
          { Sid: 'ReadScript', Effect: 'Allow', Action: 's3:GetObject', Resource: Match.anyValue() },
          {
            Sid: 'ReadSourceTable',
            Effect: 'Allow',
            Action: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
            Resource: [
              'arn:aws:glue:eu-west-1:123456789012:catalog',
              'arn:aws:glue:eu-west-1:123456789012:database/clickstream',
              'arn:aws:glue:eu-west-1:123456789012:table/clickstream/raw_events',
            ],
          },
          { Sid: 'ListSource', Effect: 'Allow', Action: 's3:ListBucket', Resource: raw, Condition: { StringLike: { 's3:prefix': ['events/', 'events/*'] } } },
          { Sid: 'ObjectsSource', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [raw, '/events/*']] } },
          { Sid: 'ListTarget', Effect: 'Allow', Action: 's3:ListBucket', Resource: curated, Condition: { StringLike: { 's3:prefix': ['events/', 'events/*'] } } },
          {
            Sid: 'ObjectsTarget',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
            Resource: { 'Fn::Join': ['', [curated, '/events/*']] },
          },
          Match.objectLike({ Sid: 'UpdateTargetTable', Resource: Match.arrayWith(['arn:aws:glue:eu-west-1:123456789012:table/clickstream/curated_events']) }),
          { Sid: 'DecryptSource', Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } },
          { Sid: 'EncryptTarget', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn, Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } },
          { Sid: 'JobMetrics', Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Glue' } } },
          Match.objectLike({ Sid: 'GlueLogs', Resource: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/jobs*' }),
          { Sid: 'EncryptedJobBookmarks', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: keyArn },
        ],
      },
    });
  });

  test('Python shell option: pythonshell command, 1/16 DPU, no bookmarks, no workers', () => {
    const f = fixture();
    const j = job(f, { jobType: GlueJobType.PYTHON_SHELL, target: undefined });
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('AWS::Glue::Job', {
      Command: Match.objectLike({ Name: 'pythonshell', PythonVersion: '3.9' }),
      GlueVersion: '3.0',
      MaxCapacity: 0.0625,
      WorkerType: Match.absent(),
      NumberOfWorkers: Match.absent(),
      DefaultArguments: { '--source_database': 'clickstream', '--source_table': 'raw_events' },
    });
    expect(j.jobBookmarks).toBe(false);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('EncryptedJobBookmarks');
  });

  test('no target catalog table: arguments say so', () => {
    const f = fixture();
    job(f, { target: { bucket: f.lake.curated.bucket, prefix: 'out/', partitionKeys: [] } });
    Template.fromStack(f.stack).hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({ '--partition_keys': '-', '--target_database': '-', '--target_table': '-' }),
    });
  });

  test('cdk-nag clean', () => {
    const f = fixture();
    job(f, { lakeFormationGoverned: true });
    expectNagClean(f.stack);
  });

  describe('validation', () => {
    const p = 'TestStack/Job';
    test('too few workers', () => {
      expectPropError(() => job(fixture(), { numberOfWorkers: 1 }), { path: p, prop: 'numberOfWorkers', value: '1 G.1X workers', allowed: '2-299 G.1X workers' });
    });
    test('too many G.2X workers', () => {
      expectPropError(() => job(fixture(), { workerType: GlueWorkerType.G_2X, numberOfWorkers: 150 }), {
        path: p, prop: 'numberOfWorkers', value: '150 G.2X workers', allowed: '2-149 G.2X workers',
      });
    });
    test('fractional workers', () => {
      expectPropError(() => job(fixture(), { numberOfWorkers: 2.5 }), { path: p, prop: 'numberOfWorkers', allowed: 'a whole number from 2 to 299' });
    });
    test('Spark glue version', () => {
      expectPropError(() => job(fixture(), { glueVersion: '2.0' }), { path: p, prop: 'glueVersion', value: '"2.0"', allowed: 'one of 3.0, 4.0, 5.0' });
    });
    test('Spark without target', () => {
      expectPropError(() => job(fixture(), { target: undefined }), { path: p, prop: 'target', allowed: 'an output location' });
    });
    test('concurrent runs with bookmarks', () => {
      expectPropError(() => job(fixture(), { maxConcurrentRuns: 2 }), { path: p, prop: 'maxConcurrentRuns', value: '2', allowed: '1 with job bookmarks' });
    });
    test('Python shell capacity', () => {
      expectPropError(() => job(fixture(), { jobType: GlueJobType.PYTHON_SHELL, pythonShellCapacity: 0.5 }), {
        path: p, prop: 'pythonShellCapacity', value: '0.5', allowed: '0.0625 or 1 DPU',
      });
    });
    test('Python shell with workers', () => {
      expectPropError(() => job(fixture(), { jobType: GlueJobType.PYTHON_SHELL, workerType: GlueWorkerType.G_1X }), {
        path: p, prop: 'workerType', value: '"G.1X"', allowed: 'only with GlueJobType.SPARK',
      });
    });
    test('Python shell with bookmarks', () => {
      expectPropError(() => job(fixture(), { jobType: GlueJobType.PYTHON_SHELL, jobBookmarks: true }), {
        path: p, prop: 'jobBookmarks', allowed: 'Python shell jobs have no job bookmarks',
      });
    });
    test('timeout', () => {
      expectPropError(() => job(fixture(), { timeout: Duration.days(8) }), { path: p, prop: 'timeout', value: '11520 minutes', allowed: '1-10080 minutes' });
    });
    test('retries', () => {
      expectPropError(() => job(fixture(), { maxRetries: 11 }), { path: p, prop: 'maxRetries', value: '11', allowed: '0-10' });
    });
    test('target table without database', () => {
      const f = fixture();
      expectPropError(() => job(f, { target: { bucket: f.lake.curated.bucket, prefix: 'events/', tableName: 'x' } }), {
        path: p, prop: 'target.tableName', allowed: 'set together with target.database',
      });
    });
    test('target inside the source prefix', () => {
      const f = fixture();
      expectPropError(() => job(f, { target: { bucket: f.lake.raw.bucket, prefix: 'events/curated/' } }), {
        path: p, prop: 'target.prefix', value: '"events/curated/"', allowed: 'outside the source prefix "events/"',
      });
    });
  });
});

describe('cross-construct props take interfaces', () => {
  test('DataLakeEtlJob reads any IDataLakeTable (a hand-written one, not DataLakeTable): names, partition keys, location', () => {
    const f = fixture();
    const grantNotUsed = (): iam.Grant => { throw new Error('the job grants its own access'); };
    const orders: IDataLakeTable = {
      tableName: 'orders',
      databaseName: 'clickstream',
      database: f.db,
      tableArn: 'arn:aws:glue:eu-west-1:123456789012:table/clickstream/orders',
      partitionKeys: [{ name: 'region' }],
      bucket: f.lake.raw.bucket,
      prefix: 'orders/',
      grantRead: grantNotUsed,
      grantReadMetadata: grantNotUsed,
    };
    const j = new DataLakeEtlJob(f.stack, 'Job', { source: orders, target: { bucket: f.lake.curated.bucket, prefix: 'orders/' }, jobName: 'orders' });
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('AWS::Glue::Job', {
      DefaultArguments: Match.objectLike({ '--source_database': 'clickstream', '--source_table': 'orders', '--partition_keys': 'region' }),
    });
    const policy = JSON.stringify(t.toJSON().Resources[id(f.stack, j.policy)]);
    expect(policy).toContain('arn:aws:glue:eu-west-1:123456789012:table/clickstream/orders');
    expect(policy).toContain('/orders/*');
  });

  test('CatalogAndTransformWorkflow starts any IDataLakeCrawler and IDataLakeEtlJob (hand-written constructs), after their resources', () => {
    const stack = testStack();
    class MyCrawler extends Construct implements IDataLakeCrawler {
      public readonly crawlerName = 'my-crawler';
      constructor(scope: Construct, cid: string) {
        super(scope, cid);
        new glue.CfnCrawler(this, 'Resource', { name: this.crawlerName, role: 'arn:aws:iam::123456789012:role/crawler', targets: { s3Targets: [{ path: 's3://b/p/' }] } });
      }
    }
    class MyJob extends Construct implements IDataLakeEtlJob {
      public readonly jobName = 'my-job';
      constructor(scope: Construct, cid: string) {
        super(scope, cid);
        new glue.CfnJob(this, 'Resource', { name: this.jobName, role: 'arn:aws:iam::123456789012:role/job', command: { name: 'glueetl', scriptLocation: 's3://b/s.py' } });
      }
    }
    const crawler = new MyCrawler(stack, 'MyCrawler');
    const myJob = new MyJob(stack, 'MyJob');
    new CatalogAndTransformWorkflow(stack, 'Workflow', { crawler, job: myJob, schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }), workflowName: 'mine' });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Glue::Trigger', { Name: 'mine-crawl', Type: 'SCHEDULED', Actions: [{ CrawlerName: 'my-crawler' }] });
    t.hasResourceProperties('AWS::Glue::Trigger', {
      Name: 'mine-transform',
      Predicate: { Logical: 'ANY', Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: 'my-crawler', CrawlState: 'SUCCEEDED' }] },
      Actions: [{ JobName: 'my-job' }],
    });
    for (const trigger of Object.values(t.findResources('AWS::Glue::Trigger'))) {
      expect(trigger.DependsOn).toEqual(expect.arrayContaining([id(stack, crawler), id(stack, myJob)]));
    }
  });

  test('a hand-written crawler with its own schedule is refused like a DataLakeCrawler', () => {
    const stack = testStack();
    const crawler: IDataLakeCrawler = Object.assign(new Construct(stack, 'Scheduled'), {
      crawlerName: 'c', schedule: scheduler.ScheduleExpression.expression('cron(0 1 * * ? *)'),
    });
    const myJob: IDataLakeEtlJob = Object.assign(new Construct(stack, 'J'), { jobName: 'j' });
    expectPropError(() => new CatalogAndTransformWorkflow(stack, 'Workflow', { crawler, job: myJob, schedule: scheduler.ScheduleExpression.cron({ minute: '0' }) }), {
      path: 'TestStack/Workflow', prop: 'crawler', value: 'TestStack/Scheduled with schedule cron(0 1 * * ? *)', allowed: 'without its own schedule',
    });
  });
});

describe('CatalogAndTransformWorkflow', () => {
  function workflow(f: Fixture, schedule = scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)'), crawlerSchedule?: scheduler.ScheduleExpression) {
    const crawler = new DataLakeCrawler(f.stack, 'Crawler', {
      database: f.db, targets: [{ bucket: f.lake.raw.bucket, prefix: 'events/' }], crawlerName: 'raw-crawler', schedule: crawlerSchedule,
    });
    const j = job(f);
    return new CatalogAndTransformWorkflow(f.stack, 'Workflow', { crawler, job: j, schedule, workflowName: 'nightly' });
  }

  test('scheduled trigger starts the crawler; conditional trigger runs the job when the crawl SUCCEEDED', () => {
    const f = fixture();
    const w = workflow(f);
    const t = Template.fromStack(f.stack);
    t.hasResourceProperties('AWS::Glue::Workflow', { Name: 'nightly', MaxConcurrentRuns: 1 });
    t.hasResourceProperties('AWS::Glue::Trigger', {
      Name: 'nightly-crawl',
      WorkflowName: 'nightly',
      Type: 'SCHEDULED',
      Schedule: 'cron(0 2 * * ? *)',
      StartOnCreation: true,
      Actions: [{ CrawlerName: 'raw-crawler' }],
    });
    t.hasResourceProperties('AWS::Glue::Trigger', {
      Name: 'nightly-transform',
      WorkflowName: 'nightly',
      Type: 'CONDITIONAL',
      StartOnCreation: true,
      Predicate: { Logical: 'ANY', Conditions: [{ LogicalOperator: 'EQUALS', CrawlerName: 'raw-crawler', CrawlState: 'SUCCEEDED' }] },
      Actions: [{ JobName: 'raw-to-curated' }],
    });
    const triggers = t.findResources('AWS::Glue::Trigger');
    for (const trigger of Object.values(triggers) as any[]) {
      expect(trigger.DependsOn).toEqual([
        f.stack.getLogicalId(f.stack.node.findChild('Crawler').node.findChild('Crawler') as any),
        f.stack.getLogicalId(f.stack.node.findChild('Job').node.findChild('Job') as any),
        id(f.stack, w.workflow),
      ]);
    }
    expect(w.workflowArn).toContain(':workflow/nightly');
  });

  test('cdk-nag clean', () => {
    const f = fixture();
    workflow(f);
    expectNagClean(f.stack);
  });

  test('validation: crawler with its own schedule', () => {
    expectPropError(() => workflow(fixture(), undefined, scheduler.ScheduleExpression.expression('cron(0 1 * * ? *)')), {
      path: 'TestStack/Workflow', prop: 'crawler', value: 'TestStack/Crawler with schedule cron(0 1 * * ? *)', allowed: 'without its own schedule',
    });
  });

  test('validation: schedule (Glue: cron only, UTC, at most every 5 minutes)', () => {
    const msg = expectPropError(() => workflow(fixture(), scheduler.ScheduleExpression.expression('rate(1 hour)')), {
      path: 'TestStack/Workflow', prop: 'schedule', value: '"rate(1 hour) in Etc/UTC"', allowed: 'cron(minutes hours day-of-month month day-of-week year)',
    });
    expect(msg).toContain('use cron(...)');
    expectPropError(() => workflow(fixture(), scheduler.ScheduleExpression.expression('cron(0/3 * * * ? *)')), { path: 'TestStack/Workflow', prop: 'schedule', allowed: 'cron(' });
    expect(() => workflow(fixture(), scheduler.ScheduleExpression.cron({ minute: '0/5' }))).not.toThrow();
  });

  test('validation: workflow name leaves room for the trigger names; concurrent runs', () => {
    const wf = (props: any) => {
      const f = fixture();
      const crawler = new DataLakeCrawler(f.stack, 'Crawler', { database: f.db, targets: [{ bucket: f.lake.raw.bucket, prefix: 'events/' }] });
      return new CatalogAndTransformWorkflow(f.stack, 'Workflow', { crawler, job: job(f), schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }), ...props });
    };
    expect(() => wf({ workflowName: 'w'.repeat(245), maxConcurrentRuns: 1000 })).not.toThrow();
    expectPropError(() => wf({ workflowName: 'w'.repeat(246) }), { path: 'TestStack/Workflow', prop: 'workflowName', allowed: '1-245 characters' });
    expectPropError(() => wf({ maxConcurrentRuns: 1001 }), { path: 'TestStack/Workflow', prop: 'maxConcurrentRuns', allowed: '1-1000' });
    expectPropError(() => wf({ maxConcurrentRuns: 0 }), { path: 'TestStack/Workflow', prop: 'maxConcurrentRuns', allowed: '1-1000' });
  });

  test('tokens: workflow name and concurrent runs as CloudFormation parameters', () => {
    const f = fixture();
    const crawler = new DataLakeCrawler(f.stack, 'Crawler', { database: f.db, targets: [{ bucket: f.lake.raw.bucket, prefix: 'events/' }] });
    new CatalogAndTransformWorkflow(f.stack, 'Workflow', {
      crawler,
      job: job(f),
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }),
      workflowName: stringParameter(f.stack, 'WorkflowName'),
      maxConcurrentRuns: numberParameter(f.stack, 'Runs'),
    });
    const template = Template.fromStack(f.stack);
    expectParameterUsed(template, 'WorkflowName', /Trigger/);
    expectParameterUsed(template, 'Runs', /Workflow/);
  });
});

describe('CloudFormation schema validation (aws-cdk-lib built-in validator)', () => {
  test('crawler, job, workflow and security configuration pass', () => {
    const f = fixture(testStack({ cfnValidation: true }));
    const crawler = new DataLakeCrawler(f.stack, 'Crawler', { database: f.db, targets: [{ bucket: f.lake.raw.bucket, prefix: 'events/' }] });
    const j = job(f);
    new DataLakeEtlJob(f.stack, 'Shell', { source: f.source, jobType: GlueJobType.PYTHON_SHELL });
    new CatalogAndTransformWorkflow(f.stack, 'Workflow', { crawler, job: j, schedule: scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)') });
    expect(cfnValidationFindings(f.stack)).toEqual([]);
  });
});

describe('DataLakeEtlJob run-time permissions', () => {
  const f = fixture();
  const j = job(f);
  const access = AccessModel.of(f.stack);
  const role = j.role.roleArn;
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };
  const table = (name: string) => `arn:aws:glue:eu-west-1:123456789012:table/clickstream/${name}`;
  const logGroup = `arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/jobs/${j.securityConfiguration.securityConfigurationName}-role/${access.resolve(j.role.roleName)}/output`;

  test('the job reads its script and source (prefix and table) with the key, writes its target (prefix and table), bookmarks, logs and metrics', async () => {
    await access.expectAllowed(
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: role, action: 's3:GetObject', resource: j.script.bucket.arnForObjects(j.script.s3ObjectKey) },
      { principal: role, action: 'glue:GetTable', resource: table('raw_events') },
      { principal: role, action: 'glue:GetPartitions', resource: table('raw_events') },
      { principal: role, action: 's3:GetObject', resource: f.lake.raw.bucket.arnForObjects('events/year=2026/month=01/day=01/x.json') },
      { principal: role, action: 'kms:Decrypt', resource: f.lake.encryptionKey.keyArn, context: viaS3 },
      { principal: role, action: 's3:PutObject', resource: f.lake.curated.bucket.arnForObjects('events/year=2026/x.parquet') },
      { principal: role, action: 'kms:GenerateDataKey', resource: j.encryptionKey.keyArn, context: viaS3 },
      { principal: role, action: 'glue:BatchCreatePartition', resource: table('curated_events') },
      { principal: role, action: 'glue:UpdateTable', resource: table('curated_events') },
      { principal: role, action: 'kms:Encrypt', resource: j.encryptionKey.keyArn },
      { principal: role, action: 'kms:Decrypt', resource: j.encryptionKey.keyArn },
      { principal: role, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'Glue' } },
      { principal: role, action: 'logs:AssociateKmsKey', resource: `${logGroup}:*` },
      { principal: 'logs.eu-west-1.amazonaws.com', action: 'kms:GenerateDataKey', resource: j.encryptionKey.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': logGroup } },
    );
  });

  test('nothing else: the source is read-only, other tables and prefixes, other metric namespaces; strangers', async () => {
    await access.expectDenied(
      { principal: role, action: 's3:PutObject', resource: f.lake.raw.bucket.arnForObjects('events/x.json') },
      { principal: role, action: 'glue:UpdateTable', resource: table('raw_events') },
      { principal: role, action: 'glue:GetTable', resource: table('other') },
      { principal: role, action: 's3:GetObject', resource: f.lake.curated.bucket.arnForObjects('other/x') },
      { principal: role, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': 'Custom' } },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: f.lake.curated.bucket.arnForObjects('events/x') },
      { ...Principals.otherAccountAdmin(), action: 's3:PutObject', resource: f.lake.curated.bucket.arnForObjects('events/x') },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: f.lake.curated.bucket.arnForObjects('events/x') },
    );
  });
});

describe('DataLakeEtlJob limits (both sides) and tokens', () => {
  const ok = (overrides: Partial<DataLakeEtlJobProps>) => expect(() => job(fixture(), overrides)).not.toThrow();
  const bad = (overrides: Partial<DataLakeEtlJobProps>, prop: string, allowed: string) =>
    expectPropError(() => job(fixture(), overrides), { path: 'TestStack/Job', prop, allowed });

  test('workers, timeout, retries, concurrency, job name', () => {
    ok({ numberOfWorkers: 2, timeout: Duration.minutes(1), maxRetries: 0, jobName: 'j'.repeat(255) });
    ok({ numberOfWorkers: 299, timeout: Duration.minutes(10_080), maxRetries: 10 });
    ok({ workerType: GlueWorkerType.G_2X, numberOfWorkers: 149 });
    ok({ jobBookmarks: false, maxConcurrentRuns: 1000 });
    bad({ numberOfWorkers: 300 }, 'numberOfWorkers', '2-299 G.1X workers');
    bad({ timeout: Duration.minutes(0) }, 'timeout', '1-10080 minutes');
    bad({ timeout: Duration.seconds(90) }, 'timeout', 'whole number');
    bad({ maxRetries: -1 }, 'maxRetries', '0-10');
    bad({ jobBookmarks: false, maxConcurrentRuns: 1001 }, 'maxConcurrentRuns', '1-1000');
    bad({ jobName: 'j'.repeat(256) }, 'jobName', '1-255 characters');
    ok({ jobType: GlueJobType.PYTHON_SHELL, target: undefined, pythonShellCapacity: 1 });
  });

  test('workers, timeout, retries, concurrency, name and capacity as CloudFormation parameters reach the template', () => {
    const f = fixture();
    job(f, {
      jobName: stringParameter(f.stack, 'JobName'),
      numberOfWorkers: numberParameter(f.stack, 'Workers'),
      timeout: Duration.minutes(numberParameter(f.stack, 'TimeoutMinutes')),
      maxRetries: numberParameter(f.stack, 'Retries'),
      maxConcurrentRuns: numberParameter(f.stack, 'Runs'),
    });
    new DataLakeEtlJob(f.stack, 'Shell', { source: f.source, jobType: GlueJobType.PYTHON_SHELL, pythonShellCapacity: numberParameter(f.stack, 'Dpu') });
    const template = Template.fromStack(f.stack);
    for (const p of ['JobName', 'Workers', 'TimeoutMinutes', 'Retries', 'Runs', 'Dpu']) expectParameterUsed(template, p, /Job/);
  });

  test('job, security configurations and workflow keep their logical ids', () => {
    const f = fixture();
    const crawler = new DataLakeCrawler(f.stack, 'Crawler', { database: f.db, targets: [{ bucket: f.lake.raw.bucket, prefix: 'events/' }] });
    new CatalogAndTransformWorkflow(f.stack, 'Workflow', { crawler, job: job(f), schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }) });
    const ids = Object.entries<any>(Template.fromStack(f.stack).toJSON().Resources)
      .filter(([, r]) => /Glue::(Job|SecurityConfiguration|Workflow|Trigger)/.test(r.Type)).map(([logicalId]) => logicalId).sort();
    expect(ids).toEqual([
      'CrawlerSecurityConfiguration29EFF96E', 'Job1DDAA689', 'JobSecurityConfiguration01DFCF5D', 'Workflow30EA282B', 'WorkflowCrawlerTrigger909AE158', 'WorkflowJobTriggerB741B5A8',
    ]);
  });
});

describe('DataLakeEtlJob and workflow with imported resources', () => {
  const imported = (securityConfigurationName?: (stack: Stack) => string) => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const raw = s3.Bucket.fromBucketAttributes(stack, 'Raw', { bucketName: 'existing-raw', encryptionKey: key });
    const curated = s3.Bucket.fromBucketAttributes(stack, 'Curated', { bucketName: 'existing-curated', encryptionKey: key });
    const db = DataLakeDatabase.fromDatabaseName(stack, 'Db', 'sales');
    const source = new DataLakeTable(stack, 'Orders', {
      database: db, tableName: 'orders', format: TableFormat.JSON, columns: [{ name: 'id', type: ColumnType.STRING }], bucket: raw, prefix: 'orders/',
    });
    const security = new GlueSecurityConfiguration(stack, 'Security', { encryptionKey: key, securityConfigurationName: securityConfigurationName?.(stack) });
    const j = new DataLakeEtlJob(stack, 'Job', { source, target: { bucket: curated, prefix: 'orders/' }, securityConfiguration: security });
    const crawler = new DataLakeCrawler(stack, 'Crawler', { database: db, targets: [{ bucket: raw, prefix: 'orders/' }], securityConfiguration: security });
    new CatalogAndTransformWorkflow(stack, 'Workflow', { crawler, job: j, schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }) });
    return stack;
  };

  test('imported buckets, key and database: four nag packs clean', () => {
    expectNagClean(imported());
  });

  test('a security configuration name given as a CloudFormation parameter reaches the job and the crawler', () => {
    const template = Template.fromStack(imported((stack) => stringParameter(stack, 'SecurityName')));
    expectParameterUsed(template, 'SecurityName', /Job/);
    expectParameterUsed(template, 'SecurityName', /Crawler/);
  });
});
