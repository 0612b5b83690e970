import { NagAcknowledgements, Validate } from '@analytics-patterns/core';
import { Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import { Construct } from 'constructs';
import { AthenaDatasetProps, DatasetImportMode } from './athena-dataset-props';

const PRINCIPAL = '^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\\d{12}:(user|group)/[A-Za-z0-9_.@+=/-]+$';
const IDENT = '^[a-z0-9_]{1,255}$';
const DATA_SOURCE_OWNER = ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource',
  'quicksight:UpdateDataSource', 'quicksight:DeleteDataSource', 'quicksight:UpdateDataSourcePermissions'];
const DATA_SET_READER = ['quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet',
  'quicksight:DescribeIngestion', 'quicksight:ListIngestions'];
const DATA_SET_OWNER = [...DATA_SET_READER, 'quicksight:UpdateDataSet', 'quicksight:DeleteDataSet', 'quicksight:CreateIngestion',
  'quicksight:CancelIngestion', 'quicksight:UpdateDataSetPermissions'];

/**
 * A QuickSight dataset over an Athena table (notes 5), for dashboards shared privately
 * with named QuickSight users and groups:
 *
 * - an Athena data source in a given workgroup, over TLS, with its own IAM role
 *   (assumed by QuickSight) limited to that workgroup, the Glue table, the data
 *   prefix, the results prefix and their keys, instead of the account-wide
 *   QuickSight service role;
 * - a dataset in SPICE (the notes: avoids Athena time-outs on big queries) with a
 *   daily refresh, or in direct-query mode;
 * - owners and readers by ARN, and column-level security for sensitive columns.
 *
 * QuickSight must be subscribed in the account (Enterprise edition for column-level
 * security and readers). SPICE quotas: the notes' "10 GB per user" and row limits
 * depend on the edition and have grown since; check your account's SPICE capacity.
 */
export class AthenaDataset extends Construct {
  /** The data source. */
  public readonly dataSource: quicksight.CfnDataSource;
  /** The dataset. */
  public readonly dataSet: quicksight.CfnDataSet;
  /** The daily SPICE refresh, if any. */
  public readonly refreshSchedule?: quicksight.CfnRefreshSchedule;
  /** The role QuickSight assumes to query Athena. */
  public readonly role: iam.Role;
  /** Dataset id (unique in the account). */
  public readonly dataSetId: string;

  constructor(scope: Construct, id: string, props: AthenaDatasetProps) {
    super(scope, id);
    const t = props.table;
    const mode = props.importMode ?? DatasetImportMode.SPICE;
    Validate.pattern(this, 'name', '^.{1,128}$', '1-128 characters', props.name);
    Validate.pattern(this, 'workGroupName', '^[a-zA-Z0-9._-]{1,128}$', 'an Athena workgroup name', props.workGroupName);
    Validate.pattern(this, 'table.databaseName', IDENT, 'a Glue database name (lower-case letters, digits, "_")', t.databaseName);
    Validate.pattern(this, 'table.tableName', IDENT, 'a Glue table name (lower-case letters, digits, "_")', t.tableName);
    Validate.count(this, 'table.columns', 1, 2048, t.columns);
    Validate.unique(this, 'table.columns[].name', t.columns.map((c) => c.name));
    t.columns.forEach((c, i) => Validate.pattern(this, `table.columns[${i}].name`, IDENT, 'a column name (lower-case letters, digits, "_")', c.name));
    Validate.count(this, 'ownerArns', 1, 64, props.ownerArns);
    [...props.ownerArns, ...(props.readerArns ?? [])].forEach((arn) => Validate.pattern(this, 'ownerArns/readerArns', PRINCIPAL, 'a QuickSight user or group ARN', arn));
    const columnNames = new Set(t.columns.map((c) => c.name));
    (props.restrictedColumns ?? []).forEach((rule, i) => {
      for (const c of rule.columnNames) {
        Validate.that(this, columnNames.has(c), { prop: `restrictedColumns[${i}].columnNames`, value: c, allowed: `a column of the dataset (${[...columnNames].join(', ')})` });
      }
      Validate.count(this, `restrictedColumns[${i}].allowedPrincipalArns`, 1, 100, rule.allowedPrincipalArns);
      rule.allowedPrincipalArns.forEach((arn) => Validate.pattern(this, `restrictedColumns[${i}].allowedPrincipalArns`, PRINCIPAL, 'a QuickSight user or group ARN', arn));
    });
    if (mode === DatasetImportMode.DIRECT_QUERY) {
      Validate.that(this, props.refresh === undefined, { prop: 'refresh', value: 'given', allowed: 'only with SPICE (direct query reads Athena every time)' });
    }
    const time = props.refresh?.timeOfDay ?? '06:00';
    Validate.pattern(this, 'refresh.timeOfDay', '^([01]\\d|2[0-3]):[0-5]\\d$', 'HH:MM (24 h)', time);

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      description: `QuickSight access to Athena for ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    const dataObjects = t.dataBucket.arnForObjects(`${t.dataPrefix ?? ''}*`);
    const resultObjects = props.resultsBucket.arnForObjects(`${props.resultsPrefix ?? ''}*`);
    const glue = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
    const statements = [
      new iam.PolicyStatement({
        sid: 'QueryInWorkgroup',
        actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroupName })],
      }),
      new iam.PolicyStatement({
        sid: 'ReadTableMetadata',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [glue('catalog'), glue('database', t.databaseName), glue('table', `${t.databaseName}/${t.tableName}`)],
      }),
      new iam.PolicyStatement({ sid: 'ListData', actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [t.dataBucket.bucketArn] }),
      new iam.PolicyStatement({ sid: 'ReadData', actions: ['s3:GetObject'], resources: [dataObjects] }),
      new iam.PolicyStatement({ sid: 'ListResults', actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [props.resultsBucket.bucketArn] }),
      new iam.PolicyStatement({
        sid: 'WriteResults', actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], resources: [resultObjects],
      }),
    ];
    const dataKey = t.dataKey ?? t.dataBucket.encryptionKey;
    if (dataKey) statements.push(new iam.PolicyStatement({ sid: 'DecryptData', actions: ['kms:Decrypt'], resources: [dataKey.keyArn] }));
    const resultsKey = props.resultsBucket.encryptionKey;
    if (resultsKey) statements.push(new iam.PolicyStatement({ sid: 'EncryptResults', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [resultsKey.keyArn] }));
    const policy = new iam.Policy(this, 'Policy', { roles: [this.role], statements });
    if (props.lakeFormationGoverned) {
      policy.addStatements(new iam.PolicyStatement({ sid: 'LakeFormationCredentials', actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
      NagAcknowledgements.acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]',
        'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation grants decide which data the role can read.');
    }
    const reason = 'Athena reads and writes objects under prefixes (data files of the table, one result file per query); object ARNs must end with a wildcard.';
    for (const [bucket, prefix] of [[t.dataBucket, t.dataPrefix], [props.resultsBucket, props.resultsPrefix]] as const) {
      const cfn = bucket.node.defaultChild;
      if (cfn) NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cfn as any)}.Arn>/${prefix ?? ''}*]`, reason);
    }
    if (!t.dataBucket.node.defaultChild || !props.resultsBucket.node.defaultChild) NagAcknowledgements.acknowledge(policy, 'AwsSolutions-IAM5', reason);

    const baseId = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    this.dataSource = new quicksight.CfnDataSource(this, 'DataSource', {
      awsAccountId: stack.account,
      dataSourceId: `${baseId}-source`,
      name: `${props.name} (Athena)`,
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: props.workGroupName, roleArn: this.role.roleArn } },
      sslProperties: { disableSsl: false },
      permissions: props.ownerArns.map((principal) => ({ principal, actions: DATA_SOURCE_OWNER })),
    });
    this.dataSource.node.addDependency(policy);

    this.dataSetId = `${baseId}-dataset`;
    this.dataSet = new quicksight.CfnDataSet(this, 'DataSet', {
      awsAccountId: stack.account,
      dataSetId: this.dataSetId,
      name: props.name,
      importMode: mode,
      physicalTableMap: {
        table: {
          relationalTable: {
            dataSourceArn: this.dataSource.attrArn,
            catalog: 'AwsDataCatalog',
            schema: t.databaseName,
            name: t.tableName,
            inputColumns: t.columns.map((c) => ({ name: c.name, type: c.type })),
          },
        },
      },
      permissions: [
        ...props.ownerArns.map((principal) => ({ principal, actions: DATA_SET_OWNER })),
        ...(props.readerArns ?? []).map((principal) => ({ principal, actions: DATA_SET_READER })),
      ],
      columnLevelPermissionRules: props.restrictedColumns?.map((r) => ({ columnNames: r.columnNames, principals: r.allowedPrincipalArns })),
    });

    if (mode === DatasetImportMode.SPICE) {
      this.refreshSchedule = new quicksight.CfnRefreshSchedule(this, 'DailyRefresh', {
        awsAccountId: stack.account,
        dataSetId: this.dataSetId,
        schedule: {
          scheduleId: 'daily',
          refreshType: 'FULL_REFRESH',
          scheduleFrequency: { interval: 'DAILY', timeOfTheDay: time, timeZone: props.refresh?.timeZone ?? 'UTC' },
        },
      });
      this.refreshSchedule.addDependency(this.dataSet);
    }
  }
}
