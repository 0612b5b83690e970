import { RedshiftLimits } from '@analytics-patterns/core';
import { DataLakeStorage, SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectPropError, expectValidAsl, logicalId as id, OTHER_ACCOUNT, Principals, PROJECT_CONTEXT,
  stateMachineDefinitions, testStack,
} from '@analytics-patterns/testing';
import { App, CfnParameter, Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { RedshiftColumnType, TableColumn, TableDefinition } from '../src/redshift-table/table-definition';
import { RedshiftWarehouse } from '../src/redshift-warehouse/redshift-warehouse';
import { WarehouseType } from '../src/redshift-warehouse/redshift-warehouse-props';
import { StagingUpsert } from '../src/staging-upsert/staging-upsert';
import { StagingUpsertProps } from '../src/staging-upsert/staging-upsert-props';
import { UpsertLimits } from '../src/staging-upsert/upsert-limits';
import { LoadFormat, StagingUpsertSql, UpsertStrategy } from '../src/staging-upsert/upsert-sql';

const table: TableDefinition = {
  schemaName: 'sales',
  tableName: 'fact_sales',
  columns: [
    { name: 'order_id', type: RedshiftColumnType.bigint() },
    { name: 'amount', type: RedshiftColumnType.decimal(12, 2) },
    { name: 'updated_at', type: RedshiftColumnType.timestamp() },
  ],
  keyColumns: ['order_id'],
  distKey: 'order_id',
  sortKeys: ['updated_at'],
};

interface Built { stack: Stack; upsert: StagingUpsert; warehouse: RedshiftWarehouse; bucket: SecureBucket }

function build(props: Partial<StagingUpsertProps> = {}, options: { serverless?: boolean; sandbox?: boolean; stack?: Stack } = {}): Built {
  const stack = options.stack ?? testStack({ sandbox: options.sandbox });
  const bucket = new SecureBucket(stack, 'Curated', { eventBridgeEnabled: true });
  const warehouse = new RedshiftWarehouse(stack, 'Warehouse', options.serverless ? { type: WarehouseType.SERVERLESS } : {});
  const upsert = new StagingUpsert(stack, 'Upsert', {
    warehouse, table, orderColumn: 'updated_at', sourceBucket: bucket.bucket, manifestPrefix: 'manifests/sales/', dataPrefix: 'curated/sales/', ...props,
  });
  return { stack, upsert, warehouse, bucket };
}

function definition(b: Built): any {
  return stateMachineDefinitions(Template.fromStack(b.stack))[id(b.stack, b.upsert.stateMachine)];
}

/** The IAM action and resource each Task state needs. */
function requiredPermissions(def: any): Array<{ state: string; action: string }> {
  const iamActions: Record<string, string> = {
    's3:getObject': 's3:GetObject',
    's3:headObject': 's3:GetObject',
    's3:putObject': 's3:PutObject',
    'redshiftdata:batchExecuteStatement': 'redshift-data:BatchExecuteStatement',
    'redshiftdata:describeStatement': 'redshift-data:DescribeStatement',
    'redshiftdata:cancelStatement': 'redshift-data:CancelStatement',
  };
  const out: Array<{ state: string; action: string }> = [];
  const walk = (states: Record<string, any>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') {
        const m = /aws-sdk:([a-z0-9]+):([A-Za-z]+)$/.exec(s.Resource)!;
        out.push({ state: name, action: iamActions[`${m[1]}:${m[2]}`] ?? `unknown ${m[1]}:${m[2]}` });
      }
      if (s.Type === 'Map') walk(s.ItemProcessor.States);
    }
  };
  walk(def.States);
  return out;
}

describe('StagingUpsert state machine', () => {
  const b = build();
  const def = definition(b);
  const t = Template.fromStack(b.stack);
  const bucketId = id(b.stack, b.bucket.bucket);

  test('built with the Step Functions L2 in JSONata; passes asl-validator', () => {
    expectValidAsl(def);
    expect(def.QueryLanguage).toBe('JSONata');
    expect(def.StartAt).toBe('Start');
    expect(def.TimeoutSeconds).toBe(7200);
    expect(Object.keys(def.States)).toEqual(expect.arrayContaining([
      'Start', 'CheckManifestKey', 'ReadManifest', 'CheckManifest', 'StatDataFiles', 'FreezeManifest', 'TablesRun', 'LoadStart', 'LoadRun',
      'LoadWait', 'LoadDescribe', 'LoadDeadline', 'LoadCheck', 'LoadBackoff', 'LoadCancel', 'LoadFinalStatus', 'LoadTimedOut', 'LoadFailed',
      'LoadOutcomeUnknown', 'Loaded',
    ]));
  });

  test('one BatchExecuteStatement per attempt, with an idempotency token; the SQL templates are plain values', () => {
    const run = def.States.LoadRun;
    expect(run.Resource).toBe('arn:aws:states:::aws-sdk:redshiftdata:batchExecuteStatement');
    expect(run.Arguments).toEqual({
      ClusterIdentifier: b.warehouse.warehouseName,
      Database: 'analytics',
      SecretArn: expect.stringMatching(/^ATT_WarehouseCluster.*_MasterPasswordSecretArn$/),
      StatementName: 'upsert-fact_sales',
      Sqls: expect.stringMatching(/^\{% \$map\(\$sqlTemplates/),
      ClientToken: expect.stringContaining('$states.context.Execution.Id'),
    });
    expect(def.States.Start.Assign.sqlTemplates).toHaveLength(b.upsert.statements.length);
    expect(def.States.Start.Assign.sqlTemplates[0]).toBe('LOCK "sales"."fact_sales", "sales"."upsert_ledger"');
    expect(def.States.Start.Assign.sqlTemplates[2]).toMatch(/^COPY "stage_fact_sales" FROM '\{\{manifest_uri\}\}' IAM_ROLE 'ATT_WarehouseRole.*_Arn' MANIFEST FORMAT AS PARQUET$/);
    expect(def.States.TablesRun.Arguments.Sqls).toBe('{% $tableSql %}');
    expect(run.Retry).toEqual([{
      ErrorEquals: ['RedshiftData.ActiveStatementsExceededException', 'RedshiftData.ActiveSessionsExceededException',
        'RedshiftData.InternalServerException', 'RedshiftData.ThrottlingException'],
      IntervalSeconds: 5,
      MaxAttempts: 6,
      BackoffRate: 2,
      MaxDelaySeconds: 120,
      JitterStrategy: 'FULL',
    }]);
    expect(def.States.LoadDescribe.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'LoadCancelUnknown' })]);
  });

  test('the state machine role may do every task of its definition, each scoped as tightly as IAM allows', () => {
    const statements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === id(b.stack, b.upsert.stateMachine.role)))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const allows = (action: string) => statements.filter((s: any) => s.Effect === 'Allow' && [].concat(s.Action).includes(action as never));
    const required = requiredPermissions(def);
    expect(new Set(required.map((r) => r.action))).toEqual(new Set(['s3:GetObject', 's3:PutObject', 'redshift-data:BatchExecuteStatement', 'redshift-data:DescribeStatement', 'redshift-data:CancelStatement']));
    for (const r of required) expect(allows(r.action).length).toBeGreaterThan(0);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('manifests/sales/') },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: objects('curated/sales/') },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects('upsert-frozen-manifests/sales/fact_sales/') },
      { Sid: 'RunUpsertBatches', Effect: 'Allow', Action: 'redshift-data:BatchExecuteStatement', Resource: `arn:aws:redshift:eu-west-1:123456789012:cluster:${b.warehouse.warehouseName}` },
      {
        Sid: 'FollowOwnStatements',
        Effect: 'Allow',
        Action: ['redshift-data:DescribeStatement', 'redshift-data:CancelStatement'],
        Resource: '*',
        Condition: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
      },
      { Sid: 'ReadWarehouseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^WarehouseCluster/), 'MasterPasswordSecretArn'] } },
      {
        Sid: 'DecryptWarehouseSecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: { 'Fn::GetAtt': [id(b.stack, b.warehouse.encryptionKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
      {
        Sid: 'SourceBucketKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [id(b.stack, b.bucket.encryptionKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]));
    // nothing broader: no redshift-data action without a resource or condition, no ExecuteStatement, no s3:* wildcard
    expect(statements.filter((s: any) => [].concat(s.Action).some((a: string) => a.startsWith('redshift-data:')))).toHaveLength(2);
    expect(statements.some((s: any) => [].concat(s.Action).some((a: string) => a === 's3:*' || a === 'redshift-data:ExecuteStatement'))).toBe(false);
  });

  test('COPY (the warehouse role) may read the data files and the frozen manifests', () => {
    const roleStatements = Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === id(b.stack, b.warehouse.role)))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${prefix}*`]] });
    for (const prefix of ['curated/sales/', 'upsert-frozen-manifests/sales/fact_sales/']) {
      expect(roleStatements).toContainEqual({ Effect: 'Allow', Action: ['s3:GetObject', 's3:GetBucketLocation', 's3:ListBucket'], Resource: [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, objects(prefix)] });
    }
  });

  test('failure notices: EventBridge publishes with its own role (this account only), which may use the topic\'s key', () => {
    const topicId = id(b.stack, b.upsert.notificationTopic);
    const roleId = b.stack.getLogicalId(b.upsert.node.findChild('NotificationRole').node.defaultChild as any);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        'detail': { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: id(b.stack, b.upsert.stateMachine) }] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topicId }, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] },
    });
    const notifier = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId)) as any;
    expect(notifier.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: { 'Fn::GetAtt': [id(b.stack, b.warehouse.encryptionKey), 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      },
    ]);
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [id(b.stack, b.warehouse.encryptionKey), 'Arn'] } });
    // the key policy does not open the key to the events service principal
    const keyPolicy = JSON.stringify(t.toJSON().Resources[id(b.stack, b.warehouse.encryptionKey)].Properties.KeyPolicy);
    expect(keyPolicy).not.toContain('events.amazonaws.com');
  });

  test('EventBridge starts loads with a role of the construct that trusts rules of this account and region only', () => {
    const startRole = b.upsert.node.findChild('StartRole') as any;
    const roleId = id(b.stack, startRole);
    expect(t.toJSON().Resources[roleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Principal: { Service: 'events.amazonaws.com' },
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'aws:SourceAccount': '123456789012' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:123456789012:rule/*' },
      },
    }]);
    const starter = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId)) as any;
    expect(starter.Properties.PolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: id(b.stack, b.upsert.stateMachine) } }]);
    // aws-cdk-lib's default target role (bare events.amazonaws.com trust) is not made
    const bareTrust = Object.values(t.findResources('AWS::IAM::Role')).filter((r: any) => r.Properties.AssumeRolePolicyDocument.Statement
      .some((st: any) => st.Principal?.Service === 'events.amazonaws.com' && st.Condition === undefined));
    expect(bareTrust).toEqual([]);
  });

  test('EventBridge starts a load when a manifest lands, passing only the key', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.s3'],
        'detail-type': ['Object Created'],
        'detail': { bucket: { name: [{ Ref: bucketId }] }, object: { key: [{ wildcard: 'manifests/sales/*.manifest' }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: id(b.stack, b.upsert.stateMachine) }, InputTransformer: { InputPathsMap: { 'detail-object-key': '$.detail.object.key' }, InputTemplate: '{"manifestKey":<detail-object-key>}' } })],
    });
  });

  test('logs ALL to an encrypted group, X-Ray', () => {
    t.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD', LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }), TracingConfiguration: { Enabled: true },
    });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { KmsKeyId: { 'Fn::GetAtt': [id(b.stack, b.warehouse.encryptionKey), 'Arn'] }, RetentionInDays: 365 } });
  });
});

describe.each([
  ['provisioned cluster', false],
  ['Serverless workgroup', true],
])('StagingUpsert run-time permissions on a %s (identity, bucket, key and topic policies together)', (_kind, serverless) => {
  const b = build({}, { serverless });
  const access = AccessModel.of(b.stack);
  const bucket = b.bucket.bucket;
  const role = b.upsert.stateMachine.role.roleArn;
  const sm = b.upsert.stateMachine.stateMachineArn;
  const dataKey = b.bucket.encryptionKey.keyArn;
  const warehouseKey = b.warehouse.encryptionKey.keyArn;
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };
  const userid = 'AROAUPSERT:execution';
  const own = { 'aws:userid': userid, 'redshift-data:statement-owner-iam-userid': userid };
  const elsewhere = serverless
    ? 'arn:aws:redshift-serverless:eu-west-1:123456789012:workgroup/another'
    : 'arn:aws:redshift:eu-west-1:123456789012:cluster:another';

  test('every request of the definition is allowed: manifests, data files, frozen copy, the bucket key, the Data API, the admin secret', async () => {
    await access.expectAllowed(
      { principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('manifests/sales/batch-7.manifest') },
      { principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('curated/sales/part-0001.parquet') },
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('upsert-frozen-manifests/sales/fact_sales/batch-7.manifest') },
      { principal: role, action: 'kms:GenerateDataKey', resource: dataKey, context: viaS3 },
      { principal: role, action: 'kms:Decrypt', resource: dataKey, context: viaS3 },
      { principal: role, action: 'redshift-data:BatchExecuteStatement', resource: b.warehouse.dataApiResourceArn },
      { principal: role, action: 'redshift-data:DescribeStatement', resource: '*', context: own },
      { principal: role, action: 'redshift-data:CancelStatement', resource: '*', context: own },
      { principal: role, action: 'secretsmanager:GetSecretValue', resource: b.warehouse.adminSecretArn },
      { principal: role, action: 'kms:Decrypt', resource: warehouseKey, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      { principal: 'states.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': sm } },
    );
  });

  test('and nothing around it: other prefixes, other warehouses, other owners\' statements, the keys outside their service, other accounts', async () => {
    await access.expectDenied(
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('curated/sales/part-0001.parquet') },
      { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('manifests/sales/batch-7.manifest') },
      { principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('curated/finance/part-0001.parquet') },
      { principal: role, action: 's3:DeleteObject', resource: bucket.arnForObjects('curated/sales/part-0001.parquet') },
      { principal: role, action: 'redshift-data:BatchExecuteStatement', resource: elsewhere },
      { principal: role, action: 'redshift-data:ExecuteStatement', resource: b.warehouse.dataApiResourceArn },
      { principal: role, action: 'redshift-data:DescribeStatement', resource: '*', context: { 'aws:userid': userid, 'redshift-data:statement-owner-iam-userid': 'AROAOTHER:someone' } },
      { principal: role, action: 'kms:Decrypt', resource: dataKey },
      { principal: role, action: 'kms:Decrypt', resource: warehouseKey },
      { principal: 'states.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': sm } },
      { principal: Principals.strangerInAccount(), action: 'states:StartExecution', resource: sm },
      { ...Principals.otherAccountAdmin(), action: 'states:StartExecution', resource: sm },
    );
    await access.expectExplicitlyDenied({ principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('manifests/sales/batch-7.manifest'), context: { 'aws:SecureTransport': 'false' } });
  });

  test('EventBridge rules of this account and region may start loads through the start role; other accounts\' and regions\' rules may not', async () => {
    const starter = access.resolve((b.upsert.node.findChild('StartRole') as any).roleArn) as string;
    const rule = access.resolve(b.upsert.manifestRule!.ruleArn) as string;
    await access.expectAllowed(
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: starter, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': rule } },
      { principal: starter, action: 'states:StartExecution', resource: sm },
    );
    await access.expectDenied(
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: starter },
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: starter, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': rule.replace('123456789012', OTHER_ACCOUNT) } },
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: starter, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': rule.replace('eu-west-1', 'us-east-1') } },
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: starter, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:pipes:eu-west-1:123456789012:pipe/other' } },
      { principal: starter, action: 'states:StartExecution', resource: 'arn:aws:states:eu-west-1:123456789012:stateMachine:another' },
    );
  });

  test('failure notices: the notifier role may publish to the encrypted topic and use its key; a stranger may not publish', async () => {
    const notifier = access.resolve((b.upsert.node.findChild('NotificationRole') as any).roleArn) as string;
    const topic = b.upsert.notificationTopic.topicArn;
    await access.expectAllowed(
      { principal: notifier, action: 'sns:Publish', resource: topic },
      { principal: notifier, action: 'kms:GenerateDataKey', resource: warehouseKey, context: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      { principal: notifier, action: 'kms:Decrypt', resource: warehouseKey, context: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: notifier, context: { 'aws:SourceAccount': '123456789012' } },
    );
    await access.expectDenied(
      { principal: notifier, action: 'kms:GenerateDataKey', resource: warehouseKey },
      { principal: notifier, action: 'kms:Decrypt', resource: warehouseKey, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      { principal: notifier, action: 'kms:GenerateDataKey', resource: warehouseKey, context: { 'kms:ViaService': 'sns.us-east-1.amazonaws.com' } },
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: notifier, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: Principals.strangerInAccount(), action: 'sns:Publish', resource: topic },
      { ...Principals.otherAccountAdmin(), action: 'sns:Publish', resource: topic },
    );
  });
});

test('ARNs come from the stack\'s partition: nothing hard-codes "arn:aws"', () => {
  const app = new App({ context: { ...PROJECT_CONTEXT, '@aws-cdk/core:enablePartitionLiterals': false } });
  const stack = new Stack(app, 'Partitioned', { env: { account: '123456789012', region: 'cn-north-1' } });
  const b = build({}, { stack });
  expect(JSON.stringify(Template.fromStack(b.stack).toJSON())).not.toMatch(/arn:aws[:-]/);
});

describe('StagingUpsert options and tokens', () => {
  test('MERGE, CSV, Serverless, schedule, existing topic, custom polling', () => {
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Curated');
    const warehouse = new RedshiftWarehouse(stack, 'Warehouse', { type: WarehouseType.SERVERLESS });
    const topic = new sns.Topic(stack, 'Existing', { enforceSSL: true });
    const upsert = new StagingUpsert(stack, 'Upsert', {
      warehouse,
      table,
      orderColumn: 'updated_at',
      sourceBucket: bucket.bucket,
      manifestPrefix: 'manifests/daily/',
      strategy: UpsertStrategy.MERGE,
      format: LoadFormat.CSV,
      triggerOnManifest: false,
      schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' }),
      scheduledManifestKey: 'manifests/daily/latest.manifest',
      notificationTopic: topic,
      pollInterval: Duration.seconds(30),
      maxAttempts: 5,
      timeout: Duration.hours(6),
    });
    const def = stateMachineDefinitions(Template.fromStack(stack))[id(stack, upsert.stateMachine)];
    expectValidAsl(def);
    expect(def.States.LoadRun.Arguments.WorkgroupName).toBe(warehouse.warehouseName);
    expect(def.States.Start.Assign.sqlTemplates.some((s: string) => s.startsWith('MERGE INTO'))).toBe(true);
    expect(def.States.Start.Assign.sqlTemplates[2]).toContain('FORMAT AS CSV IGNOREHEADER 1');
    expect(def.States.LoadWait.Seconds).toBe(30);
    expect(def.States.LoadCheck.Choices[1].Condition).toContain('$loadAttempt < 5');
    expect(def.TimeoutSeconds).toBe(21600);
    expect(upsert.manifestRule).toBeUndefined();
    expect(upsert.notificationTopic).toBe(topic);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Events::Rule', 1); // the failure rule only: schedules run on EventBridge Scheduler
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0].Properties;
    expect(schedule.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.KmsKeyArn).toBeUndefined(); // the input is a key name: no role grant on the warehouse key for it
    expect(schedule.Target).toEqual({
      Arn: { Ref: id(stack, upsert.stateMachine) },
      RoleArn: { 'Fn::GetAtt': [id(stack, upsert.schedulerRole!), 'Arn'] },
      Input: '{"manifestKey":"manifests/daily/latest.manifest"}',
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
    });
    // the scheduler role: only EventBridge Scheduler, for this account's default schedule group
    expect(t.toJSON().Resources[id(stack, upsert.schedulerRole!)].Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default' },
        },
      }],
    });
  });

  test('the schedule runs on EventBridge Scheduler: the scheduler role may start this state machine, and strangers may not assume it', async () => {
    const stack = testStack();
    const b = build({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), scheduledManifestKey: 'manifests/sales/latest.manifest' }, { stack });
    const access = AccessModel.of(stack);
    const role = access.resolve(b.upsert.schedulerRole!.roleArn) as string;
    const sm = access.resolve(b.upsert.stateMachine.stateMachineArn) as string;
    const group = 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default';
    await access.expectAllowed(
      { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': group } },
      { principal: role, action: 'states:StartExecution', resource: sm },
    );
    await access.expectDenied(
      { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': group.replace('123456789012', OTHER_ACCOUNT) } },
      { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': group } },
      { principal: role, action: 's3:GetObject', resource: 'arn:aws:s3:::any-bucket/manifests/sales/latest.manifest' },
      { principal: role, action: 'kms:Decrypt', resource: access.resolve(b.warehouse.encryptionKey.keyArn) as string },
    );
  });

  test('CfnParameter values are accepted where CloudFormation takes them, and reach the definition unmangled', () => {
    const stack = testStack();
    const p = (name: string, type = 'Number') => new CfnParameter(stack, name, { type });
    const b = build({
      pollInterval: Duration.seconds(p('Poll').valueAsNumber),
      timeout: Duration.seconds(p('Timeout').valueAsNumber),
      maxAttempts: p('Attempts').valueAsNumber,
      database: p('Database', 'String').valueAsString,
      manifestPrefix: p('Prefix', 'String').valueAsString,
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      scheduledManifestKey: p('Key', 'String').valueAsString,
    }, { stack });
    const t = Template.fromStack(b.stack);
    const ds = JSON.stringify(t.toJSON().Resources[id(b.stack, b.upsert.stateMachine)].Properties.DefinitionString);
    for (const ref of ['Poll', 'Timeout', 'Attempts', 'Database', 'Prefix']) expect(ds).toContain(`{"Ref":"${ref}"}`);
    expect(ds).not.toMatch(/e\+\d{3}|Token\[/);
    t.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ Input: { 'Fn::Join': ['', ['{"manifestKey":"', { Ref: 'Key' }, '"}']] } }) });
  });

  test('prefixes that scope the COPY role must be known at synth', () => {
    const stack = testStack();
    const prefix = new CfnParameter(stack, 'DataPrefix', { type: 'String' }).valueAsString;
    expectPropError(() => build({ dataPrefix: prefix }, { stack }), { path: 'TestStack/Upsert', prop: 'dataPrefix', allowed: 'a prefix known at synth' });
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
  const ok = (props: Partial<StagingUpsertProps>) => expect(() => build(props)).not.toThrow();

  test('manifest prefix characters and shape', () => {
    expectError({ manifestPrefix: "manifests/it's/" }, 'manifestPrefix', 'characters');
    expectError({ manifestPrefix: 'manifests' }, 'manifestPrefix', 'ending with "/"');
  });
  test('manifest suffix', () => { expectError({ manifestSuffix: '.man ifest' }, 'manifestSuffix', 'characters'); });
  test('frozen manifests outside the manifest prefix', () => {
    expectError({ frozenManifestPrefix: 'manifests/sales/frozen/' }, 'frozenManifestPrefix', 'apart from manifestPrefix');
    ok({ frozenManifestPrefix: 'manifests/frozen/' });
  });
  test('poll interval 1-300 s, both sides', () => {
    expectError({ pollInterval: Duration.seconds(0) }, 'pollInterval', '1-300 seconds');
    expectError({ pollInterval: Duration.seconds(301) }, 'pollInterval', '1-300 seconds');
    ok({ pollInterval: Duration.seconds(300), timeout: Duration.seconds(720) });
    ok({ pollInterval: Duration.seconds(1), timeout: Duration.seconds(200) });
  });
  test('a Duration that is not whole seconds fails with the construct\'s message', () => {
    expectError({ pollInterval: Duration.millis(1500) }, 'pollInterval', 'a whole number from 1 to 300 seconds');
  });
  test('timeout at most 8 hours (ClientToken lifetime), both sides', () => {
    expectError({ timeout: Duration.seconds(RedshiftLimits.DATA_API_CLIENT_TOKEN_SECONDS + 1), pollInterval: Duration.seconds(30) }, 'timeout', `60-${RedshiftLimits.DATA_API_CLIENT_TOKEN_SECONDS} seconds`);
    ok({ timeout: Duration.seconds(RedshiftLimits.DATA_API_CLIENT_TOKEN_SECONDS), pollInterval: Duration.seconds(30) });
  });
  test('timeout leaves time to cancel: at least 2 x pollInterval + 120 s, both sides', () => {
    expectError({ timeout: Duration.seconds(149), pollInterval: Duration.seconds(15) }, 'timeout', 'at least 2 x pollInterval + 120 s (150 seconds)');
    ok({ timeout: Duration.seconds(150), pollInterval: Duration.seconds(15) });
  });
  test('S14: poll interval and timeout together stay within the execution history, both sides', () => {
    expectError({ timeout: Duration.seconds(UpsertLimits.MAX_POLLS + 1), pollInterval: Duration.seconds(1) }, 'timeout', `at most ${UpsertLimits.MAX_POLLS} x pollInterval`);
    ok({ timeout: Duration.seconds(UpsertLimits.MAX_POLLS), pollInterval: Duration.seconds(1) });
    expectError({ timeout: Duration.hours(8), pollInterval: Duration.seconds(15) }, 'timeout', '28215 seconds with a 15 s poll interval');
  });
  test('max attempts 1-10, both sides', () => {
    expectError({ maxAttempts: 0 }, 'maxAttempts', '1-10');
    expectError({ maxAttempts: 11 }, 'maxAttempts', '1-10');
    ok({ maxAttempts: 10 });
  });
  test('schedule and key', () => {
    expectError({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)) }, 'scheduledManifestKey', 'exactly when schedule is set');
    expectError({ schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)), scheduledManifestKey: 'other/x.manifest' }, 'scheduledManifestKey', 'under manifests/sales/');
    expectError({ triggerOnManifest: false }, 'triggerOnManifest', 'or a schedule');
    // EventBridge Scheduler's rules: rate of at least 1 minute; cron fields; IANA time zones
    const key = { scheduledManifestKey: 'manifests/sales/latest.manifest' };
    expectError({ ...key, schedule: scheduler.ScheduleExpression.expression('rate(0 minutes)') }, 'schedule', 'rate(n minutes|hours|days)');
    expect(() => build({ ...key, schedule: scheduler.ScheduleExpression.rate(Duration.minutes(1)) })).not.toThrow();
    expectError({ ...key, schedule: scheduler.ScheduleExpression.expression('cron(0 25 * * ? *)') }, 'schedule', 'cron(minutes hours');
    expectError({ ...key, schedule: scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)', TimeZone.of('Mars/Olympus')) }, 'schedule', 'cron(minutes hours');
    expect(() => build({ ...key, schedule: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: TimeZone.EUROPE_BERLIN }) })).not.toThrow();
  });
  test('table rules are reported with the prop path', () => {
    expectError({ table: { ...table, tableName: 'fact sales' } }, 'table.tableName', 'lower-case letters');
    expectError({ table: { ...table, schemaName: 'pg_sales' } }, 'table.schemaName', 'not starting with "pg_"');
    expectError({ table: { ...table, columns: [...table.columns, { name: 'xmin', type: RedshiftColumnType.integer() }] } }, 'table.columns[3].name', 'system columns');
    expectError({ orderColumn: 'order_id' }, 'orderColumn', 'outside the key');
  });
  test('S16: every statement fits the Data API\'s 100,000-byte limit with run-time values at their longest, both sides', () => {
    const wide = (n: number): TableDefinition => ({
      tableName: 'wide',
      keyColumns: ['k'],
      columns: [{ name: 'k', type: RedshiftColumnType.bigint() }, { name: 'at', type: RedshiftColumnType.integer() },
        ...Array.from({ length: n }, (_, i): TableColumn => ({ name: `c${String(i).padStart(5, '0')}_${'x'.repeat(110)}`, type: RedshiftColumnType.integer() }))],
    });
    const fits = (n: number) => [...StagingUpsertSql.tableStatements({ table: wide(n), orderColumn: 'at', copyRoleArn: 'arn:aws:iam::123456789012:role/x' }),
      ...StagingUpsertSql.loadStatements({ table: wide(n), orderColumn: 'at', copyRoleArn: 'arn:aws:iam::123456789012:role/x' })]
      .every((s) => StagingUpsertSql.maxRenderedBytes(s) <= RedshiftLimits.DATA_API_STATEMENT_BYTES);
    let lo = 1;
    let hi = 1000;
    while (hi - lo > 1) { const mid = Math.floor((lo + hi) / 2); if (fits(mid)) lo = mid; else hi = mid; }
    ok({ table: wide(lo), orderColumn: 'at' });
    expectError({ table: wide(lo + 1), orderColumn: 'at' }, 'table', 'statements of at most 100000 bytes');
  });
  describe('triggerOnManifest needs a bucket that sends its events to EventBridge', () => {
    const upsertOn = (stack: Stack, bucket: s3.IBucket) => new StagingUpsert(stack, 'Upsert', {
      warehouse: new RedshiftWarehouse(stack, 'Warehouse'), table, orderColumn: 'updated_at', sourceBucket: bucket, manifestPrefix: 'm/',
    });
    test('a plain bucket fails', () => {
      const stack = testStack();
      expectPropError(() => upsertOn(stack, new s3.Bucket(stack, 'Plain')), { path, prop: 'sourceBucket', value: '"TestStack/Plain"', allowed: 'eventBridgeEnabled: true' });
    });
    test('a bucket with only an SNS notification fails (its notifications resource has no EventBridgeConfiguration)', () => {
      const stack = testStack();
      const bucket = new s3.Bucket(stack, 'Notifying');
      bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(new sns.Topic(stack, 'Topic')));
      expect(bucket.node.tryFindChild('Notifications')).toBeDefined(); // what the old check took for EventBridge
      expectPropError(() => upsertOn(stack, bucket), { path, prop: 'sourceBucket', value: '"TestStack/Notifying"', allowed: 'SNS, SQS and Lambda notifications do not start loads' });
    });
    test('aws-cdk-lib\'s eventBridgeEnabled passes, alone and next to an SNS notification', () => {
      const stack = testStack();
      const bucket = new s3.Bucket(stack, 'Bridged', { eventBridgeEnabled: true });
      expect(() => upsertOn(stack, bucket)).not.toThrow();
      const other = testStack();
      const both = new s3.Bucket(other, 'Both');
      both.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.SnsDestination(new sns.Topic(other, 'Topic')));
      both.enableEventBridgeNotification();
      expect(() => upsertOn(other, both)).not.toThrow();
    });
    test('a SecureBucket with eventBridgeEnabled passes (the L1 property)', () => {
      const stack = testStack();
      expect(() => upsertOn(stack, new SecureBucket(stack, 'Secure', { eventBridgeEnabled: true }).bucket)).not.toThrow();
    });
    test('a DataLakeStorage zone with eventBridgeEnabled composes with the default triggerOnManifest; one without fails', () => {
      const stack = testStack();
      const lake = new DataLakeStorage(stack, 'Lake', { curated: { eventBridgeEnabled: true } });
      const upsert = upsertOn(stack, lake.curated.bucket);
      expect(upsert.manifestRule).toBeDefined();
      const other = testStack();
      const quiet = new DataLakeStorage(other, 'Lake');
      expectPropError(() => upsertOn(other, quiet.curated.bucket), { path, prop: 'sourceBucket', allowed: 'eventBridgeEnabled: true' });
    });
  });
});

describe('StagingUpsert compliance', () => {
  test('cdk-nag clean (warehouse + pipeline)', () => {
    expectNagClean(build().stack);
  });

  const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  /** A StagingUpsert reading an imported bucket (`corp-lake`), optionally with its key, optionally with token prefixes. */
  function imported(options: { key?: boolean; tokenPrefix?: boolean } = {}) {
    const stack = testStack();
    const encryptionKey = options.key ? kms.Key.fromKeyArn(stack, 'LakeKey', KEY_ARN) : undefined;
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Lake', { bucketName: 'corp-lake', encryptionKey });
    const warehouse = new RedshiftWarehouse(stack, 'Warehouse');
    const manifestPrefix = options.tokenPrefix ? new CfnParameter(stack, 'ManifestPrefix', { type: 'String' }).valueAsString : 'manifests/sales/';
    const upsert = new StagingUpsert(stack, 'Upsert', {
      warehouse,
      table,
      orderColumn: 'updated_at',
      sourceBucket: bucket,
      manifestPrefix,
      dataPrefix: 'curated/sales/',
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      scheduledManifestKey: options.tokenPrefix ? `${manifestPrefix}latest.manifest` : 'manifests/sales/latest.manifest',
    });
    return { stack, upsert, bucket };
  }

  test.each<[string, { key?: boolean; tokenPrefix?: boolean }]>([
    ['an imported bucket with its key', { key: true }],
    ['an imported bucket without a key', { key: false }],
    ['an imported bucket and a manifest prefix given as a CfnParameter', { key: true, tokenPrefix: true }],
  ])('cdk-nag clean (four packs) with %s: each prefix wildcard and the notifier\'s key wildcard acknowledged by name', (_name, options) => {
    const b = imported(options);
    const report = expectNagClean(b.stack);
    const upsertAcks = report.acknowledged.filter((a) => a.pack === 'AwsSolutions' && a.rule.startsWith('AwsSolutions-IAM5') && a.path.startsWith('TestStack/Upsert/'))
      .map((a) => a.rule).sort();
    expect(upsertAcks).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-lake/curated/sales/*]',
      options.tokenPrefix ? 'AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-lake/<ManifestPrefix>*]' : 'AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-lake/manifests/sales/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:s3:::corp-lake/upsert-frozen-manifests/sales/fact_sales/*]',
    ].sort());
  });

  test('cdk-nag clean with a created bucket and a manifest prefix given as a CfnParameter (the finding names the parameter)', () => {
    const stack = testStack();
    const b = build({ manifestPrefix: new CfnParameter(stack, 'ManifestPrefix', { type: 'String' }).valueAsString }, { stack });
    const report = expectNagClean(b.stack);
    expect(report.acknowledged.map((a) => a.rule)).toContain(`AwsSolutions-IAM5[Resource::<${id(b.stack, b.bucket.bucket)}.Arn>/<ManifestPrefix>*]`);
  });

  // (the imported key's policy is not in the template, so its use is asserted on the identity statement in the main test)
  test.each([[true], [false]])('imported bucket (key: %s): the state machine reads manifests under the prefix and nothing outside it', async (key) => {
    const b = imported({ key });
    const access = AccessModel.of(b.stack);
    const role = b.upsert.stateMachine.role.roleArn;
    await access.expectAllowed(
      { principal: role, action: 's3:GetObject', resource: 'arn:aws:s3:::corp-lake/manifests/sales/batch-7.manifest' },
      { principal: role, action: 's3:GetObject', resource: 'arn:aws:s3:::corp-lake/curated/sales/part-0001.parquet' },
      { principal: role, action: 's3:PutObject', resource: 'arn:aws:s3:::corp-lake/upsert-frozen-manifests/sales/fact_sales/batch-7.manifest' },
    );
    await access.expectDenied(
      { principal: role, action: 's3:GetObject', resource: 'arn:aws:s3:::corp-lake/manifests/finance/batch-7.manifest' },
      { principal: role, action: 's3:GetObject', resource: 'arn:aws:s3:::other-lake/manifests/sales/batch-7.manifest' },
      { principal: role, action: 's3:PutObject', resource: 'arn:aws:s3:::corp-lake/manifests/sales/batch-7.manifest' },
    );
  });
});
