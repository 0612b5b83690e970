import { CustomerManagedPolicies, GlueLimits, NagAcknowledgements, Validate } from '@analytics-patterns/core';
import { DataLakeDatabase, IDataLakeDatabase } from '@analytics-patterns/storage';
import { Names, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct, IConstruct } from 'constructs';
import { CrawlerDeleteBehavior, CrawlerUpdateBehavior, DataLakeCrawlerProps, RecrawlBehavior } from './data-lake-crawler-props';
import { glueSchedule } from './glue-schedule';
import { GlueSecurityConfiguration } from './glue-security-configuration';
import { acknowledgeObjectWildcards } from '../common/s3-access';

const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)+$';
/** What a crawler calls on the catalog (read the database, create and update tables and partitions). */
const CATALOG = [
  'glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:UpdateTable',
  'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition', 'glue:CreatePartition',
  'glue:BatchCreatePartition', 'glue:UpdatePartition', 'glue:BatchUpdatePartition',
];
const DELETE_CATALOG = ['glue:DeleteTable', 'glue:BatchDeleteTable', 'glue:DeletePartition', 'glue:BatchDeletePartition'];

/**
 * A Glue crawler as a workflow starts it: a {@link DataLakeCrawler}, or a crawler of yours
 * (for example a `glue.CfnCrawler` in a construct of your own).
 */
export interface IDataLakeCrawler extends IConstruct {
  /** Crawler name (a plain string or a token). */
  readonly crawlerName: string;
  /**
   * The crawler's own schedule, if it has one (a workflow only starts crawlers without one).
   * @default - none
   */
  readonly schedule?: scheduler.ScheduleExpression;
}

/**
 * A Glue crawler that catalogs partitioned S3 data (notes 3.1).
 *
 * - Targets are prefixes above Hive-style partition folders
 *   (`events/year=2024/month=01/day=31/`): with `combineCompatibleSchemas` (default)
 *   the folders become partitions (`year`, `month`, `day` columns) of ONE table whose
 *   partitions inherit its schema, instead of one table per folder.
 * - Schema-change policy: update the table on schema changes, never delete tables
 *   (`LOG`) unless asked; incremental crawls (`CRAWL_NEW_FOLDERS_ONLY`) are checked
 *   to use LOG/LOG as Glue requires.
 * - Least-privilege role (no `AWSGlueServiceRole` managed policy, which grants
 *   glue:*, s3 on every `aws-glue-*` bucket, ec2, iam:ListRolePolicies...): read-only
 *   on exactly the target prefixes, decrypt on their key through S3 only, catalog
 *   writes on this database's tables only, logs on `/aws-glue/crawlers*` only.
 * - A Glue security configuration encrypts the crawler's CloudWatch logs with the CMK.
 * - The schedule is a `ScheduleExpression` checked with Glue's rules (cron, UTC, at most
 *   every 5 minutes).
 *
 * Where the notes are out of date: they say crawlers "cannot be used for DynamoDB,
 * RDS"; Glue crawlers do crawl DynamoDB tables and JDBC sources (RDS, Redshift)
 * today. This construct crawls S3 only, the data lake case. Tables with Athena
 * partition projection do not need the crawler for Athena, but Glue ETL, EMR and
 * Redshift Spectrum read only *registered* partitions, which the crawler adds.
 *
 * @example
 * const crawler = new DataLakeCrawler(this, 'Crawler', {
 *   database: db,
 *   targets: [{ bucket: lake.raw.bucket, prefix: 'events/' }],
 *   schedule: scheduler.ScheduleExpression.cron({ minute: '15' }),
 * });
 */
export class DataLakeCrawler extends Construct implements IDataLakeCrawler {
  /** Crawler name (plain string, for triggers and Lake Formation grants). */
  public readonly crawlerName: string;
  /** ARN of the crawler. */
  public readonly crawlerArn: string;
  /** The L1 crawler (aws-cdk-lib has no crawler L2). */
  public readonly crawler: glue.CfnCrawler;
  /** The crawler's role. */
  public readonly role: iam.Role;
  /** The role's policy. */
  public readonly policy: iam.Policy;
  /** The security configuration. */
  public readonly securityConfiguration: GlueSecurityConfiguration;
  /** The key of the security configuration (crawler logs). */
  public readonly encryptionKey: kms.IKey;
  /** The database. */
  public readonly database: IDataLakeDatabase;
  /** `s3://bucket/prefix` of each target. */
  public readonly targetPaths: string[];
  /** The crawler's own schedule, if any. */
  public readonly schedule?: scheduler.ScheduleExpression;

  constructor(scope: Construct, id: string, props: DataLakeCrawlerProps) {
    super(scope, id);
    const update = props.updateBehavior ?? CrawlerUpdateBehavior.UPDATE_IN_DATABASE;
    const del = props.deleteBehavior ?? CrawlerDeleteBehavior.LOG;
    const recrawl = props.recrawlBehavior ?? RecrawlBehavior.CRAWL_EVERYTHING;
    this.validate(props, update, del, recrawl);
    CustomerManagedPolicies.apply(this);

    const stack = Stack.of(this);
    this.database = props.database;
    this.schedule = props.schedule;
    this.crawlerName = props.crawlerName ?? Names.uniqueResourceName(this, { maxLength: GlueLimits.RESOURCE_NAME.maxLength });
    this.crawlerArn = stack.formatArn({ service: 'glue', resource: 'crawler', resourceName: this.crawlerName });
    this.targetPaths = props.targets.map((t) => `s3://${t.bucket.bucketName}/${t.prefix}`);
    const dataKeys: kms.IKey[] = props.encryptionKey
      ? [props.encryptionKey]
      : props.targets.map((t) => t.bucket.encryptionKey).filter((k): k is kms.IKey => k !== undefined);
    this.securityConfiguration = props.securityConfiguration
      ?? new GlueSecurityConfiguration(this, 'SecurityConfiguration', { encryptionKey: dataKeys[0] });
    this.encryptionKey = this.securityConfiguration.encryptionKey;

    this.role = new iam.Role(this, 'Role', {
      description: `Glue crawler role of ${this.node.path}`,
      // Glue documents no confused-deputy condition keys for its service roles; a role can only be
      // given to a crawler by a principal of this account allowed iam:PassRole on it
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
    });
    this.policy = new iam.Policy(this, 'Policy', { roles: [this.role] });
    this.grantCrawl(props, dataKeys, del);
    this.crawler = this.createCrawler(props, update, del, recrawl);
  }

  private createCrawler(
    props: DataLakeCrawlerProps, update: CrawlerUpdateBehavior, del: CrawlerDeleteBehavior, recrawl: RecrawlBehavior,
  ): glue.CfnCrawler {
    const schedule = glueSchedule(this, 'schedule', props.schedule);
    const crawler = new glue.CfnCrawler(this, 'Crawler', {
      name: this.crawlerName,
      role: this.role.roleArn,
      databaseName: props.database.databaseName,
      description: `Catalogs ${this.targetPaths.length} partitioned S3 path(s) into ${props.database.databaseName}`,
      targets: {
        s3Targets: props.targets.map((t, i) => ({ path: this.targetPaths[i], exclusions: t.exclusions })),
      },
      schedule: schedule !== undefined ? { scheduleExpression: schedule } : undefined,
      schemaChangePolicy: { updateBehavior: update, deleteBehavior: del },
      recrawlPolicy: { recrawlBehavior: recrawl },
      tablePrefix: props.tablePrefix,
      crawlerSecurityConfiguration: this.securityConfiguration.securityConfigurationName,
      configuration: (props.combineCompatibleSchemas ?? true) ? JSON.stringify({
        Version: 1.0,
        Grouping: { TableGroupingPolicy: 'CombineCompatibleSchemas' },
        CrawlerOutput: { Partitions: { AddOrUpdateBehavior: 'InheritFromTable' } },
      }) : undefined,
    });
    // Glue checks the role's permissions and the security configuration when the crawler is created
    crawler.node.addDependency(this.policy);
    crawler.node.addDependency(this.securityConfiguration.resource);
    if (props.database instanceof DataLakeDatabase) crawler.node.addDependency(props.database.resource);
    return crawler;
  }

  private grantCrawl(props: DataLakeCrawlerProps, dataKeys: kms.IKey[], del: CrawlerDeleteBehavior): void {
    const stack = Stack.of(this);
    const db = props.database;
    const tablesArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${db.databaseName}/${props.tablePrefix ?? ''}*` });
    this.policy.addStatements(new iam.PolicyStatement({
      sid: 'CatalogTables',
      actions: [...CATALOG, ...(del === CrawlerDeleteBehavior.DELETE_FROM_DATABASE ? DELETE_CATALOG : [])],
      resources: [db.catalogArn, db.databaseArn, tablesArn],
    }));
    props.targets.forEach((t, i) => this.policy.addStatements(
      new iam.PolicyStatement({
        sid: `ListTarget${i}`,
        actions: ['s3:ListBucket'],
        resources: [t.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [t.prefix, `${t.prefix}*`] } },
      }),
      new iam.PolicyStatement({ sid: `ReadTarget${i}`, actions: ['s3:GetObject'], resources: [t.bucket.arnForObjects(`${t.prefix}*`)] }),
    ));
    if (dataKeys.length > 0) {
      this.policy.addStatements(new iam.PolicyStatement({
        sid: 'DecryptTargets',
        actions: ['kms:Decrypt'],
        resources: [...new Set(dataKeys.map((k) => k.keyArn))],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }));
    }
    this.securityConfiguration.addUseStatements(this.policy, 'crawlers', false);
    if (props.lakeFormationGoverned) {
      this.policy.addStatements(new iam.PolicyStatement({ sid: 'LakeFormationDataAccess', actions: ['lakeformation:GetDataAccess'], resources: ['*'] }));
      NagAcknowledgements.acknowledge(this.policy, 'AwsSolutions-IAM5[Resource::*]',
        'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation grants decide which locations the credentials cover (lakeFormationGoverned is set).');
    }
    this.acknowledgeWildcards(props, tablesArn);
  }

  private acknowledgeWildcards(props: DataLakeCrawlerProps, tablesArn: string): void {
    NagAcknowledgements.acknowledge(this.policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, tablesArn)}]`,
      'The crawler creates tables named after the folders it finds; table names are not known before the crawl, so table ARNs end with a wildcard inside this one database (narrowed by tablePrefix when set).');
    acknowledgeObjectWildcards(this.policy, props.targets, (t) =>
      `The crawler reads every object under the target prefix ${t.prefix} (new partitions arrive continuously); the wildcard stops at that prefix.`);
    NagAcknowledgements.acknowledge(this.policy, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, this.securityConfiguration.logGroupArn('crawlers'))}]`,
      'Glue names the crawler log group and streams itself (/aws-glue/crawlers or /aws-glue/crawlers-role/<role>-<security configuration>); the wildcard stops at that prefix.');
  }

  private validate(props: DataLakeCrawlerProps, update: CrawlerUpdateBehavior, del: CrawlerDeleteBehavior, recrawl: RecrawlBehavior): void {
    Validate.count(this, 'targets', GlueLimits.CRAWLER_S3_TARGETS.min, GlueLimits.CRAWLER_S3_TARGETS.max, props.targets);
    props.targets.forEach((t, i) => {
      Validate.pattern(this, `targets[${i}].prefix`, PREFIX, 'S3 key segments each ending with "/" (the folder above the partitions), without a leading "/"', t.prefix);
      Validate.that(this, !/(^|\/)[a-z_]+=/.test(t.prefix), {
        prop: `targets[${i}].prefix`,
        value: t.prefix,
        allowed: 'the prefix ABOVE the partition folders (a key=value segment would make the crawler miss that partition column)',
      });
    });
    Validate.resourceName(this, 'crawlerName', props.crawlerName, GlueLimits.RESOURCE_NAME);
    Validate.resourceName(this, 'tablePrefix', props.tablePrefix, GlueLimits.TABLE_PREFIX);
    glueSchedule(this, 'schedule', props.schedule);
    if (recrawl === RecrawlBehavior.CRAWL_NEW_FOLDERS_ONLY) {
      Validate.that(this, update === CrawlerUpdateBehavior.LOG && del === CrawlerDeleteBehavior.LOG, {
        prop: 'recrawlBehavior',
        value: `${recrawl} with updateBehavior ${update} and deleteBehavior ${del}`,
        allowed: 'CRAWL_NEW_FOLDERS_ONLY only with updateBehavior LOG and deleteBehavior LOG (Glue rule for incremental crawls)',
      });
    }
  }
}
