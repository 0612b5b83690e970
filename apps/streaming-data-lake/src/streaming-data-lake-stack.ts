import { AnalyticsWorkgroup } from '@analytics-patterns/analysis';
import { ColumnarFormat, StreamIngestion, TimeGranularity } from '@analytics-patterns/collection';
import { AlarmTopic, ContextValues, CustomerManagedPolicies, SandboxLifetime } from '@analytics-patterns/core';
import {
  DataLakeCrawler, LakeAdminRole, LakePermission, LakePrincipal, LakeResource, LakeTagResourceType, SecureDataLake,
} from '@analytics-patterns/processing';
import {
  ColumnType, DataLakeDatabase, DataLakeStorage, DataLakeTable, PartitionKeys, TableFormat, TimePartitionDepth,
} from '@analytics-patterns/storage';
import { CfnOutput, Duration, Size, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

/** Props for {@link StreamingDataLakeStack}. */
export interface StreamingDataLakeStackProps extends StackProps {
  /**
   * ARNs of the Lake Formation administrators (IAM roles or users). The data lake settings
   * REPLACE the account's administrator list: list every administrator who must stay one.
   * Default: context `lake-admin-arns` (comma-separated), else a new `DataLakeAdmin` role
   * that only the principals of `adminAssumerArns` may assume.
   */
  readonly adminArns?: string[];
  /**
   * Who may assume the `DataLakeAdmin` role the app creates when no `adminArns` are given: ARNs
   * of IAM roles or users of this account. The trust policy names them by `aws:PrincipalArn`
   * (they need not exist when the stack is deployed), never the whole account.
   * Default: context `lake-admin-assumer-arns` (comma-separated), else only principals of this
   * account tagged `analytics-patterns:lake-admin` = `true` (tagging a role or user takes an IAM
   * administrator, a deliberate act).
   */
  readonly adminAssumerArns?: string[];
  /**
   * Account that receives a cross-account share of the events table (SELECT and DESCRIBE,
   * grantable, without the PII column). Default: context `consumer-account-id`, else no share.
   */
  readonly consumerAccountId?: string;
  /**
   * E-mail addresses subscribed to the alarm topic (each must confirm the subscription).
   * Default: context `alarm-emails` (comma-separated), else none (subscribe to the topic of the
   * `AlarmTopicArn` output yourself).
   */
  readonly alarmEmails?: string[];
}

const DATABASE = 'streaming_lake';
/** The principal tag that lets a principal of this account assume the default `DataLakeAdmin` role. */
export const LAKE_ADMIN_TAG = LakeAdminRole.ADMIN_TAG;
const TABLE = 'events';

/**
 * Reference app: a streaming data lake governed by Lake Formation (notes 1.2, 2.1, 2.2, 3.1, 3.2, 4.3).
 *
 * ```
 * producers -> Kinesis -> Firehose (JSON -> Parquet with the Glue table's schema)
 *   -> s3://<raw zone>/events/year=YYYY/month=MM/day=DD/    (SSE-KMS, the data lake's CMK)
 *   -> Glue crawler (hourly, adds partitions/columns)       -> table streaming_lake.events
 *   -> Lake Formation: LF-tags domain/pii, `email` tagged pii=true,
 *        data scientists: SELECT on tables tagged pii=false  (every row, no email column)
 *        EU analysts:     data cells filter region = 'eu'   (EU rows only, no email column)
 *   -> Athena workgroup `streaming-lake-analysts` (enforced settings, 1 GiB per-query cutoff,
 *        100 GiB/day usage alarm, encrypted results)
 * ```
 *
 * Deploying it changes the account's Lake Formation settings (administrators, no
 * IAMAllowedPrincipals default for new databases and tables) and Data Catalog encryption:
 * deploy it in a sandbox account.
 */
export class StreamingDataLakeStack extends Stack {
  public readonly storage: DataLakeStorage;
  public readonly database: DataLakeDatabase;
  public readonly table: DataLakeTable;
  public readonly ingestion: StreamIngestion;
  public readonly crawler: DataLakeCrawler;
  public readonly lake: SecureDataLake;
  public readonly workgroup: AnalyticsWorkgroup;
  /** Reads every region but no PII column (LF-TBAC). */
  public readonly dataScientistRole: iam.Role;
  /** Reads EU rows only, no PII column (data cells filter). */
  public readonly euAnalystRole: iam.Role;
  /** The Lake Formation administrator, when the app created it. */
  public readonly adminRole?: iam.Role;
  /**
   * The one topic of every alarm of the app (stream, Firehose, Athena usage), encrypted with the
   * lake's key, that CloudWatch alarms of this account may publish to.
   */
  public readonly alarmTopic: AlarmTopic;

  constructor(scope: Construct, id: string, props: StreamingDataLakeStackProps = {}) {
    super(scope, id, { description: 'analytics-patterns reference app: streaming data lake (Kinesis -> Parquet -> Glue -> Lake Formation -> Athena)', ...props });
    this.storage = new DataLakeStorage(this, 'Storage');
    const alarmEmails = props.alarmEmails ?? ContextValues.list(this, 'alarm-emails');
    this.alarmTopic = new AlarmTopic(this, 'Alarms', { encryptionKey: this.storage.encryptionKey, emails: alarmEmails });
    this.database = new DataLakeDatabase(this, 'Database', { databaseName: DATABASE });
    this.table = this.eventsTable();
    this.ingestion = this.ingest();
    this.crawler = this.crawl();
    this.adminRole = this.defaultAdminRole(props);
    this.dataScientistRole = this.analystRole('DataScientist', 'Queries every region of the streaming data lake, without PII columns');
    this.euAnalystRole = this.analystRole('EuAnalyst', 'Queries EU rows of the streaming data lake, without PII columns');
    // the analysts' query policies: inline by default, customer-managed with the context flag
    CustomerManagedPolicies.apply(this.dataScientistRole);
    CustomerManagedPolicies.apply(this.euAnalystRole);
    this.lake = this.governance(props);
    this.grantIngestion();
    this.workgroup = this.queries();
    this.outputs();
    // sandbox mode only: -c analytics-patterns:sandbox-ttl-hours=N and -c analytics-patterns:budget-usd=AMOUNT (+ budget-email, else the alarm e-mails)
    SandboxLifetime.apply(this, { budgetEmails: alarmEmails });
  }

  /** The table Firehose converts with: Parquet in the raw zone under events/year=/month=/day=. */
  private eventsTable(): DataLakeTable {
    return new DataLakeTable(this, 'Events', {
      database: this.database,
      tableName: TABLE,
      description: 'Events delivered by Firehose as Parquet, partitioned by arrival day',
      format: TableFormat.PARQUET,
      columns: [
        { name: 'event_id', type: ColumnType.STRING },
        { name: 'event_type', type: ColumnType.STRING },
        { name: 'user_id', type: ColumnType.STRING },
        { name: 'email', type: ColumnType.STRING, comment: 'PII: hidden from analysts by Lake Formation' },
        { name: 'region', type: ColumnType.STRING, comment: 'Row filter column (eu, us, apac)' },
        { name: 'amount', type: ColumnType.DOUBLE },
        { name: 'event_time', type: ColumnType.TIMESTAMP },
      ],
      partitionKeys: PartitionKeys.time(TimePartitionDepth.DAY, 2024, 2035),
      bucket: this.storage.raw.bucket,
      prefix: 'events/',
    });
  }

  /** Ingestion: Kinesis -> Firehose, JSON -> Parquet under year=/month=/day=. */
  private ingest(): StreamIngestion {
    return new StreamIngestion(this, 'Ingestion', {
      existingBucket: this.storage.raw.bucket,
      encryptionKey: this.storage.encryptionKey,
      prefix: 'events',
      partitioning: { timeGranularity: TimeGranularity.DAY },
      bufferingInterval: Duration.seconds(300),
      formatConversion: { format: ColumnarFormat.PARQUET, databaseName: DATABASE, tableName: TABLE },
      alarmTopic: this.alarmTopic.topic,
    });
  }

  /** The crawler that keeps partitions and new columns in the catalog. */
  private crawl(): DataLakeCrawler {
    return new DataLakeCrawler(this, 'Crawler', {
      database: this.database,
      targets: [{ bucket: this.storage.raw.bucket, prefix: 'events/', exclusions: ['**/_temporary/**'] }],
      schedule: scheduler.ScheduleExpression.expression('cron(15 * * * ? *)'),
      encryptionKey: this.storage.encryptionKey,
      lakeFormationGoverned: true,
    });
  }

  /** The `DataLakeAdmin` role, created only when no administrator ARNs are given (prop or context). */
  private defaultAdminRole(props: StreamingDataLakeStackProps): LakeAdminRole | undefined {
    if (this.adminArns(props).length > 0) return undefined;
    return new LakeAdminRole(this, 'DataLakeAdmin', {
      description: 'Lake Formation data lake administrator of the streaming data lake',
      assumerArns: props.adminAssumerArns ?? ContextValues.list(this, 'lake-admin-assumer-arns'),
    });
  }

  /** Administrator ARNs given by prop or context `lake-admin-arns` (empty when none). */
  private adminArns(props: StreamingDataLakeStackProps): string[] {
    return props.adminArns ?? ContextValues.list(this, 'lake-admin-arns');
  }

  /** An analyst role that principals of this account may assume; Lake Formation limits what it reads. */
  private analystRole(id: string, description: string): iam.Role {
    return new iam.Role(this, id, { description, assumedBy: new iam.AccountPrincipal(this.account) });
  }

  /** Lake Formation: administrators, LF-tags, the EU data cells filter and the grants. */
  private governance(props: StreamingDataLakeStackProps): SecureDataLake {
    const consumer = props.consumerAccountId ?? ContextValues.string(this, 'consumer-account-id');
    const scientist = LakePrincipal.fromRole(this.dataScientistRole);
    const analyst = LakePrincipal.fromRole(this.euAnalystRole);
    const TABLE_READ = [LakePermission.SELECT, LakePermission.DESCRIBE];
    const adminRole = this.adminRole;
    return new SecureDataLake(this, 'Governance', {
      admins: adminRole ? [LakePrincipal.fromRole(adminRole)] : this.adminArns(props).map((a) => LakePrincipal.fromArn(a)),
      bucket: this.storage.raw.bucket,
      locationPrefix: 'events',
      encryptionKey: this.storage.encryptionKey,
      existingDatabases: [this.database],
      tables: [SecureDataLake.describeTable(this.table)],
      tags: [
        { key: 'domain', values: ['streaming', 'finance'] },
        { key: 'pii', values: ['true', 'false'] },
      ],
      tagAssociations: [
        { resource: LakeResource.database(DATABASE), tags: [{ key: 'domain', value: 'streaming' }] },
        // the table is not PII; its email column is (a column's tag overrides the inherited one)
        { resource: LakeResource.table(DATABASE, TABLE), tags: [{ key: 'pii', value: 'false' }] },
        { resource: LakeResource.columns(DATABASE, TABLE, ['email']), tags: [{ key: 'pii', value: 'true' }] },
      ],
      dataCellsFilters: [
        { name: 'eu_rows_no_pii', databaseName: DATABASE, tableName: TABLE, rowFilterExpression: "region = 'eu'", excludedColumnNames: ['email'] },
      ],
      grants: [
        // LF-TBAC: see the database, read every non-PII column of tables in the streaming domain
        { principal: scientist, resource: LakeResource.tagExpression(LakeTagResourceType.DATABASE, [{ key: 'domain', values: ['streaming'] }]), permissions: [LakePermission.DESCRIBE] },
        { principal: scientist, resource: LakeResource.tagExpression(LakeTagResourceType.TABLE, [{ key: 'pii', values: ['false'] }]), permissions: TABLE_READ },
        // row-level security: EU rows only, no PII
        { principal: analyst, resource: LakeResource.database(DATABASE), permissions: [LakePermission.DESCRIBE] },
        { principal: analyst, resource: LakeResource.dataCellsFilter(DATABASE, TABLE, 'eu_rows_no_pii'), permissions: [LakePermission.SELECT] },
        // cross-account share of the non-PII columns, grantable by the consumer's data lake admin
        ...(consumer ? [{
          principal: LakePrincipal.account(String(consumer)),
          resource: LakeResource.columnsExcept(DATABASE, TABLE, ['email']),
          permissions: [LakePermission.SELECT],
          grantablePermissions: [LakePermission.SELECT],
        }] : []),
      ],
    });
  }

  /** Lake Formation grants of the crawler and of Firehose's schema read. */
  private grantIngestion(): void {
    this.lake.grantCrawler(this.crawler.role, DATABASE);
    // Firehose reads the table's schema for Parquet conversion (metadata only: no SELECT, no
    // GetDataAccess; it writes to S3 with its own IAM role), and checks it when the stream is created
    const schemaGrant = this.lake.grant({
      principal: LakePrincipal.fromArn(this.ingestion.deliveryRole.roleArn),
      resource: LakeResource.table(DATABASE, TABLE),
      permissions: [LakePermission.DESCRIBE],
    });
    this.ingestion.deliveryStream.node.addDependency(schemaGrant);
  }

  /** The Athena workgroup of the analysts, with its named query, and their query grants. */
  private queries(): AnalyticsWorkgroup {
    const workgroup = new AnalyticsWorkgroup(this, 'Workgroup', {
      workgroupName: 'streaming-lake-analysts',
      description: 'Queries on the Lake Formation governed streaming data lake',
      encryptionKey: this.storage.encryptionKey,
      bytesScannedCutoffPerQuery: Size.gibibytes(1),
      dataUsageLimit: Size.gibibytes(100),
      alarmTopic: this.alarmTopic.topic,
      namedQueries: [
        {
          name: 'revenue-by-region-today',
          database: DATABASE,
          description: 'Partition-pruned: scans one day only',
          queryString: `SELECT region, sum(amount) AS revenue FROM ${TABLE} WHERE year = date_format(current_date, '%Y') AND month = date_format(current_date, '%m') AND day = date_format(current_date, '%d') GROUP BY region`,
        },
      ],
    });
    for (const role of [this.dataScientistRole, this.euAnalystRole]) {
      workgroup.grantQuery(role, { tables: [this.table], lakeFormation: true });
    }
    return workgroup;
  }

  private outputs(): void {
    new CfnOutput(this, 'StreamName', { value: this.ingestion.stream.streamName, description: 'Send JSON events here' });
    new CfnOutput(this, 'RawBucket', { value: this.storage.raw.bucket.bucketName });
    new CfnOutput(this, 'CrawlerName', { value: this.crawler.crawlerName });
    new CfnOutput(this, 'WorkgroupName', { value: this.workgroup.workgroupName });
    new CfnOutput(this, 'DataScientistRoleArn', { value: this.dataScientistRole.roleArn });
    new CfnOutput(this, 'EuAnalystRoleArn', { value: this.euAnalystRole.roleArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topic.topicArn, description: 'Every alarm of the app notifies this topic: subscribe to it' });
  }
}

