import { ColumnType, DataLakeDatabase, DataLakeTable, SecureBucket, TableFormat } from '@analytics-patterns/storage';
import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, logicalId as id, numberParameter, OTHER_ACCOUNT, Principals,
  stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lf from 'aws-cdk-lib/aws-lakeformation';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  LakePermission, LakePrincipal, LakeResource, LakeSettingsMutation, LakeTagResourceType, SecureDataLake, SecureDataLakeProps,
} from '../src';
import { referencedColumns } from '../src/secure-data-lake/lake-internals';

const ADMIN = 'arn:aws:iam::123456789012:role/DataLakeAdmin';
const PATH = 'TestStack/Lake';

const ordersTable = {
  databaseName: 'sales',
  tableName: 'orders',
  columns: [
    { name: 'order_id', type: 'string' },
    { name: 'email', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'region', type: 'string' },
  ],
  partitionKeys: [{ name: 'year', type: 'string' }],
};

interface Fixture { stack: Stack; lake: SecureDataLake; bucket: SecureBucket; analyst: iam.Role }

function lake(overrides: Partial<SecureDataLakeProps> = {}, stack: Stack = testStack()): Fixture {
  const bucket = new SecureBucket(stack, 'Bucket');
  const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  const l = new SecureDataLake(stack, 'Lake', {
    admins: [LakePrincipal.fromArn(ADMIN)],
    bucket: bucket.bucket,
    locationPrefix: 'raw',
    databases: [{ name: 'sales' }],
    tables: [ordersTable],
    tags: [{ key: 'domain', values: ['sales', 'marketing'] }, { key: 'pii', values: ['true', 'false'] }],
    ...overrides,
  });
  return { stack, lake: l, bucket, analyst };
}

const dependsOn = (t: Template, logicalId: string): string[] => t.toJSON().Resources[logicalId].DependsOn ?? [];

describe('SecureDataLake: settings, location, catalog encryption', () => {
  test('named admins plus the CDK execution role, REPLACE, no IAMAllowedPrincipals defaults', () => {
    const { stack } = lake();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::LakeFormation::DataLakeSettings', 1);
    t.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      Admins: [
        { DataLakePrincipalIdentifier: ADMIN },
        { DataLakePrincipalIdentifier: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1' } },
      ],
      CreateDatabaseDefaultPermissions: [],
      CreateTableDefaultPermissions: [],
      MutationType: 'REPLACE',
      Parameters: { CrossAccountVersion: '4' },
      AllowExternalDataFiltering: false,
    });
  });

  test('APPEND, read-only admins, no CDK role when asked', () => {
    const { stack, lake: l } = lake({
      settingsMutation: LakeSettingsMutation.APPEND,
      includeCdkExecutionRole: false,
      readOnlyAdmins: [LakePrincipal.fromArn('arn:aws:iam::123456789012:role/Auditor')],
      crossAccountVersion: 3,
    });
    expect(l.adminIdentifiers).toEqual([ADMIN]);
    Template.fromStack(stack).hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      Admins: [{ DataLakePrincipalIdentifier: ADMIN }],
      ReadOnlyAdmins: [{ DataLakePrincipalIdentifier: 'arn:aws:iam::123456789012:role/Auditor' }],
      MutationType: 'APPEND',
      Parameters: { CrossAccountVersion: '3' },
    });
  });

  test('location registered with a dedicated role scoped to bucket, prefix and key', () => {
    const { stack, lake: l, bucket } = lake();
    const t = Template.fromStack(stack);
    const bucketId = id(stack, bucket.bucket);
    const keyId = id(stack, bucket.encryptionKey);
    t.hasResourceProperties('AWS::LakeFormation::Resource', {
      ResourceArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/raw']] },
      RoleArn: { 'Fn::GetAtt': [id(stack, l.registrationRole), 'Arn'] },
      UseServiceLinkedRole: false,
      HybridAccessEnabled: false,
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lakeformation.amazonaws.com' } })] },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, l.registrationRole) }],
      PolicyDocument: {
        Statement: [
          {
            Sid: 'ListRegisteredLocation',
            Effect: 'Allow',
            Action: ['s3:ListBucket', 's3:GetBucketLocation'],
            Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
            Condition: { StringLike: { 's3:prefix': ['raw', 'raw/*'] } },
          },
          {
            Sid: 'ReadWriteRegisteredObjects',
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/raw/*']] },
          },
          {
            Sid: 'UseObjectKey',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
          },
        ],
      },
    });
    expect(dependsOn(t, id(stack, l.location))).toEqual(expect.arrayContaining([id(stack, l.settings)]));
    expect(l.encryptionKey).toBe(bucket.encryptionKey);
  });

  test('Data Catalog encrypted with the CMK through a Glue service role; databases created after it', () => {
    const { stack, lake: l, bucket } = lake();
    const t = Template.fromStack(stack);
    const keyArn = { 'Fn::GetAtt': [id(stack, bucket.encryptionKey), 'Arn'] };
    t.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      CatalogId: '123456789012',
      DataCatalogEncryptionSettings: {
        EncryptionAtRest: {
          CatalogEncryptionMode: 'SSE-KMS-WITH-SERVICE-ROLE',
          CatalogEncryptionServiceRole: { 'Fn::GetAtt': [id(stack, l.catalogEncryptionRole), 'Arn'] },
          SseAwsKmsKeyId: keyArn,
        },
        ConnectionPasswordEncryption: { KmsKeyId: keyArn, ReturnConnectionPasswordEncrypted: true },
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, l.catalogEncryptionRole) }],
      PolicyDocument: { Statement: [{ Sid: 'EncryptCatalog', Effect: 'Allow', Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: keyArn }] },
    });
    t.hasResourceProperties('AWS::Glue::Database', { CatalogId: '123456789012', DatabaseInput: Match.objectLike({ Name: 'sales' }) });
    expect(dependsOn(t, id(stack, l.databases.sales))).toEqual(expect.arrayContaining([id(stack, l.settings), id(stack, l.catalogEncryption)]));
  });

  test('databases RETAIN by default, DESTROY in sandbox mode; an existing key is used for the catalog', () => {
    const retained = lake();
    Template.fromStack(retained.stack).hasResource('AWS::Glue::Database', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const sandbox = testStack({ sandbox: true });
    const key = new kms.Key(sandbox, 'CatalogKey', { enableKeyRotation: true });
    const f = lake({ encryptionKey: key }, sandbox);
    const t = Template.fromStack(sandbox);
    t.hasResource('AWS::Glue::Database', { DeletionPolicy: 'Delete' });
    expect(f.lake.encryptionKey).toBe(key);
    t.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      DataCatalogEncryptionSettings: Match.objectLike({ EncryptionAtRest: Match.objectLike({ SseAwsKmsKeyId: { 'Fn::GetAtt': [id(sandbox, key), 'Arn'] } }) }),
    });
  });

  test('encryptCatalog false; a new DataKey when the bucket exposes no key', () => {
    const stack = testStack();
    const l = new SecureDataLake(stack, 'Lake', {
      admins: [LakePrincipal.fromArn(ADMIN)],
      bucket: s3.Bucket.fromBucketName(stack, 'Imported', 'imported-lake'),
      encryptCatalog: false,
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', 0);
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    t.hasResourceProperties('AWS::LakeFormation::Resource', { ResourceArn: 'arn:aws:s3:::imported-lake' });
    expect(l.catalogEncryption).toBeUndefined();
  });
});

describe('SecureDataLake: LF-tags, associations, grants, filters', () => {
  function governed(): Fixture & { t: Template } {
    const f = lake({
      tagAssociations: [
        { resource: LakeResource.database('sales'), tags: [{ key: 'domain', value: 'sales' }] },
        { resource: LakeResource.table('sales', 'orders'), tags: [{ key: 'pii', value: 'false' }] },
        { resource: LakeResource.columns('sales', 'orders', ['email']), tags: [{ key: 'pii', value: 'true' }] },
      ],
      dataCellsFilters: [{ name: 'eu_only', databaseName: 'sales', tableName: 'orders', rowFilterExpression: "region = 'eu'", excludedColumnNames: ['email'] }],
    });
    const analyst = LakePrincipal.fromRole(f.analyst);
    f.lake.grant({
      principal: analyst,
      resource: LakeResource.tagExpression(LakeTagResourceType.TABLE, [{ key: 'domain', values: ['sales'] }, { key: 'pii', values: ['false'] }]),
      permissions: [LakePermission.SELECT, LakePermission.DESCRIBE],
    });
    f.lake.grant({ principal: analyst, resource: LakeResource.dataCellsFilter('sales', 'orders', 'eu_only'), permissions: [LakePermission.SELECT] });
    f.lake.grant({ principal: analyst, resource: LakeResource.columnsExcept('sales', 'orders', ['email']), permissions: [LakePermission.SELECT] });
    f.lake.grant({ principal: analyst, resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] });
    f.lake.grant({
      principal: LakePrincipal.account('210987654321'),
      resource: LakeResource.table('sales', 'orders'),
      permissions: [LakePermission.SELECT, LakePermission.DESCRIBE],
      grantablePermissions: [LakePermission.SELECT, LakePermission.DESCRIBE],
    });
    return { ...f, t: Template.fromStack(f.stack) };
  }

  test('LF-tags with their values, after the settings', () => {
    const { stack, lake: l, t } = governed();
    t.hasResourceProperties('AWS::LakeFormation::Tag', { CatalogId: '123456789012', TagKey: 'domain', TagValues: ['sales', 'marketing'] });
    t.hasResourceProperties('AWS::LakeFormation::Tag', { CatalogId: '123456789012', TagKey: 'pii', TagValues: ['true', 'false'] });
    expect(dependsOn(t, id(stack, l.tags.pii))).toEqual([id(stack, l.settings)]);
  });

  test('tag associations on database, table and column, depending on settings, tags and database', () => {
    const { stack, lake: l, t } = governed();
    t.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { Database: { CatalogId: '123456789012', Name: 'sales' } },
      LFTags: [{ CatalogId: '123456789012', TagKey: 'domain', TagValues: ['sales'] }],
    });
    t.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'sales', Name: 'orders' } },
      LFTags: [{ CatalogId: '123456789012', TagKey: 'pii', TagValues: ['false'] }],
    });
    t.hasResourceProperties('AWS::LakeFormation::TagAssociation', {
      Resource: { TableWithColumns: { CatalogId: '123456789012', DatabaseName: 'sales', Name: 'orders', ColumnNames: ['email'] } },
      LFTags: [{ CatalogId: '123456789012', TagKey: 'pii', TagValues: ['true'] }],
    });
    const columnAssoc = l.tagAssociations[2];
    expect(dependsOn(t, id(stack, columnAssoc)).sort()).toEqual([id(stack, l.settings), id(stack, l.tags.pii), id(stack, l.databases.sales)].sort());
  });

  test('LF-TBAC grant with the tag expression, depending on every tag it names', () => {
    const { stack, lake: l, analyst, t } = governed();
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Catalog: '123456789012',
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack, analyst), 'Arn'] } },
      Resource: {
        LFTagPolicy: {
          CatalogId: '123456789012',
          ResourceType: 'TABLE',
          Expression: [{ TagKey: 'domain', TagValues: ['sales'] }, { TagKey: 'pii', TagValues: ['false'] }],
        },
      },
      Permissions: ['SELECT', 'DESCRIBE'],
      PermissionsWithGrantOption: [],
    });
    expect(dependsOn(t, id(stack, l.grants[0])).sort()).toEqual([id(stack, l.settings), id(stack, l.tags.domain), id(stack, l.tags.pii)].sort());
  });

  test('row filter (PartiQL) with excluded columns, granted to the analyst after the filter exists', () => {
    const { stack, lake: l, analyst, t } = governed();
    t.hasResourceProperties('AWS::LakeFormation::DataCellsFilter', {
      TableCatalogId: '123456789012',
      DatabaseName: 'sales',
      TableName: 'orders',
      Name: 'eu_only',
      RowFilter: { FilterExpression: "region = 'eu'" },
      ColumnWildcard: { ExcludedColumnNames: ['email'] },
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(stack, analyst), 'Arn'] } },
      Resource: { DataCellsFilter: { TableCatalogId: '123456789012', DatabaseName: 'sales', TableName: 'orders', Name: 'eu_only' } },
      Permissions: ['SELECT'],
    });
    const filter = l.dataCellsFilters['sales.orders.eu_only'];
    expect(dependsOn(t, id(stack, filter)).sort()).toEqual([id(stack, l.settings), id(stack, l.databases.sales)].sort());
    expect(dependsOn(t, id(stack, l.grants[1])))
      .toEqual(expect.arrayContaining([id(stack, filter), id(stack, l.settings), id(stack, l.databases.sales)]));
  });

  test('column-level (all but PII) and database grants', () => {
    const { t } = governed();
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Resource: { TableWithColumns: { CatalogId: '123456789012', DatabaseName: 'sales', Name: 'orders', ColumnWildcard: { ExcludedColumnNames: ['email'] } } },
      Permissions: ['SELECT'],
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Resource: { Database: { CatalogId: '123456789012', Name: 'sales' } },
      Permissions: ['DESCRIBE'],
    });
  });

  test('cross-account sharing of a table to another account, with grant option', () => {
    const { t } = governed();
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: '210987654321' },
      Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'sales', Name: 'orders' } },
      Permissions: ['SELECT', 'DESCRIBE'],
      PermissionsWithGrantOption: ['SELECT', 'DESCRIBE'],
    });
  });

  test('granted roles share one policy with lakeformation:GetDataAccess (the only IAM action Lake Formation needs)', () => {
    const { stack, lake: l, analyst } = lake();
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
    l.grant({ principal: LakePrincipal.fromRole(analyst), resource: LakeResource.allTables('sales'), permissions: [LakePermission.DESCRIBE] });
    l.grant({ principal: LakePrincipal.fromRole(analyst), resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] });
    l.grant({ principal: LakePrincipal.fromRole(other), resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: id(stack, analyst) }, { Ref: id(stack, other) }],
      PolicyDocument: { Statement: [{ Sid: 'LakeFormationDataAccess', Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' }] },
    });
    expect(l.dataAccessPolicy).toBeDefined();
  });

  test('a principal by ARN gets no IAM policy', () => {
    const f = lake({ grants: [{ principal: LakePrincipal.fromArn('arn:aws:iam::123456789012:role/External'), resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] }] });
    expect(f.lake.dataAccessPolicy).toBeUndefined();
    Template.fromStack(f.stack).hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: 'arn:aws:iam::123456789012:role/External' },
    });
  });

  test('grantLakeFormationDataAccess returns the IAM grant: through the shared policy for roles, the same grant when repeated', () => {
    const f = lake({ databases: [{ name: 'sales' }], tables: [ordersTable] });
    const role = new iam.Role(f.stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    const user = new iam.User(f.stack, 'Person');
    const grant = f.lake.grantLakeFormationDataAccess(role);
    const getDataAccess = { Effect: 'Allow', Action: 'lakeformation:GetDataAccess', Resource: '*' };
    expect(grant.success).toBe(true);
    expect(grant.principalStatements.map((st) => st.toStatementJson())).toEqual([getDataAccess]);
    expect(f.lake.grantLakeFormationDataAccess(role)).toBe(grant);
    // applyBefore orders a resource after the shared policy that holds the statement
    const consumer = new iam.CfnManagedPolicy(f.stack, 'Consumer', { policyDocument: { Version: '2012-10-17', Statement: [] } });
    grant.applyBefore(consumer);
    // a principal that is not a role: the statement in its own policy
    const userGrant = f.lake.grantLakeFormationDataAccess(user);
    expect(userGrant.success).toBe(true);
    expect(userGrant.principalStatements.map((st) => st.toStatementJson())).toEqual([getDataAccess]);
    const t = Template.fromStack(f.stack);
    expect(dependsOn(t, id(f.stack, consumer))).toContain(id(f.stack, f.lake.dataAccessPolicy!));
    const userPolicy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p.Properties.Users ?? []).includes(id(f.stack, user))) as any;
    expect(userPolicy.Properties.PolicyDocument.Statement).toEqual([getDataAccess]);
  });

  test('crawler and ETL roles: database, table wildcard and data location grants', () => {
    const f = lake({ databases: [{ name: 'sales' }, { name: 'curated' }], tables: [ordersTable] });
    const crawlerRole = new iam.Role(f.stack, 'CrawlerRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const etlRole = new iam.Role(f.stack, 'EtlRole', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const crawlerGrants = f.lake.grantCrawler(crawlerRole, 'sales');
    const etlGrants = f.lake.grantEtlJob(etlRole, 'sales', 'curated');
    expect(crawlerGrants).toHaveLength(3);
    expect(etlGrants).toHaveLength(5);
    // the Lake Formation permissions returned are the resources created, in the documented order
    expect(crawlerGrants.map((g) => g.permissions)).toEqual([['CREATE_TABLE', 'ALTER', 'DESCRIBE'], ['ALTER', 'DESCRIBE', 'SELECT'], ['DATA_LOCATION_ACCESS']]);
    expect(etlGrants.map((g) => g.permissions)).toEqual([
      ['DESCRIBE'], ['SELECT', 'DESCRIBE'], ['CREATE_TABLE', 'DESCRIBE'], ['ALTER', 'INSERT', 'DELETE', 'SELECT', 'DESCRIBE'], ['DATA_LOCATION_ACCESS'],
    ]);
    expect([...crawlerGrants, ...etlGrants].every((g) => g instanceof lf.CfnPrincipalPermissions && g.node.scope !== undefined)).toBe(true);
    const t = Template.fromStack(f.stack);
    const crawler = { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(f.stack, crawlerRole), 'Arn'] } };
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: crawler, Resource: { Database: { CatalogId: '123456789012', Name: 'sales' } }, Permissions: ['CREATE_TABLE', 'ALTER', 'DESCRIBE'],
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: crawler, Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'sales', TableWildcard: {} } }, Permissions: ['ALTER', 'DESCRIBE', 'SELECT'],
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: crawler,
      Resource: { DataLocation: { CatalogId: '123456789012', ResourceArn: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id(f.stack, f.bucket.bucket), 'Arn'] }, '/raw']] } } },
      Permissions: ['DATA_LOCATION_ACCESS'],
    });
    expect(dependsOn(t, id(f.stack, crawlerGrants[2]))).toEqual(expect.arrayContaining([id(f.stack, f.lake.location), id(f.stack, f.lake.settings)]));
    const etl = { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [id(f.stack, etlRole), 'Arn'] } };
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: etl, Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'sales', TableWildcard: {} } }, Permissions: ['SELECT', 'DESCRIBE'],
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: etl,
      Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'curated', TableWildcard: {} } },
      Permissions: ['ALTER', 'INSERT', 'DELETE', 'SELECT', 'DESCRIBE'],
    });
    expect(dependsOn(t, id(f.stack, etlGrants[3]))).toEqual(expect.arrayContaining([id(f.stack, f.lake.databases.curated)]));
  });

  test('a DataLakeTable is accepted: schema from the table, deployed after the settings, grants after the table', () => {
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Bucket');
    const db = new DataLakeDatabase(stack, 'Db', { databaseName: 'clicks' });
    const table = new DataLakeTable(stack, 'Events', {
      database: db,
      tableName: 'events',
      format: TableFormat.PARQUET,
      bucket: bucket.bucket,
      prefix: 'events/',
      columns: [{ name: 'user_id', type: ColumnType.STRING }, { name: 'email', type: ColumnType.STRING }],
    });
    const description = SecureDataLake.describeTable(table);
    expect(description.columns.map((c) => c.name)).toEqual(['user_id', 'email']);
    const l = new SecureDataLake(stack, 'Lake', {
      admins: [LakePrincipal.fromArn(ADMIN)],
      bucket: bucket.bucket,
      existingDatabases: [db],
      tables: [description],
      grants: [{ principal: LakePrincipal.fromArn('arn:aws:iam::123456789012:role/Analyst'), resource: LakeResource.columns('clicks', 'events', ['user_id']), permissions: [LakePermission.SELECT] }],
    });
    const t = Template.fromStack(stack);
    expect(dependsOn(t, id(stack, table.resource))).toEqual(expect.arrayContaining([id(stack, l.settings), id(stack, l.catalogEncryption)]));
    expect(dependsOn(t, id(stack, db.resource))).toEqual(expect.arrayContaining([id(stack, l.settings)]));
    expect(dependsOn(t, id(stack, l.grants[0])))
      .toEqual(expect.arrayContaining([id(stack, table.resource), id(stack, db.resource), id(stack, l.settings)]));
  });

  test('row filter column extraction ignores literals and keywords', () => {
    expect(referencedColumns("region = 'eu' AND amount >= 10 OR country IN ('a = b') AND note LIKE 'x%' AND x IS NULL").sort())
      .toEqual(['amount', 'country', 'note', 'region', 'x']);
  });

  test('cdk-nag clean', () => {
    const f = lake({
      dataCellsFilters: [{ name: 'eu_only', databaseName: 'sales', tableName: 'orders', rowFilterExpression: "region = 'eu'" }],
    });
    f.lake.grant({ principal: LakePrincipal.fromRole(f.analyst), resource: LakeResource.dataCellsFilter('sales', 'orders', 'eu_only'), permissions: [LakePermission.SELECT] });
    const report = expectNagClean(f.stack);
    expect(report.acknowledged.map((a) => a.rule)).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-IAM5[Resource::<BucketD7FEB781.Arn>/raw/*]']));
    expect(report.acknowledged.every((a) => a.reason.length > 40)).toBe(true);
  });
});

describe('SecureDataLake: validation', () => {
  const grant = (g: any) => lake({ grants: [g] });
  const analyst = LakePrincipal.fromArn('arn:aws:iam::123456789012:role/Analyst');

  test('empty admin list', () => {
    expectPropError(() => lake({ admins: [] }), { path: PATH, prop: 'admins', value: '[]', allowed: 'at least one data lake administrator' });
  });
  test('an account as administrator', () => {
    expectPropError(() => lake({ admins: [LakePrincipal.account('210987654321')] }), { path: PATH, prop: 'admins[0]', value: '"210987654321"', allowed: 'an account cannot be a data lake administrator' });
  });
  test('a malformed admin ARN', () => {
    expectPropError(() => lake({ admins: [LakePrincipal.fromArn('arn:aws:iam::12345:role/x')] }), { path: PATH, prop: 'admins[0]', allowed: 'IAM role or user ARN' });
  });
  test('duplicate admins', () => {
    expectPropError(() => lake({ admins: [LakePrincipal.fromArn(ADMIN), LakePrincipal.fromArn(ADMIN)] }), { path: PATH, prop: 'admins', allowed: 'distinct entries' });
  });
  test('cross-account version out of range', () => {
    expectPropError(() => lake({ crossAccountVersion: 5 }), { path: PATH, prop: 'crossAccountVersion', value: '5', allowed: '1-4' });
  });
  test('location prefix with a trailing slash', () => {
    expectPropError(() => lake({ locationPrefix: 'raw/' }), { path: PATH, prop: 'locationPrefix', value: '"raw/"', allowed: 'without leading or trailing' });
  });
  test('bad database name', () => {
    expectPropError(() => lake({ databases: [{ name: 'Sales-DB' }], tables: [] }), { path: PATH, prop: 'databases[0].name', value: '"Sales-DB"', allowed: 'lower-case letters' });
  });
  test('table in an undeclared database', () => {
    expectPropError(() => lake({ tables: [{ ...ordersTable, databaseName: 'other' }] }), { path: PATH, prop: 'tables[0].databaseName', value: '"other"', allowed: 'sales' });
  });
  test('duplicate columns in a table description', () => {
    expectPropError(() => lake({ tables: [{ ...ordersTable, partitionKeys: [{ name: 'region', type: 'string' }] }] }), { path: PATH, prop: 'tables[0].columns[].name', allowed: '"region" appears more than once' });
  });
  test('duplicate tag keys', () => {
    expectPropError(() => lake({ tags: [{ key: 'pii', values: ['true'] }, { key: 'pii', values: ['false'] }] }), { path: PATH, prop: 'tags[].key', allowed: '"pii" appears more than once' });
  });
  test('tag with no values, or a bad key', () => {
    expectPropError(() => lake({ tags: [{ key: 'pii', values: [] }] }), { path: PATH, prop: 'tags[0].values', allowed: '1-50 entries' });
    expectPropError(() => lake({ tags: [{ key: 'bad#key', values: ['x'] }] }), { path: PATH, prop: 'tags[0].key', value: '"bad#key"', allowed: '1-128 characters' });
  });
  test('association with an unknown tag key', () => {
    expectPropError(() => lake({ tagAssociations: [{ resource: LakeResource.database('sales'), tags: [{ key: 'owner', value: 'x' }] }] }),
      { path: PATH, prop: 'tagAssociations[0].tags[0].key', value: '"owner"', allowed: 'an LF-tag key declared in tags (domain, pii)' });
  });
  test('association with an unknown tag value', () => {
    expectPropError(() => lake({ tagAssociations: [{ resource: LakeResource.table('sales', 'orders'), tags: [{ key: 'pii', value: 'yes' }] }] }),
      { path: PATH, prop: 'tagAssociations[0].tags[0].values', value: '"yes"', allowed: 'a value declared for LF-tag "pii" (true, false)' });
  });
  test('association on a column that the schema does not declare', () => {
    expectPropError(() => lake({ tagAssociations: [{ resource: LakeResource.columns('sales', 'orders', ['phone']), tags: [{ key: 'pii', value: 'true' }] }] }),
      { path: PATH, prop: 'tagAssociations[0].resource.columnNames', value: '"phone"', allowed: 'columns of sales.orders: order_id, email, amount, region, year' });
  });
  test('association on an unsupported resource', () => {
    expectPropError(() => lake({ tagAssociations: [{ resource: LakeResource.allTables('sales'), tags: [{ key: 'pii', value: 'true' }] }] }),
      { path: PATH, prop: 'tagAssociations[0].resource', allowed: 'LakeResource.database(), .table() or .columns()' });
  });
  test('tag expression with an unknown value', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.tagExpression(LakeTagResourceType.TABLE, [{ key: 'domain', values: ['hr'] }]), permissions: [LakePermission.SELECT] }),
      { path: PATH, prop: 'grants[0].resource.conditions[0].values', value: '"hr"', allowed: 'sales, marketing' });
  });
  test('grant on a column that the schema does not declare', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.columns('sales', 'orders', ['phone']), permissions: [LakePermission.SELECT] }),
      { path: PATH, prop: 'grants[0].resource.columnNames', value: '"phone"', allowed: 'columns of sales.orders' });
  });
  test('grant on a table that is not described', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.table('sales', 'returns'), permissions: [LakePermission.SELECT] }),
      { path: PATH, prop: 'grants[0].resource.tableName', value: '"sales.returns"', allowed: 'a table described in tables (sales.orders)' });
  });
  test('grant on an undeclared database', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.database('hr'), permissions: [LakePermission.DESCRIBE] }),
      { path: PATH, prop: 'grants[0].resource.databaseName', value: '"hr"', allowed: 'a database declared' });
  });
  test('permission that does not apply to the resource', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.columns('sales', 'orders', ['amount']), permissions: [LakePermission.INSERT] }),
      { path: PATH, prop: 'grants[0].permissions', value: '"INSERT"', allowed: 'SELECT' });
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.database('sales'), permissions: [LakePermission.SELECT] }),
      { path: PATH, prop: 'grants[0].permissions', value: '"SELECT"', allowed: 'ALL, ALTER, CREATE_TABLE, DESCRIBE, DROP' });
  });
  test('grantable permissions outside the permissions', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.table('sales', 'orders'), permissions: [LakePermission.SELECT], grantablePermissions: [LakePermission.DROP] }),
      { path: PATH, prop: 'grants[0].grantablePermissions', value: '"DROP"', allowed: 'a subset of permissions (SELECT)' });
  });
  test('bad and own account ids in cross-account grants', () => {
    expectPropError(() => grant({ principal: LakePrincipal.account('1234'), resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] }),
      { path: PATH, prop: 'grants[0].principal', value: '"1234"', allowed: 'a 12-digit AWS account id' });
    expectPropError(() => grant({ principal: LakePrincipal.account('123456789012'), resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] }),
      { path: PATH, prop: 'grants[0].principal', value: '"123456789012"', allowed: 'another account' });
  });
  test('grant on an undeclared filter', () => {
    expectPropError(() => grant({ principal: analyst, resource: LakeResource.dataCellsFilter('sales', 'orders', 'nope'), permissions: [LakePermission.SELECT] }),
      { path: PATH, prop: 'grants[0].resource.name', value: '"nope"', allowed: 'a filter declared in dataCellsFilters' });
  });
  test('row filter on an undeclared column', () => {
    expectPropError(() => lake({ dataCellsFilters: [{ name: 'f', databaseName: 'sales', tableName: 'orders', rowFilterExpression: "country = 'eu'" }] }),
      { path: PATH, prop: 'dataCellsFilters[0].rowFilterExpression', allowed: '"country" is not one' });
  });
  test('filter with both column lists, or unknown columns', () => {
    expectPropError(() => lake({ dataCellsFilters: [{ name: 'f', databaseName: 'sales', tableName: 'orders', columnNames: ['amount'], excludedColumnNames: ['email'] }] }),
      { path: PATH, prop: 'dataCellsFilters[0].columnNames', allowed: 'either columnNames or excludedColumnNames' });
    expectPropError(() => lake({ dataCellsFilters: [{ name: 'f', databaseName: 'sales', tableName: 'orders', excludedColumnNames: ['ssn'] }] }),
      { path: PATH, prop: 'dataCellsFilters[0].excludedColumnNames', value: '"ssn"' });
  });
  test('duplicate filter names on a table', () => {
    const f = { name: 'f', databaseName: 'sales', tableName: 'orders' };
    expectPropError(() => lake({ dataCellsFilters: [f, f] }), { path: PATH, prop: 'dataCellsFilters[1].name', value: '"f"', allowed: 'a name not already used' });
  });
});

describe('SecureDataLake: IAMAllowedPrincipals on databases created elsewhere', () => {
  const withExternal = (props: Partial<SecureDataLakeProps>) => lake({ databases: [], tables: [], ...props });

  test('a database known only by name fails synthesis until its IAMAllowedPrincipals permissions are declared revoked', () => {
    const msg = expectPropError(() => withExternal({ existingDatabaseNames: ['legacy'] }), {
      path: PATH, prop: 'iamAllowedPrincipalsRevokedOn', allowed: 'missing: legacy',
    });
    expect(msg).toContain('bypasses Lake Formation grants and data cells filters');
    expect(() => withExternal({ existingDatabaseNames: ['legacy'], iamAllowedPrincipalsRevokedOn: ['legacy'] })).not.toThrow();
  });

  test('imported databases and databases of another stack count as created elsewhere; a DataLakeDatabase of this stack does not', () => {
    const stack = testStack();
    const other = new Stack(stack.node.scope as any, 'Catalog', { env: { account: '123456789012', region: 'eu-west-1' } });
    const shared = new DataLakeDatabase(other, 'Shared', { databaseName: 'shared' });
    const imported = DataLakeDatabase.fromDatabaseName(stack, 'Imported', 'imported');
    const local = new DataLakeDatabase(stack, 'Local', { databaseName: 'local' });
    expectPropError(() => lake({ databases: [], tables: [], existingDatabases: [shared, imported, local] }, stack), {
      path: PATH, prop: 'iamAllowedPrincipalsRevokedOn', allowed: 'missing: shared, imported',
    });
    const stack2 = testStack();
    expect(() => lake({ databases: [], tables: [], existingDatabases: [new DataLakeDatabase(stack2, 'Local', { databaseName: 'local' })] }, stack2)).not.toThrow();
  });

  test('only databases created elsewhere may be listed', () => {
    expectPropError(() => withExternal({ existingDatabaseNames: ['legacy'], iamAllowedPrincipalsRevokedOn: ['legacy', 'sales'] }), {
      path: PATH, prop: 'iamAllowedPrincipalsRevokedOn[1]', value: '"sales"', allowed: 'a database created outside this stack (legacy)',
    });
  });
});

describe('SecureDataLake: stable logical ids of grants and tag associations', () => {
  const analyst = LakePrincipal.fromArn('arn:aws:iam::123456789012:role/Analyst');
  const engineer = LakePrincipal.fromArn('arn:aws:iam::123456789012:role/Engineer');
  const a = { principal: analyst, resource: LakeResource.database('sales'), permissions: [LakePermission.DESCRIBE] };
  const b = { principal: engineer, resource: LakeResource.table('sales', 'orders'), permissions: [LakePermission.SELECT, LakePermission.DESCRIBE] };
  const c = { principal: analyst, resource: LakeResource.columns('sales', 'orders', ['amount', 'region']), permissions: [LakePermission.SELECT] };
  const tagOn = (resource: LakeResource, value: string) => ({ resource, tags: [{ key: 'pii', value }] });
  const ids = (props: Partial<SecureDataLakeProps>) => {
    const { stack } = lake(props);
    const resources = Template.fromStack(stack).toJSON().Resources;
    const byType = (type: string) => Object.keys(resources).filter((logicalId) => resources[logicalId].Type === type).sort();
    return { grants: byType('AWS::LakeFormation::PrincipalPermissions'), associations: byType('AWS::LakeFormation::TagAssociation'), resources };
  };
  const idOf = (result: ReturnType<typeof ids>, match: (props: any) => boolean) =>
    Object.keys(result.resources).find((logicalId) => result.resources[logicalId].Type === 'AWS::LakeFormation::PrincipalPermissions' && match(result.resources[logicalId].Properties));

  test('inserting a grant or an association in the middle changes no other logical id', () => {
    const before = ids({ grants: [a, c], tagAssociations: [tagOn(LakeResource.database('sales'), 'false'), tagOn(LakeResource.columns('sales', 'orders', ['email']), 'true')] });
    const after = ids({ grants: [a, b, c], tagAssociations: [tagOn(LakeResource.database('sales'), 'false'), tagOn(LakeResource.table('sales', 'orders'), 'false'), tagOn(LakeResource.columns('sales', 'orders', ['email']), 'true')] });
    expect(after.grants).toEqual(expect.arrayContaining(before.grants));
    expect(after.grants).toHaveLength(3);
    expect(after.associations).toEqual(expect.arrayContaining(before.associations));
    expect(after.associations).toHaveLength(3);
    // the id follows the content: the columns grant keeps its id whatever its position
    const columnsGrant = (r: ReturnType<typeof ids>) => idOf(r, (p) => p.Resource.TableWithColumns !== undefined);
    expect(columnsGrant(after)).toBe(columnsGrant(before));
  });

  test('order of permissions and columns does not change the id; the same grant twice is one resource', () => {
    const one = ids({ grants: [b, { ...c, permissions: [LakePermission.SELECT] }] });
    const two = ids({ grants: [{ ...b, permissions: [LakePermission.DESCRIBE, LakePermission.SELECT] }, { ...c, resource: LakeResource.columns('sales', 'orders', ['region', 'amount']) }, b] });
    expect(two.grants).toEqual(one.grants);
    const f = lake();
    expect(f.lake.grant(a)).toBe(f.lake.grant(a));
    expect(f.lake.grants).toHaveLength(1);
  });

  test('the same grant with other grantable permissions is refused; the same association twice too', () => {
    const f = lake();
    f.lake.grant(b);
    expectPropError(() => f.lake.grant({ ...b, grantablePermissions: [LakePermission.SELECT] }), { path: PATH, prop: 'grant.grantablePermissions', allowed: 'the grantable permissions of the same grant made earlier (none)' });
    expectPropError(() => lake({ tagAssociations: [tagOn(LakeResource.database('sales'), 'false'), tagOn(LakeResource.database('sales'), 'false')] }),
      { path: PATH, prop: 'tagAssociations[1]', allowed: 'each resource and LF-tags associated once' });
  });

  test('grantCrawler and grantEtlJob share the data location grant instead of declaring it twice', () => {
    const f = lake({ databases: [{ name: 'sales' }, { name: 'curated' }] });
    const role = new iam.Role(f.stack, 'Glue', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const crawler = f.lake.grantCrawler(role, 'sales');
    const etl = f.lake.grantEtlJob(role, 'sales', 'curated');
    expect(etl[4]).toBe(crawler[2]);
    Template.fromStack(f.stack).resourcePropertiesCountIs('AWS::LakeFormation::PrincipalPermissions', { Resource: { DataLocation: Match.anyValue() } }, 1);
  });

  test('two filters whose names simplify to the same construct id both exist', () => {
    const { lake: l } = lake({ dataCellsFilters: [{ name: 'eu-only', databaseName: 'sales', tableName: 'orders' }, { name: 'eu_only', databaseName: 'sales', tableName: 'orders' }] });
    expect(Object.keys(l.dataCellsFilters).sort()).toEqual(['sales.orders.eu-only', 'sales.orders.eu_only']);
  });
});

describe('SecureDataLake: run-time permissions', () => {
  const f = lake();
  f.lake.grant({ principal: LakePrincipal.fromRole(f.analyst), resource: LakeResource.table('sales', 'orders'), permissions: [LakePermission.SELECT] });
  const access = AccessModel.of(f.stack);
  const registration = f.lake.registrationRole.roleArn;
  const viaS3 = { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' };

  test('Lake Formation (this account) assumes the registration role, which reads and writes the location with its key', async () => {
    await access.expectAllowed(
      { principal: 'lakeformation.amazonaws.com', action: 'sts:AssumeRole', resource: registration, context: { 'aws:SourceAccount': '123456789012' } },
      // Lake Formation does not document the context it sends: the condition must not refuse a request without it
      { principal: 'lakeformation.amazonaws.com', action: 'sts:AssumeRole', resource: registration },
      { principal: registration, action: 's3:ListBucket', resource: f.bucket.bucket.bucketArn, context: { 's3:prefix': 'raw/' } },
      { principal: registration, action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('raw/sales/orders/part-0.parquet') },
      { principal: registration, action: 's3:PutObject', resource: f.bucket.bucket.arnForObjects('raw/sales/orders/part-1.parquet') },
      { principal: registration, action: 'kms:Decrypt', resource: f.bucket.encryptionKey.keyArn, context: viaS3 },
      { principal: registration, action: 'kms:GenerateDataKey', resource: f.bucket.encryptionKey.keyArn, context: viaS3 },
    );
    await access.expectDenied(
      { principal: 'lakeformation.amazonaws.com', action: 'sts:AssumeRole', resource: registration, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: registration },
      { principal: registration, action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('curated/x.parquet') },
      { principal: registration, action: 's3:ListBucket', resource: f.bucket.bucket.bucketArn, context: { 's3:prefix': 'curated/' } },
      { principal: registration, action: 'kms:Decrypt', resource: f.bucket.encryptionKey.keyArn },
    );
  });

  test('Glue encrypts the catalog through its role; granted roles get GetDataAccess; strangers get nothing', async () => {
    const catalog = f.lake.catalogEncryptionRole!.roleArn;
    await access.expectAllowed(
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: catalog, context: { 'aws:SourceAccount': '123456789012' } },
      { principal: catalog, action: 'kms:GenerateDataKey', resource: f.bucket.encryptionKey.keyArn },
      { principal: catalog, action: 'kms:Decrypt', resource: f.bucket.encryptionKey.keyArn },
      { principal: f.analyst.roleArn, action: 'lakeformation:GetDataAccess', resource: '*' },
    );
    await access.expectDenied(
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: catalog, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: Principals.strangerInAccount(), action: 'lakeformation:GetDataAccess', resource: '*' },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('raw/x') },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('raw/x') },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('raw/x') },
      // the analyst reads through Lake Formation credentials, not with its own S3 permissions
      { principal: f.analyst.roleArn, action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('raw/x') },
    );
    await access.expectExplicitlyDenied(
      { principal: registration, action: 's3:GetObject', resource: f.bucket.bucket.arnForObjects('raw/x'), context: { 'aws:SecureTransport': 'false' } },
    );
  });
});

describe('SecureDataLake: limits (both sides), tokens, imported bucket, logical ids', () => {
  test('LF-tags: 1-50 values, keys of 1-128 characters; cross-account version 1-4; row filters up to 2048 characters', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(() => lake({ tags: [{ key: 'k'.repeat(128), values: values(50) }], crossAccountVersion: 1 })).not.toThrow();
    expectPropError(() => lake({ tags: [{ key: 'k', values: values(51) }] }), { path: PATH, prop: 'tags[0].values', allowed: '1-50 entries' });
    expectPropError(() => lake({ tags: [{ key: 'k'.repeat(129), values: ['v'] }] }), { path: PATH, prop: 'tags[0].key', allowed: '1-128 characters' });
    expectPropError(() => lake({ crossAccountVersion: 0 }), { path: PATH, prop: 'crossAccountVersion', allowed: '1-4' });
    const filter = (rowFilterExpression: string) => ({ dataCellsFilters: [{ name: 'f', databaseName: 'sales', tableName: 'orders', rowFilterExpression }] });
    expect(() => lake(filter(`region = '${'e'.repeat(2048 - 11)}'`))).not.toThrow();
    expectPropError(() => lake(filter(`region = '${'e'.repeat(2048 - 10)}'`)), { path: PATH, prop: 'dataCellsFilters[0].rowFilterExpression', allowed: 'at most 2048 characters' });
  });

  test('cross-account version and location prefix as CloudFormation parameters reach the template', () => {
    const stack = testStack();
    lake({ crossAccountVersion: numberParameter(stack, 'CrossAccountVersion'), locationPrefix: stringParameter(stack, 'Prefix') }, stack);
    const template = Template.fromStack(stack);
    expectParameterUsed(template, 'CrossAccountVersion', /Settings/);
    expectParameterUsed(template, 'Prefix', /Location/);
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', { Parameters: { CrossAccountVersion: { Ref: 'CrossAccountVersion' } } });
  });

  test('imported bucket and key: four nag packs clean (the registration role\'s object wildcard is acknowledged for it)', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    new SecureDataLake(stack, 'Lake', {
      admins: [LakePrincipal.fromArn(ADMIN)],
      bucket: s3.Bucket.fromBucketAttributes(stack, 'Lakehouse', { bucketName: 'existing-lake', encryptionKey: key }),
      locationPrefix: 'raw',
      existingDatabaseNames: ['legacy'],
      iamAllowedPrincipalsRevokedOn: ['legacy'],
      grants: [{ principal: LakePrincipal.fromArn('arn:aws:iam::123456789012:role/Analyst'), resource: LakeResource.database('legacy'), permissions: [LakePermission.DESCRIBE] }],
    });
    expectNagClean(stack);
  });

  test('settings, location, catalog encryption, databases, tags, filters and key keep their logical ids', () => {
    const stack = testStack();
    new SecureDataLake(stack, 'Lake', {
      admins: [LakePrincipal.fromArn(ADMIN)],
      bucket: s3.Bucket.fromBucketName(stack, 'Plain', 'plain'),
      databases: [{ name: 'sales' }],
      tables: [ordersTable],
      tags: [{ key: 'pii', values: ['true', 'false'] }],
      dataCellsFilters: [{ name: 'eu_only', databaseName: 'sales', tableName: 'orders' }],
    });
    const ids = Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
      .filter(([, r]) => /LakeFormation::(DataLakeSettings|Resource|Tag|DataCellsFilter)$|Glue::(Database|DataCatalogEncryptionSettings)|KMS::Key/.test(r.Type))
      .map(([logicalId]) => logicalId).sort();
    expect(ids).toEqual([
      'LakeCatalogEncryptionD76A2DA8', 'LakeDatabasesalesCB55CAEE', 'LakeFiltersalesorderseuonlyB84445EB', 'LakeKey6AC6EFDD',
      'LakeLocationA6566F4A', 'LakeSettings98E7B273', 'LakeTagpiiF975DC52',
    ]);
  });
});
