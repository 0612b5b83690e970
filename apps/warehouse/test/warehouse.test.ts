import { AWS_SOLUTIONS_ONLY, expectNagClean, expectValidAsl, normalizeTemplate, stateMachineDefinitions, testApp } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WarehouseStack } from '../src';

function build() {
  const app = testApp();
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
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 1 * * ? *)', Targets: [{ Input: '{"manifestKey":"manifests/orders/nightly.manifest"}' }] });
  });

  test('Spectrum: Glue database and external schema setup', () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'curated_lake' } });
    expect(stack.warehouse.spectrumSchemaSql).toContain('CREATE EXTERNAL SCHEMA IF NOT EXISTS "lake" FROM DATA CATALOG DATABASE \'curated_lake\'');
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 2);
  });

  test('outputs', () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(['AdminSecretArn', 'ClusterIdentifier', 'CuratedBucket', 'SpectrumSetupStateMachineArn', 'UpsertStateMachineArn']);
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

  test('cdk-nag clean', () => {
    expectNagClean(build().app, AWS_SOLUTIONS_ONLY);
  });
});
