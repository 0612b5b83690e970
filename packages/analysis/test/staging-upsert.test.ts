import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecureBucket } from '@analytics-patterns/storage';
import { AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, expectValidAsl, stateMachineDefinitions, testStack } from '@analytics-patterns/testing';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');
import { ColumnType, TableDefinition } from '../src/redshift-table/table-definition';
import { RedshiftWarehouse } from '../src/redshift-warehouse/redshift-warehouse';
import { WarehouseType } from '../src/redshift-warehouse/redshift-warehouse-props';
import { StagingUpsert } from '../src/staging-upsert/staging-upsert';
import { StagingUpsertProps } from '../src/staging-upsert/staging-upsert-props';
import { LoadFormat, StagingUpsertSql, UpsertStrategy } from '../src/staging-upsert/upsert-sql';

const table: TableDefinition = {
  schemaName: 'sales',
  tableName: 'fact_sales',
  columns: [
    { name: 'order_id', type: ColumnType.bigint() },
    { name: 'amount', type: ColumnType.decimal(12, 2) },
    { name: 'updated_at', type: ColumnType.timestamp() },
  ],
  keyColumns: ['order_id'],
  distKey: 'order_id',
  sortKeys: ['updated_at'],
};

interface Built { stack: Stack; upsert: StagingUpsert; warehouse: RedshiftWarehouse; bucket: SecureBucket }

function build(props: Partial<StagingUpsertProps> = {}, options: { serverless?: boolean; sandbox?: boolean } = {}): Built {
  const stack = testStack({ sandbox: options.sandbox });
  const bucket = new SecureBucket(stack, 'Curated', { eventBridgeEnabled: true });
  const warehouse = new RedshiftWarehouse(stack, 'Warehouse', options.serverless ? { type: WarehouseType.SERVERLESS } : {});
  const upsert = new StagingUpsert(stack, 'Upsert', {
    warehouse, table, orderColumn: 'updated_at', sourceBucket: bucket.bucket, manifestPrefix: 'manifests/sales/', ...props,
  });
  return { stack, upsert, warehouse, bucket };
}

function upsertDefinition(b: Built): any {
  const id = b.stack.getLogicalId(b.upsert.stateMachine.node.defaultChild as any);
  return stateMachineDefinitions(Template.fromStack(b.stack))[id];
}

describe('StagingUpsert state machine', () => {
  const b = build();
  const def = upsertDefinition(b);
  const bucketRef = `REF_${b.stack.getLogicalId(b.bucket.bucket.node.defaultChild as any)}`;

  test('passes asl-validator, JSONata, and starts with the manifest key check', () => {
    expectValidAsl(def);
    expect(def.QueryLanguage).toBe('JSONata');
    expect(def.StartAt).toBe('CheckManifestKey');
    expect(Object.keys(def.States)).toEqual(expect.arrayContaining([
      'CheckManifestKey', 'RejectManifestKey', 'ReadManifest', 'CheckManifestEtag', 'LoadStart', 'LoadRun', 'LoadWait',
      'LoadDescribe', 'LoadCheck', 'LoadBackoff', 'LoadFailed', 'Loaded',
    ]));
  });

  test('one BatchExecuteStatement with the cluster, database, admin secret and the generated SQL', () => {
    const run = def.States.LoadRun;
    expect(run.Resource).toBe('arn:aws:states:::aws-sdk:redshiftdata:batchExecuteStatement');
    expect(run.Arguments).toEqual({
      ClusterIdentifier: b.warehouse.warehouseName,
      Database: 'analytics',
      SecretArn: expect.stringMatching(/^ATT_WarehouseCluster.*_MasterPasswordSecretArn$/),
      StatementName: 'upsert-fact_sales',
      Sqls: expect.stringMatching(/^\{% \$map\(\$sqlTemplates/),
    });
    expect(def.States.LoadStart.Assign.sqlTemplates).toHaveLength(13);
    expect(def.States.LoadStart.Assign.sqlTemplates[5]).toMatch(/^COPY "stage_fact_sales" FROM '\{\{manifest_uri\}\}' IAM_ROLE 'ATT_WarehouseRole.*_Arn' MANIFEST FORMAT AS PARQUET$/);
    expect(def.States.LoadStart.Assign.bucketName).toBe(bucketRef);
    expect(run.Retry).toEqual([expect.objectContaining({
      ErrorEquals: expect.arrayContaining(['RedshiftData.ActiveStatementsExceededException', 'RedshiftData.InternalServerException']),
      BackoffRate: 2, JitterStrategy: 'FULL',
    })]);
  });

  test('polls DescribeStatement with Wait/Choice; fails with the Redshift error; reruns the batch after transient errors', () => {
    expect(def.States.LoadWait).toEqual({ Type: 'Wait', Seconds: 15, Next: 'LoadDescribe' });
    expect(def.States.LoadDescribe.Resource).toBe('arn:aws:states:::aws-sdk:redshiftdata:describeStatement');
    expect(def.States.LoadDescribe.Arguments).toEqual({ Id: '{% $loadStatementId %}' });
    const choices = def.States.LoadCheck.Choices;
    expect(choices.map((c: any) => c.Next)).toEqual(['Loaded', 'LoadBackoff', 'LoadFailed']);
    expect(choices[1].Condition).toContain('serializable isolation violation');
    expect(choices[1].Condition).toContain('$loadAttempt < 3');
    expect(def.States.LoadCheck.Default).toBe('LoadWait');
    expect(def.States.LoadBackoff.Next).toBe('LoadRun');
    expect(def.States.LoadFailed).toEqual({ Type: 'Fail', Error: 'Redshift.StatementFailed', Cause: expect.stringContaining('$loadError') });
  });

  test('the choice conditions behave as intended (evaluated with JSONata)', async () => {
    const check = async (status: string, error: string, attempt: number) => {
      for (const c of def.States.LoadCheck.Choices) {
        const expr = c.Condition.replace(/^\{%|%\}$/g, '');
        if (await jsonata(expr).evaluate({}, { loadStatus: status, loadError: error, loadAttempt: attempt })) return c.Next;
      }
      return def.States.LoadCheck.Default;
    };
    expect(await check('FINISHED', '', 1)).toBe('Loaded');
    expect(await check('STARTED', '', 1)).toBe('LoadWait');
    expect(await check('FAILED', 'ERROR: 1023 DETAIL: Serializable isolation violation on table', 1)).toBe('LoadBackoff');
    expect(await check('FAILED', 'ERROR: 1023 DETAIL: Serializable isolation violation on table', 3)).toBe('LoadFailed');
    expect(await check('FAILED', 'ERROR: Invalid digit, Value \'x\'', 1)).toBe('LoadFailed');
    expect(await check('ABORTED', '', 1)).toBe('LoadFailed');
  });

  test('manifest keys are allow-listed before they can reach the SQL', async () => {
    const cond = def.States.CheckManifestKey.Choices[0].Condition.replace(/^\{%|%\}$/g, '');
    const ok = async (key: unknown) => Boolean(await jsonata(cond).evaluate({}, { states: { input: { manifestKey: key } } }));
    // $states is bound by Step Functions; emulate it as a binding
    const okKey = async (key: unknown) => Boolean(await jsonata(cond.replace(/\$states\.input\.manifestKey/g, '$k')).evaluate({}, { k: key }));
    void ok;
    expect(await okKey('manifests/sales/2026-11-28T10.manifest')).toBe(true);
    expect(await okKey('manifests/sales/dt=2026-11-28/part(1).manifest')).toBe(true);
    expect(await okKey("manifests/sales/x'; DROP TABLE t; --.manifest")).toBe(false);
    expect(await okKey('manifests/sales/a\\b.manifest')).toBe(false);
    expect(await okKey('manifests/sales/a b.manifest')).toBe(false);
    expect(await okKey('manifests/sales/$1.manifest')).toBe(false);
    expect(await okKey('manifests/other/x.manifest')).toBe(false);
    expect(await okKey('manifests/sales/x.csv')).toBe(false);
    expect(await okKey('manifests/salesXx.manifest')).toBe(false);
    expect(await okKey(42)).toBe(false);
    expect(def.States.RejectManifestKey).toEqual(expect.objectContaining({ Type: 'Fail', Error: 'Upsert.InvalidManifestKey' }));
  });

  test('the Sqls expression renders exactly what StagingUpsertSql.render produces', async () => {
    const expr = def.States.LoadRun.Arguments.Sqls.replace(/^\{%|%\}$/g, '');
    const sqls = await jsonata(expr).evaluate({}, {
      sqlTemplates: def.States.LoadStart.Assign.sqlTemplates, bucketName: 'curated-bucket',
      manifestKey: 'manifests/sales/0001.manifest', manifestEtag: '0123abcd-2',
    });
    expect([...sqls]).toEqual(StagingUpsertSql.render(def.States.LoadStart.Assign.sqlTemplates,
      's3://curated-bucket/manifests/sales/0001.manifest', 'manifests/sales/0001.manifest', '0123abcd-2'));
    expect(sqls[5]).toContain("FROM 's3://curated-bucket/manifests/sales/0001.manifest'");
  });

  test('HeadObject reads the manifest ETag (quotes stripped) from the source bucket', async () => {
    const read = def.States.ReadManifest;
    expect(read.Resource).toBe('arn:aws:states:::aws-sdk:s3:headObject');
    expect(read.Arguments).toEqual({ Bucket: bucketRef, Key: '{% $states.input.manifestKey %}' });
    const etagExpr = read.Assign.manifestEtag.replace(/^\{%|%\}$/g, '').replace('$states.result.ETag', '$etag');
    expect(await jsonata(etagExpr).evaluate({}, { etag: '"9b2cf535f27731c974343645a3985328"' })).toBe('9b2cf535f27731c974343645a3985328');
  });

  test('state machine: logs ALL to an encrypted group, X-Ray, 2 h timeout', () => {
    const t = Template.fromStack(b.stack);
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
      DefinitionString: Match.anyValue(),
    });
    expect(def.TimeoutSeconds).toBe(7200);
    t.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { KmsKeyId: { 'Fn::GetAtt': [b.stack.getLogicalId(b.warehouse.encryptionKey.node.defaultChild as any), 'Arn'] }, RetentionInDays: 365 },
    });
  });

  test('least privilege: Data API on the cluster, HeadObject on the manifest prefix, secret read', () => {
    const t = Template.fromStack(b.stack);
    const bucketId = b.stack.getLogicalId(b.bucket.bucket.node.defaultChild as any);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: b.stack.getLogicalId(b.upsert.stateMachine.role.node.defaultChild as any) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
            Resource: `arn:aws:redshift:eu-west-1:123456789012:cluster:${b.warehouse.warehouseName}`,
          }),
          Match.objectLike({ Action: 'secretsmanager:GetSecretValue' }),
          Match.objectLike({
            Sid: 'ReadManifestEtag', Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/manifests/sales/*']] },
          }),
        ]),
      },
    });
  });

  test('EventBridge starts a load when a manifest lands, passing only the key', () => {
    const t = Template.fromStack(b.stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: b.stack.getLogicalId(b.bucket.bucket.node.defaultChild as any) }] }, object: { key: [{ wildcard: 'manifests/sales/*.manifest' }] } },
      },
      Targets: [Match.objectLike({
        Arn: { Ref: b.stack.getLogicalId(b.upsert.stateMachine.node.defaultChild as any) },
        InputTransformer: { InputPathsMap: { 'detail-object-key': '$.detail.object.key' }, InputTemplate: '{"manifestKey":<detail-object-key>}' },
      })],
    });
  });

  test('failed, timed-out and aborted executions go to an encrypted SNS topic', () => {
    const t = Template.fromStack(b.stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        'detail': { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: b.stack.getLogicalId(b.upsert.stateMachine.node.defaultChild as any) }] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: b.stack.getLogicalId(b.upsert.notificationTopic.node.defaultChild as any) } })],
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [b.stack.getLogicalId(b.warehouse.encryptionKey.node.defaultChild as any), 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowEventBridgeToPublishEncrypted', Principal: { Service: 'events.amazonaws.com' } })]) },
    });
  });
});

describe('StagingUpsert options', () => {
  test('MERGE, CSV, Serverless, schedule, existing topic, custom polling', () => {
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Curated');
    const warehouse = new RedshiftWarehouse(stack, 'Warehouse', { type: WarehouseType.SERVERLESS });
    const topic = new sns.Topic(stack, 'Existing', { enforceSSL: true });
    const upsert = new StagingUpsert(stack, 'Upsert', {
      warehouse, table, orderColumn: 'updated_at', sourceBucket: bucket.bucket, manifestPrefix: 'manifests/daily/',
      strategy: UpsertStrategy.MERGE, format: LoadFormat.CSV, triggerOnManifest: false,
      schedule: events.Schedule.cron({ minute: '0', hour: '2' }), scheduledManifestKey: 'manifests/daily/latest.manifest',
      notificationTopic: topic, pollInterval: Duration.seconds(30), maxAttempts: 5, timeout: Duration.hours(6),
    });
    const def = stateMachineDefinitions(Template.fromStack(stack))[stack.getLogicalId(upsert.stateMachine.node.defaultChild as any)];
    expectValidAsl(def);
    expect(def.States.LoadRun.Arguments.WorkgroupName).toBe(warehouse.warehouseName);
    expect(def.States.LoadStart.Assign.sqlTemplates.some((s: string) => s.startsWith('MERGE INTO'))).toBe(true);
    expect(def.States.LoadStart.Assign.sqlTemplates[5]).toContain('FORMAT AS CSV IGNOREHEADER 1');
    expect(def.States.LoadWait.Seconds).toBe(30);
    expect(def.States.LoadCheck.Choices[1].Condition).toContain('$loadAttempt < 5');
    expect(def.TimeoutSeconds).toBe(21600);
    expect(upsert.manifestRule).toBeUndefined();
    expect(upsert.notificationTopic).toBe(topic);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      Targets: [Match.objectLike({ Input: '{"manifestKey":"manifests/daily/latest.manifest"}' })],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('WarehouseWorkgroup'), 'Workgroup.WorkgroupArn'] } })]) },
    });
  });

  test('sandbox mode destroys the log group', () => {
    const b = build({}, { sandbox: true });
    Template.fromStack(b.stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ RetentionInDays: 365 }) });
  });
});

describe('StagingUpsert validation', () => {
  const path = 'TestStack/Upsert';
  const expectError = (props: Partial<StagingUpsertProps>, prop: string, allowed: string) => {
    expectPropError(() => build(props), { path, prop, allowed });
  };
  test('manifest prefix characters', () => { expectError({ manifestPrefix: "manifests/it's/" }, 'manifestPrefix', 'characters'); });
  test('manifest prefix without trailing slash', () => { expectError({ manifestPrefix: 'manifests' }, 'manifestPrefix', 'ending with "/"'); });
  test('manifest suffix', () => { expectError({ manifestSuffix: '.man ifest' }, 'manifestSuffix', 'characters'); });
  test('poll interval', () => { expectError({ pollInterval: Duration.minutes(10) }, 'pollInterval', '1-300 seconds'); });
  test('max attempts', () => { expectError({ maxAttempts: 0 }, 'maxAttempts', '1-10'); });
  test('timeout', () => { expectError({ timeout: Duration.days(2) }, 'timeout', '60-86400 seconds'); });
  test('schedule without key', () => { expectError({ schedule: events.Schedule.rate(Duration.hours(1)) }, 'scheduledManifestKey', 'exactly when schedule is set'); });
  test('scheduled key outside the prefix', () => {
    expectError({ schedule: events.Schedule.rate(Duration.hours(1)), scheduledManifestKey: 'other/x.manifest' }, 'scheduledManifestKey', 'under manifests/sales/');
  });
  test('nothing starts a load', () => { expectError({ triggerOnManifest: false }, 'triggerOnManifest', 'or a schedule'); });
  test('bad table name is reported at synth with the prop path', () => {
    expectError({ table: { ...table, tableName: 'fact sales' } }, 'table.tableName', 'lower-case letters');
  });
  test('order column in the key', () => { expectError({ orderColumn: 'order_id' }, 'orderColumn', 'outside the key'); });
  test('bucket without EventBridge notifications', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Plain');
    const warehouse = new RedshiftWarehouse(stack, 'Warehouse');
    expectPropError(() => new StagingUpsert(stack, 'Upsert', { warehouse, table, orderColumn: 'updated_at', sourceBucket: bucket, manifestPrefix: 'm/' }),
      { path, prop: 'sourceBucket', allowed: 'eventBridgeEnabled: true' });
  });
});

describe('StagingUpsert compliance', () => {
  test('cdk-nag clean (warehouse + pipeline)', () => {
    const b = build();
    expectNagClean(b.stack, AWS_SOLUTIONS_ONLY);
  });
});
