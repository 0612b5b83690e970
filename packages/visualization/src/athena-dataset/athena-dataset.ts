import { CustomerManagedPolicies, NagAcknowledgements, QuickSightLimits, Validate } from '@analytics-patterns/core';
import { Names, Stack, TimeZone, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as quicksight from 'aws-cdk-lib/aws-quicksight';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { AthenaDatasetProps, DatasetImportMode } from './athena-dataset-props';

const WORKGROUP = '^[a-zA-Z0-9._-]{1,128}$';
const DATA_SOURCE_OWNER = ['quicksight:DescribeDataSource', 'quicksight:DescribeDataSourcePermissions', 'quicksight:PassDataSource',
  'quicksight:UpdateDataSource', 'quicksight:DeleteDataSource', 'quicksight:UpdateDataSourcePermissions'];
const DATA_SET_READER = ['quicksight:DescribeDataSet', 'quicksight:DescribeDataSetPermissions', 'quicksight:PassDataSet',
  'quicksight:DescribeIngestion', 'quicksight:ListIngestions'];
const DATA_SET_OWNER = [...DATA_SET_READER, 'quicksight:UpdateDataSet', 'quicksight:DeleteDataSet', 'quicksight:CreateIngestion',
  'quicksight:CancelIngestion', 'quicksight:UpdateDataSetPermissions'];
const DEFAULT_TIME_OF_DAY = '06:00';

/**
 * A QuickSight dataset over an Athena table (notes 5), for dashboards shared privately
 * with named QuickSight users and groups:
 *
 * - an Athena data source in a given workgroup, over TLS, with its own IAM role
 *   (assumed by QuickSight for this account only) limited to that workgroup, the Glue
 *   table, the data prefix, the results prefix and their keys (through S3 only), instead of
 *   the account-wide QuickSight service role;
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
  /** The role's policy. */
  public readonly policy: iam.Policy;
  /** Dataset id (unique in the account). */
  public readonly dataSetId: string;

  constructor(scope: Construct, id: string, props: AthenaDatasetProps) {
    super(scope, id);
    const mode = props.importMode ?? DatasetImportMode.SPICE;
    this.validate(props, mode);
    this.role = new iam.Role(this, 'Role', {
      description: `QuickSight access to Athena for ${this.node.path}`,
      assumedBy: new iam.ServicePrincipal('quicksight.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    this.policy = this.createPolicy(props);
    const baseId = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    this.dataSource = this.createDataSource(props, `${baseId}-source`);
    this.dataSetId = `${baseId}-dataset`;
    this.dataSet = this.createDataSet(props, mode);
    if (mode === DatasetImportMode.SPICE) this.refreshSchedule = this.createRefresh(props);
    CustomerManagedPolicies.apply(this);
  }

  private validate(props: AthenaDatasetProps, mode: DatasetImportMode): void {
    const t = props.table;
    Validate.resourceName(this, 'name', props.name, QuickSightLimits.NAME);
    Validate.pattern(this, 'workGroupName', WORKGROUP, 'an Athena workgroup name', props.workGroupName);
    Validate.resourceName(this, 'table.databaseName', t.databaseName, QuickSightLimits.CATALOG_NAME);
    Validate.resourceName(this, 'table.tableName', t.tableName, QuickSightLimits.CATALOG_NAME);
    Validate.count(this, 'table.columns', QuickSightLimits.INPUT_COLUMNS.min, QuickSightLimits.INPUT_COLUMNS.max, t.columns);
    Validate.unique(this, 'table.columns[].name', t.columns.map((c) => c.name));
    t.columns.forEach((c, i) => Validate.resourceName(this, `table.columns[${i}].name`, c.name, QuickSightLimits.CATALOG_NAME));
    Validate.count(this, 'ownerArns', QuickSightLimits.PERMISSIONS.min, QuickSightLimits.PERMISSIONS.max, props.ownerArns);
    Validate.count(this, 'ownerArns + readerArns', QuickSightLimits.PERMISSIONS.min, QuickSightLimits.PERMISSIONS.max, [...props.ownerArns, ...(props.readerArns ?? [])]);
    [...props.ownerArns, ...(props.readerArns ?? [])].forEach((arn) => Validate.resourceName(this, 'ownerArns/readerArns', arn, QuickSightLimits.PRINCIPAL_ARN));
    this.validateColumnRules(props);
    if (mode === DatasetImportMode.DIRECT_QUERY) {
      Validate.that(this, props.refresh === undefined, { prop: 'refresh', value: 'given', allowed: 'only with SPICE (direct query reads Athena every time)' });
    }
    const time = props.refresh?.timeOfDay ?? DEFAULT_TIME_OF_DAY;
    Validate.resourceName(this, 'refresh.timeOfDay', time, QuickSightLimits.TIME_OF_DAY);
    const zone = props.refresh?.timeZone;
    if (zone !== undefined && !Token.isUnresolved(zone) && !Token.isUnresolved(time)) {
      // the schedule validator's IANA check, on the daily expression this refresh stands for
      const [hour, minute] = time.split(':');
      Validate.schedule(this, 'refresh.timeZone', scheduler.ScheduleExpression.cron({ minute, hour, timeZone: TimeZone.of(zone) }));
    }
  }

  private validateColumnRules(props: AthenaDatasetProps): void {
    const columnNames = new Set(props.table.columns.map((c) => c.name));
    (props.restrictedColumns ?? []).forEach((rule, i) => {
      for (const c of rule.columnNames) {
        Validate.that(this, Token.isUnresolved(c) || columnNames.has(c), {
          prop: `restrictedColumns[${i}].columnNames`, value: c, allowed: `a column of the dataset (${[...columnNames].join(', ')})`,
        });
      }
      const principals = QuickSightLimits.COLUMN_RULE_PRINCIPALS;
      Validate.count(this, `restrictedColumns[${i}].allowedPrincipalArns`, principals.min, principals.max, rule.allowedPrincipalArns);
      rule.allowedPrincipalArns.forEach((arn) => Validate.resourceName(this, `restrictedColumns[${i}].allowedPrincipalArns`, arn, QuickSightLimits.PRINCIPAL_ARN));
    });
  }

  /** Queries in the one workgroup; reads of the one table, its prefix and results prefix; their keys through S3 only. */
  private createPolicy(props: AthenaDatasetProps): iam.Policy {
    const stack = Stack.of(this);
    const t = props.table;
    const glue = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
    const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } };
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
      new iam.PolicyStatement({ sid: 'ReadData', actions: ['s3:GetObject'], resources: [t.dataBucket.arnForObjects(`${t.dataPrefix ?? ''}*`)] }),
      new iam.PolicyStatement({ sid: 'ListResults', actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [props.resultsBucket.bucketArn] }),
      new iam.PolicyStatement({
        sid: 'WriteResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [props.resultsBucket.arnForObjects(`${props.resultsPrefix ?? ''}*`)],
      }),
    ];
    const dataKey: kms.IKey | undefined = t.encryptionKey ?? t.dataBucket.encryptionKey;
    if (dataKey) statements.push(new iam.PolicyStatement({ sid: 'DecryptData', actions: ['kms:Decrypt'], resources: [dataKey.keyArn], conditions: viaS3 }));
    const resultsKey = props.resultsBucket.encryptionKey;
    if (resultsKey) {
      statements.push(new iam.PolicyStatement({ sid: 'EncryptResults', actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [resultsKey.keyArn], conditions: viaS3 }));
    }
    const policy = new iam.Policy(this, 'Policy', { roles: [this.role], statements });
    if (props.lakeFormationGoverned) {
      policy.addStatements(new iam.PolicyStatement({ sid: 'LakeFormationCredentials', actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
      NagAcknowledgements.acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]',
        'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation grants decide which data the role can read (lakeFormationGoverned).');
    }
    const reason = 'Athena reads and writes objects under prefixes (data files of the table, one result file per query); object ARNs must end with a wildcard at the prefix.';
    NagAcknowledgements.objectsUnder(policy, t.dataBucket, t.dataPrefix ?? '', reason);
    NagAcknowledgements.objectsUnder(policy, props.resultsBucket, props.resultsPrefix ?? '', reason);
    return policy;
  }

  private createDataSource(props: AthenaDatasetProps, dataSourceId: string): quicksight.CfnDataSource {
    const dataSource = new quicksight.CfnDataSource(this, 'DataSource', {
      awsAccountId: Stack.of(this).account,
      dataSourceId,
      name: `${props.name} (Athena)`,
      type: 'ATHENA',
      dataSourceParameters: { athenaParameters: { workGroup: props.workGroupName, roleArn: this.role.roleArn } },
      sslProperties: { disableSsl: false },
      permissions: props.ownerArns.map((principal) => ({ principal, actions: DATA_SOURCE_OWNER })),
    });
    dataSource.node.addDependency(this.policy);
    return dataSource;
  }

  private createDataSet(props: AthenaDatasetProps, mode: DatasetImportMode): quicksight.CfnDataSet {
    const t = props.table;
    return new quicksight.CfnDataSet(this, 'DataSet', {
      awsAccountId: Stack.of(this).account,
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
  }

  private createRefresh(props: AthenaDatasetProps): quicksight.CfnRefreshSchedule {
    const refresh = new quicksight.CfnRefreshSchedule(this, 'DailyRefresh', {
      awsAccountId: Stack.of(this).account,
      dataSetId: this.dataSetId,
      schedule: {
        scheduleId: 'daily',
        refreshType: 'FULL_REFRESH',
        scheduleFrequency: { interval: 'DAILY', timeOfTheDay: props.refresh?.timeOfDay ?? DEFAULT_TIME_OF_DAY, timeZone: props.refresh?.timeZone ?? 'UTC' },
      },
    });
    refresh.node.addDependency(this.dataSet);
    return refresh;
  }
}
