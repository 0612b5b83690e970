import * as path from 'path';
import { AnalyticsWorkgroup } from '@analytics-patterns/analysis';
import { DatabaseReplication, ReplicationType, SourceEngine } from '@analytics-patterns/collection';
import {
  AlarmTopic, ContextValues, CustomerManagedPolicies, NagAcknowledgements, Sandbox, SandboxLifetime, Validate, VpcFlowLogs,
} from '@analytics-patterns/core';
import {
  CatalogAndTransformWorkflow, CrawlerDeleteBehavior, CrawlerUpdateBehavior, DataLakeCrawler, DataLakeEtlJob,
  LakeAdminRole, LakePermission, LakePrincipal, LakeResource, SecureDataLake,
} from '@analytics-patterns/processing';
import { CrossAccountRole } from '@analytics-patterns/security';
import { DataLakeDatabase, DataLakeStorage, DataLakeTable, TableFormat } from '@analytics-patterns/storage';
import { AthenaDataset, DatasetColumnType, DatasetImportMode } from '@analytics-patterns/visualization';
import { Aws, CfnOutput, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { CdcSource, DEFAULT_DATABASE, sourceFromContext } from './cdc-source';
import { LabSourceDatabase } from './lab-source-database';
import {
  CHANGES_PER_DAY_SQL, CURATED_COLUMNS, CURATED_DATABASE, CURATED_PARTITION_KEYS, CURATED_PREFIX, CURRENT_ORDERS_SQL, DMS_PREFIX,
  PERSONAL_COLUMNS, RAW_COLUMNS, RAW_DATABASE, RAW_PARTITION_KEYS, RAW_TABLE_PREFIX, SOURCE_SCHEMA, SOURCE_TABLE,
} from './orders-schema';
import { StopReplicationBeforeDelete } from './stop-replication';
import { ConnectorPluginArtifact, StreamingAlternative } from './streaming-alternative';

/** Props for {@link ChangeDataCaptureLakeStack}; each has a context key for `cdk deploy -c key=value`. */
export interface ChangeDataCaptureLakeStackProps extends StackProps {
  /**
   * The source database. With neither this nor `cdc-lab-source=true`, the source comes from the
   * `cdc-source-*` context keys (see `SOURCE_CONTEXT`), the secret's ARN from the
   * `SourceSecretArn` parameter when `cdc-source-secret-arn` is not set.
   * @default - from context
   */
  readonly source?: CdcSource;
  /**
   * Create the lab's own source database (Aurora PostgreSQL Serverless v2 with the Data API).
   * Sandbox mode only. Context `cdc-lab-source`.
   * @default false
   */
  readonly labSource?: boolean;
  /**
   * Account of the external analysts who assume the cross-account role. Context `analyst-account-id`.
   * @default - this account (a one-account lab); another account needs `analystExternalId`
   */
  readonly analystAccountId?: string;
  /**
   * External id the analysts pass to `sts:AssumeRole` (they choose it). Context `analyst-external-id`.
   * @default - `<stack name>-analyst` when the analysts are in this account; required otherwise
   */
  readonly analystExternalId?: string;
  /**
   * Lake Formation administrators (role/user ARNs). The settings REPLACE the account's list:
   * include yourself. Context `lake-admin-arns` (comma-separated).
   * @default - a new `DataLakeAdmin` role (`LakeAdminRole`) that only `adminAssumerArns` may assume
   */
  readonly adminArns?: string[];
  /**
   * Who may assume the `DataLakeAdmin` role the app creates when no `adminArns` are given: IAM
   * role or user ARNs of this account, matched by `aws:PrincipalArn`; never the whole account.
   * Context `lake-admin-assumer-arns` (comma-separated).
   * @default - principals of this account tagged `analytics-patterns:lake-admin` = `true`
   */
  readonly adminAssumerArns?: string[];
  /** E-mail addresses of the alarm topic. Context `alarm-emails`. @default - none */
  readonly alarmEmails?: string[];
  /**
   * Build the QuickSight dataset (needs a QuickSight Enterprise subscription). Context `cdc-quicksight`.
   * @default true
   */
  readonly quickSight?: boolean;
  /**
   * QuickSight users or groups that own the dataset. Context `quicksight-owner-arns`.
   * @default - the group `cdc-lake-authors` of the default namespace (create it first, see LAB.md)
   */
  readonly quickSightOwnerArns?: string[];
  /**
   * Build the MSK + MSK Connect streaming alternative. Context `cdc-streaming`.
   * @default false
   */
  readonly streaming?: boolean;
  /** Bootstrap brokers (second deployment of the streaming alternative). Context `cdc-bootstrap-servers`. @default - none */
  readonly bootstrapServers?: string;
  /** Connector plugin artifact. Context `cdc-connector-plugin` (`s3://bucket/key.zip`). @default - none */
  readonly connectorPlugin?: ConnectorPluginArtifact;
}

/** The job script shipped as an asset. */
export const JOB_SCRIPT = path.join(__dirname, '..', 'glue', 'cdc_to_curated.py');
/** Nightly at 02:00 UTC: crawl the raw zone, then (if the crawl succeeded) curate. */
export const WORKFLOW_SCHEDULE = scheduler.ScheduleExpression.cron({ minute: '0', hour: '2' });
/** QuickSight group that owns the dataset by default. */
export const AUTHORS_GROUP = 'cdc-lake-authors';
const PLUGIN_URI = /^s3:\/\/([^/]+)\/(.+\.(zip|jar))$/;

/**
 * Reference app: change data capture into the lake (notes 1.5, 1.6, 3.1, 3.2, 4.3, 5, 6.3).
 *
 * ```
 * source database (yours, or the lab's Aurora PostgreSQL) --DMS Serverless (full load + CDC)-->
 *   s3://<raw>/dms/sales/orders/[YYYY/MM/DD/]*.parquet           (raw zone, op + dms_commit_ts)
 * Glue workflow (02:00 UTC): crawler (raw partitions) --SUCCEEDED--> Glue job (bookmarks)
 *   -> s3://<curated>/orders/change_date=YYYY-MM-DD/*.parquet    (latest change per order and run)
 * Lake Formation: curated zone registered; analysts and QuickSight SELECT cdc_curated.orders;
 *   the external analyst account's role every column but customer_id; nobody but DMS, the
 *   crawler and the job touches the raw zone
 * Athena workgroup cdc-lake-analysts (named queries: current orders, changes per day)
 * QuickSight dataset (SPICE, daily refresh) over cdc_curated.orders
 * optional: MSK + MSK Connect S3 sink -> s3://<raw>/kafka/ (streaming alternative)
 * ```
 */
export class ChangeDataCaptureLakeStack extends Stack {
  public readonly vpc: ec2.Vpc;
  /** Secrets Manager interface endpoint (HTTPS from the DMS replication only). */
  public readonly secretsEndpoint!: ec2.InterfaceVpcEndpoint;
  public readonly alarmTopic: AlarmTopic;
  public readonly storage: DataLakeStorage;
  public readonly labSource?: LabSourceDatabase;
  public readonly replication: DatabaseReplication;
  /** What the sandbox time-to-live does before deleting the stack (sandbox mode with a time-to-live only). */
  public stopReplication?: StopReplicationBeforeDelete;
  public readonly rawDatabase: DataLakeDatabase;
  public readonly rawTable: DataLakeTable;
  public readonly curatedDatabase: DataLakeDatabase;
  public readonly curatedTable: DataLakeTable;
  public readonly crawler: DataLakeCrawler;
  public readonly job: DataLakeEtlJob;
  public readonly workflow: CatalogAndTransformWorkflow;
  public readonly lake: SecureDataLake;
  public readonly workgroup: AnalyticsWorkgroup;
  /** Queries the curated zone through Athena (Lake Formation decides what it reads). */
  public readonly analystRole: iam.Role;
  /** The external analysts' role. */
  public readonly crossAccount: CrossAccountRole;
  public readonly dataset?: AthenaDataset;
  public readonly streaming?: StreamingAlternative;
  /** The Lake Formation administrator, when the app created it. */
  public readonly adminRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ChangeDataCaptureLakeStackProps = {}) {
    super(scope, id, { description: 'analytics-patterns reference app: change data capture into the lake (DMS -> raw -> Glue -> curated -> Lake Formation -> Athena/QuickSight)', ...props });
    const emails = props.alarmEmails ?? ContextValues.list(this, 'alarm-emails');
    this.storage = new DataLakeStorage(this, 'Storage');
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { encryptionKey: this.storage.encryptionKey, emails });
    this.vpc = this.createVpc();

    const source = this.resolveSource(props);
    this.labSource = source.lab;
    this.replication = this.createReplication(source.source);
    if (source.lab) source.lab.connections.allowDefaultPortFrom(this.replication.securityGroup, 'DMS Serverless replication');
    this.secretsEndpoint.connections.allowDefaultPortFrom(this.replication.securityGroup, 'DMS reads the source secret');

    [this.rawDatabase, this.rawTable] = this.createRawCatalog();
    [this.curatedDatabase, this.curatedTable] = this.createCuratedCatalog();
    this.crawler = this.createCrawler();
    this.job = this.createJob();
    this.workflow = new CatalogAndTransformWorkflow(this, 'Nightly', { crawler: this.crawler, job: this.job, schedule: WORKFLOW_SCHEDULE });

    this.analystRole = new iam.Role(this, 'Analyst', {
      description: 'Queries the curated orders through Athena; Lake Formation decides what it reads',
      assumedBy: new iam.AccountPrincipal(this.account),
    });
    this.crossAccount = this.createCrossAccountRole(props);
    this.lake = this.createLake(props);
    this.workgroup = this.createWorkgroup();
    this.grantQueries();
    if (props.quickSight ?? ContextValues.flag(this, 'cdc-quicksight', true)) this.dataset = this.createDataset(props);
    if (props.streaming ?? ContextValues.flag(this, 'cdc-streaming', false)) this.streaming = this.createStreaming(props);

    this.createOutputs(source.lab);
    // the app's own roles (analyst, flow logs, Lake Formation admin) follow the library's policy switch
    CustomerManagedPolicies.apply(this);
    SandboxLifetime.apply(this, { budgetEmails: emails, beforeDelete: this.beforeSandboxDeletion() });
  }

  /**
   * With a sandbox time-to-live, the delete state machine stops the DMS Serverless replication
   * before each DeleteStack: CloudFormation cannot delete the configuration of a running one.
   */
  private beforeSandboxDeletion(): StopReplicationBeforeDelete[] | undefined {
    if (!Sandbox.isEnabled(this) || this.node.tryGetContext(SandboxLifetime.TTL_CONTEXT_KEY) === undefined) return undefined;
    this.stopReplication = new StopReplicationBeforeDelete(this.replication.replication);
    return [this.stopReplication];
  }

  // ---------------------------------------------------------------- network and source

  /** Isolated subnets in two zones: S3 through a gateway endpoint, Secrets Manager through an interface endpoint. */
  private createVpc(): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      restrictDefaultSecurityGroup: true,
    });
    // DMS reads the source secret from inside the VPC; HTTPS from the replication only (opened below)
    (this as { secretsEndpoint?: ec2.InterfaceVpcEndpoint }).secretsEndpoint = vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, privateDnsEnabled: true, open: false,
    });
    vpc.addFlowLog('FlowLogs', {
      destination: VpcFlowLogs.toCloudWatchLogs(vpc, 'FlowLogsRole', new logs.LogGroup(this, 'FlowLogGroup', {
        encryptionKey: this.storage.encryptionKey, retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: Sandbox.removalPolicy(this),
      })),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    return vpc;
  }

  /** The lab's own database (sandbox mode only), the source given, or one described by context. */
  private resolveSource(props: ChangeDataCaptureLakeStackProps): { source: CdcSource; lab?: LabSourceDatabase } {
    const lab = props.labSource ?? ContextValues.flag(this, 'cdc-lab-source', false);
    if (!lab) return { source: props.source ?? sourceFromContext(this) };
    Validate.that(this, Sandbox.isEnabled(this), {
      prop: 'labSource (cdc-lab-source)', value: true, allowed: `only in sandbox mode (${Sandbox.CONTEXT_KEY}=true): the lab database is deleted with the stack`,
    });
    Validate.that(this, props.source === undefined, { prop: 'source', value: 'given', allowed: 'no source with labSource (the lab creates its own)' });
    const db = new LabSourceDatabase(this, 'LabSource', { vpc: this.vpc, encryptionKey: this.storage.encryptionKey, databaseName: DEFAULT_DATABASE });
    return { lab: db, source: { engine: SourceEngine.AURORA_POSTGRESQL, databaseName: DEFAULT_DATABASE, secret: db.secret } };
  }

  /** DMS Serverless: full load, then every change of `sales.orders`, as Parquet under `dms/`. */
  private createReplication(source: CdcSource): DatabaseReplication {
    return new DatabaseReplication(this, 'Replication', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      engine: source.engine,
      databaseName: source.databaseName,
      sourceSecret: source.secret,
      sourcePeer: source.peer,
      sourcePort: source.port,
      tables: [{ schema: SOURCE_SCHEMA, table: SOURCE_TABLE }],
      targetBucket: this.storage.raw.bucket,
      targetPrefix: DMS_PREFIX,
      replicationType: ReplicationType.FULL_LOAD_AND_CDC,
      maxCapacityUnits: 2,
      minCapacityUnits: 1,
      multiAz: false,
    });
  }

  // ---------------------------------------------------------------- catalog, crawler, job

  private createRawCatalog(): [DataLakeDatabase, DataLakeTable] {
    const database = new DataLakeDatabase(this, 'RawDatabase', { databaseName: RAW_DATABASE, description: 'Raw zone: DMS change records as they arrived' });
    const table = new DataLakeTable(this, 'RawOrders', {
      database,
      tableName: SOURCE_TABLE,
      description: 'Every change DMS captured from sales.orders (op I/U/D, commit time), partitioned by DMS date folders',
      format: TableFormat.PARQUET,
      columns: RAW_COLUMNS,
      partitionKeys: RAW_PARTITION_KEYS,
      bucket: this.storage.raw.bucket,
      prefix: RAW_TABLE_PREFIX,
    });
    return [database, table];
  }

  private createCuratedCatalog(): [DataLakeDatabase, DataLakeTable] {
    const database = new DataLakeDatabase(this, 'CuratedDatabase', { databaseName: CURATED_DATABASE, description: 'Curated zone: the orders change log, governed by Lake Formation' });
    const table = new DataLakeTable(this, 'CuratedOrders', {
      database,
      tableName: SOURCE_TABLE,
      description: 'Latest change of each order per Glue job run (op D = deleted), partitioned by change day',
      format: TableFormat.PARQUET,
      columns: CURATED_COLUMNS,
      partitionKeys: CURATED_PARTITION_KEYS,
      bucket: this.storage.curated.bucket,
      prefix: CURATED_PREFIX,
    });
    return [database, table];
  }

  /**
   * Adds the DMS date folders as partitions of the raw table. Schema changes are only logged
   * (LOG): the table's column and partition names stay the ones defined here, while new
   * partitions are always added, whatever the schema change policy.
   */
  private createCrawler(): DataLakeCrawler {
    return new DataLakeCrawler(this, 'RawCrawler', {
      database: this.rawDatabase,
      targets: [{ bucket: this.storage.raw.bucket, prefix: RAW_TABLE_PREFIX }],
      updateBehavior: CrawlerUpdateBehavior.LOG,
      deleteBehavior: CrawlerDeleteBehavior.LOG,
      encryptionKey: this.storage.encryptionKey,
    });
  }

  /** The app's PySpark script: new raw files (bookmarks) -> latest change per order -> curated Parquet. */
  private createJob(): DataLakeEtlJob {
    return new DataLakeEtlJob(this, 'Curate', {
      source: this.rawTable,
      target: {
        bucket: this.storage.curated.bucket,
        prefix: CURATED_PREFIX,
        partitionKeys: CURATED_PARTITION_KEYS.map((k) => k.name),
        database: this.curatedDatabase,
        tableName: SOURCE_TABLE,
      },
      scriptPath: JOB_SCRIPT,
      jobBookmarks: true,
      numberOfWorkers: 2,
      lakeFormationGoverned: true,
    });
  }

  // ---------------------------------------------------------------- governance and consumers

  /** The external analysts' role: catalog read of the curated table (Athena and Lake Formation are granted below). */
  private createCrossAccountRole(props: ChangeDataCaptureLakeStackProps): CrossAccountRole {
    const account = props.analystAccountId ?? ContextValues.string(this, 'analyst-account-id');
    const externalId = props.analystExternalId ?? ContextValues.string(this, 'analyst-external-id');
    Validate.that(this, account === undefined || externalId !== undefined, {
      prop: 'analystExternalId (analyst-external-id)',
      value: undefined,
      allowed: 'an external id chosen by the analysts whenever analystAccountId names another account (confused-deputy protection)',
    });
    return new CrossAccountRole(this, 'ExternalAnalysts', {
      trustedAccountIds: [account ?? this.account],
      externalId: externalId ?? `${this.stackName}-analyst`,
      description: 'External analysts: query the curated orders (no personal columns) through Athena',
      statements: [new iam.PolicyStatement({
        sid: 'ReadCuratedCatalog',
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: [this.curatedDatabase.catalogArn, this.curatedDatabase.databaseArn, this.curatedTable.tableArn],
      })],
    });
  }

  /** Lake Formation over the curated zone; IAM alone keeps the raw zone to DMS, the crawler and the job. */
  private createLake(props: ChangeDataCaptureLakeStackProps): SecureDataLake {
    const admins = this.lakeAdmins(props);
    const read = [LakePermission.SELECT, LakePermission.DESCRIBE];
    const describe = (principal: LakePrincipal) => ({
      principal, resource: LakeResource.database(CURATED_DATABASE), permissions: [LakePermission.DESCRIBE],
    });
    const analyst = LakePrincipal.fromRole(this.analystRole);
    const external = LakePrincipal.fromRole(this.crossAccount.role);
    const lake = new SecureDataLake(this, 'Governance', {
      admins,
      bucket: this.storage.curated.bucket,
      locationPrefix: CURATED_PREFIX.replace(/\/$/, ''),
      encryptionKey: this.storage.encryptionKey,
      existingDatabases: [this.rawDatabase, this.curatedDatabase],
      tables: [SecureDataLake.describeTable(this.rawTable), SecureDataLake.describeTable(this.curatedTable)],
      grants: [
        describe(analyst),
        { principal: analyst, resource: LakeResource.table(CURATED_DATABASE, SOURCE_TABLE), permissions: read },
        describe(external),
        {
          principal: external,
          resource: LakeResource.columnsExcept(CURATED_DATABASE, SOURCE_TABLE, PERSONAL_COLUMNS),
          permissions: [LakePermission.SELECT],
        },
      ],
    });
    lake.grantEtlJob(this.job.role, RAW_DATABASE, CURATED_DATABASE);
    // the raw zone is not registered with Lake Formation: the crawler needs catalog permissions only
    const crawler = LakePrincipal.fromRole(this.crawler.role);
    const { ALTER, CREATE_TABLE, DESCRIBE, SELECT } = LakePermission;
    lake.grant({ principal: crawler, resource: LakeResource.database(RAW_DATABASE), permissions: [CREATE_TABLE, ALTER, DESCRIBE] });
    lake.grant({ principal: crawler, resource: LakeResource.allTables(RAW_DATABASE), permissions: [ALTER, DESCRIBE, SELECT] });
    return lake;
  }

  private lakeAdmins(props: ChangeDataCaptureLakeStackProps): LakePrincipal[] {
    const arns = props.adminArns ?? ContextValues.list(this, 'lake-admin-arns');
    if (arns.length > 0) return arns.map((a) => LakePrincipal.fromArn(a));
    (this as { adminRole?: iam.Role }).adminRole = new LakeAdminRole(this, 'DataLakeAdmin', {
      description: 'Lake Formation administrator of the CDC lake',
      assumerArns: props.adminAssumerArns ?? ContextValues.list(this, 'lake-admin-assumer-arns'),
    });
    return [LakePrincipal.fromRole(this.adminRole!)];
  }

  private createWorkgroup(): AnalyticsWorkgroup {
    return new AnalyticsWorkgroup(this, 'Workgroup', {
      workgroupName: 'cdc-lake-analysts',
      description: 'Queries on the Lake Formation governed curated orders',
      // its own key (the workgroup's default): analysts may use the results key, never the lake's
      bytesScannedCutoffPerQuery: Size.gibibytes(1),
      dataUsageLimit: Size.gibibytes(50),
      alarmTopic: this.alarmTopic.topic,
      namedQueries: [
        { name: 'current-orders', database: CURATED_DATABASE, description: 'Current state: latest change per order, deletes left out', queryString: CURRENT_ORDERS_SQL },
        { name: 'changes-per-day', database: CURATED_DATABASE, description: 'Inserts, updates and deletes per day (last 7 days)', queryString: CHANGES_PER_DAY_SQL },
      ],
    });
  }

  /** Athena in this workgroup for the analysts (both roles); their data access comes from Lake Formation only. */
  private grantQueries(): void {
    this.workgroup.grantQuery(this.analystRole, { tables: [this.curatedTable], lakeFormation: true });
    this.workgroup.grantQuery(this.crossAccount.role, { lakeFormation: true });
  }

  /** QuickSight dataset (SPICE, daily refresh) over the curated table, read through Lake Formation. */
  private createDataset(props: ChangeDataCaptureLakeStackProps): AthenaDataset {
    const owners = props.quickSightOwnerArns ?? ContextValues.list(this, 'quicksight-owner-arns');
    const dataset = new AthenaDataset(this, 'OrdersDataset', {
      name: 'CDC lake: orders change log',
      workGroupName: this.workgroup.workgroupName,
      resultsBucket: this.workgroup.resultsBucket,
      resultsPrefix: this.workgroup.resultsPrefix,
      table: {
        databaseName: CURATED_DATABASE,
        tableName: SOURCE_TABLE,
        dataBucket: this.storage.curated.bucket,
        dataPrefix: CURATED_PREFIX,
        columns: [
          { name: 'order_id', type: DatasetColumnType.INTEGER },
          { name: 'customer_id', type: DatasetColumnType.STRING },
          { name: 'amount', type: DatasetColumnType.DECIMAL },
          { name: 'status', type: DatasetColumnType.STRING },
          { name: 'updated_at', type: DatasetColumnType.DATETIME },
          { name: 'op', type: DatasetColumnType.STRING },
          { name: 'change_date', type: DatasetColumnType.STRING },
        ],
      },
      ownerArns: owners.length > 0 ? owners : [`arn:${Aws.PARTITION}:quicksight:${this.region}:${this.account}:group/default/${AUTHORS_GROUP}`],
      importMode: DatasetImportMode.SPICE,
      lakeFormationGoverned: true,
    });
    const reader = LakePrincipal.fromRole(dataset.role);
    this.lake.grant({ principal: reader, resource: LakeResource.database(CURATED_DATABASE), permissions: [LakePermission.DESCRIBE] });
    const read = [LakePermission.SELECT, LakePermission.DESCRIBE];
    this.lake.grant({ principal: reader, resource: LakeResource.table(CURATED_DATABASE, SOURCE_TABLE), permissions: read });
    return dataset;
  }

  private createStreaming(props: ChangeDataCaptureLakeStackProps): StreamingAlternative {
    const plugin = props.connectorPlugin ?? this.pluginFromContext();
    return new StreamingAlternative(this, 'Streaming', {
      vpc: this.vpc,
      rawBucket: this.storage.raw.bucket,
      encryptionKey: this.storage.encryptionKey,
      alarmTopic: this.alarmTopic.topic,
      bootstrapServers: props.bootstrapServers ?? ContextValues.string(this, 'cdc-bootstrap-servers'),
      plugin,
    });
  }

  private pluginFromContext(): ConnectorPluginArtifact | undefined {
    const uri = ContextValues.string(this, 'cdc-connector-plugin');
    if (uri === undefined) return undefined;
    const m = PLUGIN_URI.exec(uri);
    Validate.that(this, m !== null, { prop: 'cdc-connector-plugin', value: uri, allowed: 's3://<bucket>/<key>.zip or .jar (your connector plugin artifact)' });
    return { bucketName: m![1], key: m![2] };
  }

  // ---------------------------------------------------------------- outputs and context

  private createOutputs(lab?: LabSourceDatabase): void {
    const out = (id: string, value: string, description?: string) => new CfnOutput(this, id, { value, description });
    out('ReplicationConfigArn', this.replication.replication.attrReplicationConfigArn, 'aws dms start-replication --replication-config-arn <arn> --start-replication-type start-replication');
    out('RawBucket', this.storage.raw.bucket.bucketName, 'DMS writes dms/sales/orders/ here');
    out('CuratedBucket', this.storage.curated.bucket.bucketName, 'The Glue job writes orders/change_date=.../ here');
    out('WorkflowName', this.workflow.workflowName, 'aws glue start-workflow-run --name <name> (crawl, then curate)');
    out('WorkgroupName', this.workgroup.workgroupName);
    out('AnalystRoleArn', this.analystRole.roleArn);
    out('ExternalAnalystRoleArn', this.crossAccount.role.roleArn, 'Assumed by the analyst account with its external id');
    if (lab) {
      out('LabClusterArn', lab.cluster.clusterArn, 'aws rds-data execute-statement --resource-arn <arn> --secret-arn <LabSecretArn> --database appdb --sql ...');
      out('LabSecretArn', lab.secret.secretArn);
    }
    NagAcknowledgements.acknowledge(this.analystRole, 'AwsSolutions-IAM5[Resource::*]',
      'lakeformation:GetDataAccess supports no resource-level permissions; the analyst reads only what its Lake Formation grants on cdc_curated.orders allow.');
  }
}
