import {
  AccessModel, expectNagClean, expectValidAsl, normalizeTemplate, OTHER_ACCOUNT, Principals, stateMachineDefinitions, taskActions,
  testApp,
} from '@analytics-patterns/testing';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WarehouseStack } from '../src';

function build(context: Record<string, unknown> = {}) {
  const app = testApp({ context });
  const stack = new WarehouseStack(app, 'Warehouse');
  return { app, stack, template: Template.fromStack(stack) };
}

describe('Warehouse reference app', () => {
  const { stack, template } = build();
  const keyArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.warehouse.encryptionKey.node.defaultChild as kms.CfnKey), 'Arn'] };

  test('one aliased CMK encrypts the curated bucket, the cluster, its admin secret and every log group', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/analytics-patterns/warehouse' });
    template.hasResourceProperties('AWS::Redshift::Cluster', { KmsKeyId: keyArn, MasterPasswordSecretKmsKeyId: keyArn, Encrypted: true, NodeType: 'ra3.xlplus', NumberOfNodes: 2 });
    for (const g of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(g.Properties.KmsKeyId).toEqual(keyArn);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: keyArn }, BucketKeyEnabled: true }] },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
  });

  test('the upsert loads manifests/orders/*.manifest into sales.fact_orders (composite key, KEY distribution)', () => {
    const def = stateMachineDefinitions(template)[stack.getLogicalId(stack.upsert.stateMachine.node.defaultChild as any)];
    expectValidAsl(def);
    const ddl: string[] = def.States.Start.Assign.tableSql;
    const sql: string[] = def.States.Start.Assign.sqlTemplates;
    expect(ddl[1]).toContain('CREATE TABLE IF NOT EXISTS "sales"."fact_orders"');
    expect(ddl[1]).toContain('PRIMARY KEY ("order_id", "line_no")) DISTSTYLE KEY DISTKEY ("order_id") COMPOUND SORTKEY ("updated_at")');
    expect(ddl[1]).toContain('"updated_at" TIMESTAMP ENCODE RAW NOT NULL');
    expect(sql[0]).toBe('LOCK "sales"."fact_orders", "sales"."upsert_ledger"');
    expect(sql[2]).toMatch(/^COPY "stage_fact_orders" FROM '\{\{manifest_uri\}\}' IAM_ROLE '.*' MANIFEST FORMAT AS PARQUET$/);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { object: { key: [{ wildcard: 'manifests/orders/*.manifest' }] } } } });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 1 * * ? *)', Target: Match.objectLike({ Input: '{"manifestKey":"manifests/orders/nightly.manifest"}' }),
    });
  });

  test('Spectrum: Glue database and external schema setup', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'curated_lake' } });
    expect(stack.warehouse.spectrumSchemaSql).toContain('CREATE EXTERNAL SCHEMA IF NOT EXISTS "lake" FROM DATA CATALOG DATABASE \'curated_lake\'');
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
  });

  test('outputs', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'AdminSecretArn', 'ClusterIdentifier', 'CuratedBucket', 'FailureTopicArn', 'SpectrumSetupStateMachineArn', 'UpsertStateMachineArn',
    ]);
    expect(template.toJSON().Outputs.FailureTopicArn.Value).toEqual({ Ref: stack.getLogicalId(stack.failureTopic.topic.node.defaultChild as any) });
  });

  test('failed loads reach someone: the app\'s one encrypted topic, with the e-mails of the prop or the alarm-emails context', () => {
    expect(stack.upsert.notificationTopic).toBe(stack.failureTopic.topic);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const fromContext = Template.fromStack(new WarehouseStack(testApp({ context: { 'alarm-emails': 'ops@example.com, dba@example.com' } }), 'Warehouse'));
    const fromProp = Template.fromStack(new WarehouseStack(testApp(), 'Warehouse', { alarmEmails: ['ops@example.com', 'dba@example.com'] }));
    for (const t of [fromContext, fromProp]) {
      const subs = Object.values(t.findResources('AWS::SNS::Subscription')).map((r) => [r.Properties.Protocol, r.Properties.Endpoint]);
      expect(subs.sort()).toEqual([['email', 'dba@example.com'], ['email', 'ops@example.com']]);
    }
  });

  test('stateful resources are retained by default and destroyed in sandbox mode', () => {
    const stateful = ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::Redshift::Cluster', 'AWS::Glue::Database'];
    const sandbox = Template.fromStack(new WarehouseStack(testApp({ sandbox: true }), 'Warehouse'));
    for (const type of stateful) {
      expect(Object.keys(template.findResources(type)).length).toBeGreaterThan(0);
      for (const r of Object.values(template.findResources(type))) expect(r.DeletionPolicy).toBe('Retain');
      for (const r of Object.values(sandbox.findResources(type))) expect(r.DeletionPolicy).toBe('Delete');
    }
    expect(Object.keys(sandbox.findResources('Custom::S3AutoDeleteObjects'))).toHaveLength(Object.keys(sandbox.findResources('AWS::S3::Bucket')).length);
  });

  test('snapshot (normalized)', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('cdk-nag, all four packs: clean, with and without the HSM option', () => {
    expectNagClean(build().app);
    expectNagClean(build({ 'warehouse-hsm': 'true' }).app);
  });

  test('no CloudHSM cluster unless asked', () => {
    template.resourceCountIs('AWS::CloudHSM::Cluster', 0);
    expect(stack.hsm).toBeUndefined();
  });

  test('warehouse-hsm=true: a FIPS CloudHSM cluster (no HSMs) in the warehouse subnets, reachable from the cluster on 2223-2225 only', () => {
    const hsm = build({ 'warehouse-hsm': 'true' });
    const cluster = Object.values<any>(hsm.template.findResources('AWS::CloudHSM::Cluster'));
    expect(cluster).toHaveLength(1);
    expect(cluster[0].Properties).toMatchObject({ HsmType: 'hsm2m.medium', Mode: 'FIPS', BackupRetentionPolicy: { Type: 'DAYS', Value: '90' } });
    const subnets = hsm.template.findResources('AWS::Redshift::ClusterSubnetGroup');
    expect(cluster[0].Properties.SubnetIds).toEqual(Object.values<any>(subnets)[0].Properties.SubnetIds);
    const hsmId = hsm.stack.getLogicalId(hsm.stack.hsm!.cluster);
    expect(Object.values<any>(hsm.template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => JSON.stringify(r.Properties.GroupId).includes(hsmId)).map((r) => r.Properties)).toEqual([{
      GroupId: { 'Fn::GetAtt': [hsmId, 'SecurityGroup'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [hsm.stack.getLogicalId(hsm.stack.warehouse.securityGroup.node.defaultChild as any), 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 2223,
      ToPort: 2225,
      Description: 'Redshift HSM encryption',
    }]);
    expect(hsm.template.toJSON().Outputs.HsmClusterId).toBeDefined();
  });

  describe('run-time permissions of the app-level wiring', () => {
    const access = AccessModel.of(stack);
    const bucket = stack.curated.bucket;
    const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };
    const key = stack.warehouse.encryptionKey.keyArn;
    const sm = stack.upsert.stateMachine;
    const cluster = `arn:aws:redshift:eu-west-1:123456789012:cluster:${stack.warehouse.warehouseName}`;
    /** The role EventBridge assumes for the rule's one target. */
    const targetRole = (rule: Construct) => {
      const resource = template.toJSON().Resources[stack.getLogicalId(rule.node.defaultChild as any)];
      return access.resolve(resource.Properties.Targets[0].RoleArn) as string;
    };

    test('the upsert state machine can do every task of its definition (S3, Data API, the admin secret and its key)', async () => {
      const def = stateMachineDefinitions(template)[stack.getLogicalId(sm.node.defaultChild as any)];
      const actions = [...new Set(taskActions(def).flatMap((t) => t.actions))].sort();
      expect(actions).toEqual(['redshift-data:BatchExecuteStatement', 'redshift-data:CancelStatement', 'redshift-data:DescribeStatement', 's3:GetObject', 's3:HeadObject', 's3:PutObject']);
      const role = sm.role.roleArn;
      const userid = 'AROAUPSERT:execution';
      await access.expectAllowed(
        { principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('manifests/orders/batch-42.manifest') },
        // HeadObject is authorized as s3:GetObject
        { principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('orders/part-0001.parquet') },
        { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('upsert-frozen-manifests/sales/fact_orders/batch-42.manifest') },
        { principal: role, action: 'kms:GenerateDataKey', resource: key, context: viaS3 },
        { principal: role, action: 'redshift-data:BatchExecuteStatement', resource: cluster },
        { principal: role, action: 'redshift-data:DescribeStatement', resource: '*', context: { 'aws:userid': userid, 'redshift-data:statement-owner-iam-userid': userid } },
        { principal: role, action: 'redshift-data:CancelStatement', resource: '*', context: { 'aws:userid': userid, 'redshift-data:statement-owner-iam-userid': userid } },
        { principal: role, action: 'secretsmanager:GetSecretValue', resource: stack.warehouse.adminSecretArn },
        { principal: role, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
        { principal: 'states.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': sm.stateMachineArn } },
      );
      await access.expectDenied(
        { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('orders/part-0001.parquet') },
        { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('manifests/orders/batch-42.manifest') },
        { principal: role, action: 'redshift-data:BatchExecuteStatement', resource: 'arn:aws:redshift:eu-west-1:123456789012:cluster:another' },
        { principal: role, action: 'redshift-data:DescribeStatement', resource: '*', context: { 'aws:userid': userid, 'redshift-data:statement-owner-iam-userid': 'AROAOTHER:someone' } },
        { principal: role, action: 'kms:Decrypt', resource: key },
        { principal: 'states.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': sm.stateMachineArn } },
      );
    });

    test('EventBridge (the manifest rule) and EventBridge Scheduler (the nightly schedule) may start the upsert, and nothing else; strangers may not', async () => {
      const roleArn = targetRole(stack.upsert.manifestRule!);
      const schedulerRole = access.resolve(stack.upsert.schedulerRole!.roleArn) as string;
      const group = 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default';
      await access.expectAllowed(
        { principal: schedulerRole, action: 'states:StartExecution', resource: sm.stateMachineArn },
        { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: schedulerRole, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': group } },
      );
      await access.expectDenied(
        { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: schedulerRole, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': group.replace('123456789012', OTHER_ACCOUNT) } },
        { principal: schedulerRole, action: 'states:StartExecution', resource: stack.warehouse.setupStateMachine!.stateMachineArn },
      );
      const ruleArn = access.resolve(stack.upsert.manifestRule!.ruleArn) as string;
      await access.expectAllowed(
        { principal: roleArn, action: 'states:StartExecution', resource: sm.stateMachineArn },
        { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: roleArn, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': ruleArn } },
      );
      await access.expectDenied(
        { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: roleArn },
        { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: roleArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': ruleArn.replace('123456789012', OTHER_ACCOUNT) } },
        { principal: roleArn, action: 'states:StartExecution', resource: stack.warehouse.setupStateMachine!.stateMachineArn },
        { principal: Principals.strangerInAccount(), action: 'states:StartExecution', resource: sm.stateMachineArn },
        { ...Principals.otherAccountAdmin(), action: 'states:StartExecution', resource: sm.stateMachineArn },
      );
    });

    test('failure notifications: EventBridge publishes to the encrypted topic with its key; other accounts\' events may not', async () => {
      const roleArn = targetRole(stack.upsert.failureRule);
      const topic = stack.upsert.notificationTopic.topicArn;
      await access.expectAllowed(
        { principal: roleArn, action: 'sns:Publish', resource: topic },
        { principal: roleArn, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' } },
        { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: roleArn, context: { 'aws:SourceAccount': '123456789012' } },
      );
      await access.expectDenied(
        { principal: roleArn, action: 'kms:GenerateDataKey', resource: key },
        { principal: roleArn, action: 'kms:Decrypt', resource: key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        { principal: 'events.amazonaws.com', action: 'sts:AssumeRole', resource: roleArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
        { principal: Principals.strangerInAccount(), action: 'sns:Publish', resource: topic },
        { ...Principals.otherAccountAdmin(), action: 'sns:Publish', resource: topic },
      );
      await access.expectExplicitlyDenied({ principal: roleArn, action: 'sns:Publish', resource: topic, context: { 'aws:SecureTransport': 'false' } });
    });

    test('the COPY role: assumed by Redshift for this cluster\'s database users only; reads the curated zone with the key', async () => {
      const role = stack.warehouse.role.roleArn;
      await access.expectAllowed(
        { principal: role, action: 's3:GetObject', resource: bucket.arnForObjects('orders/part-0001.parquet') },
        { principal: role, action: 'kms:Decrypt', resource: key, context: viaS3 },
        { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': `arn:aws:redshift:eu-west-1:123456789012:dbuser:${stack.warehouse.warehouseName}/etl` } },
      );
      await access.expectDenied(
        { principal: role, action: 's3:PutObject', resource: bucket.arnForObjects('orders/part-0001.parquet') },
        { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'sts:ExternalId': 'arn:aws:redshift:eu-west-1:123456789012:dbuser:another-cluster/etl' } },
        { principal: 'redshift.amazonaws.com', action: 'sts:AssumeRole', resource: role },
      );
    });

    test('the curated zone refuses strangers, other accounts, unsigned and plain-HTTP requests', async () => {
      const object = bucket.arnForObjects('orders/part-0001.parquet');
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
        { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
        { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
      );
      await access.expectExplicitlyDenied({ principal: stack.warehouse.role.roleArn, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
    });
  });
});
