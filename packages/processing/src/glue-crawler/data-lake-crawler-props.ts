import { IDataLakeDatabase } from '@analytics-patterns/storage';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { GlueSecurityConfiguration } from './glue-security-configuration';

/** What the crawler does when a table's schema changed. */
export enum CrawlerUpdateBehavior {
  /** Update the table definition in the catalog. */
  UPDATE_IN_DATABASE = 'UPDATE_IN_DATABASE',
  /** Only log the change; the catalog keeps the old schema. */
  LOG = 'LOG',
}

/** What the crawler does when a table's data is gone. */
export enum CrawlerDeleteBehavior {
  /** Only log it (the table stays). */
  LOG = 'LOG',
  /** Mark the table as deprecated in the catalog. */
  DEPRECATE_IN_DATABASE = 'DEPRECATE_IN_DATABASE',
  /** Delete the table from the catalog. */
  DELETE_FROM_DATABASE = 'DELETE_FROM_DATABASE',
}

/** Which folders a crawler reads on each run. */
export enum RecrawlBehavior {
  /** Crawl every folder each time. */
  CRAWL_EVERYTHING = 'CRAWL_EVERYTHING',
  /**
   * Incremental: only folders added since the last run (new partitions). Requires
   * UpdateBehavior and DeleteBehavior LOG: schema changes are then not applied.
   */
  CRAWL_NEW_FOLDERS_ONLY = 'CRAWL_NEW_FOLDERS_ONLY',
}

/** An S3 path the crawler reads. */
export interface CrawlerS3Target {
  /** Bucket of the data. */
  readonly bucket: s3.IBucket;
  /**
   * Prefix of the table's data, ending with "/", above the partition folders
   * (e.g. `events/` for `events/year=2024/month=01/...`): each folder below it
   * with the same schema becomes a partition of one table.
   */
  readonly prefix: string;
  /**
   * Glob patterns of keys to skip, relative to the prefix (e.g. `**\/_temporary/**`).
   * @default - none
   */
  readonly exclusions?: string[];
}

/** Props for {@link DataLakeCrawler}. */
export interface DataLakeCrawlerProps {
  /** Database the crawler writes tables to. */
  readonly database: IDataLakeDatabase;
  /** S3 paths to crawl (1-100: this library's bound; read-only access to exactly these prefixes). */
  readonly targets: CrawlerS3Target[];
  /**
   * Crawler name (1-255 characters on one line).
   * @default - generated from the construct path
   */
  readonly crawlerName?: string;
  /**
   * Schedule of the crawler itself, checked with Glue's rules: `cron(...)` only, in UTC, at
   * most every 5 minutes (e.g. `ScheduleExpression.cron({ minute: '15' })`). Leave it out when
   * a {@link CatalogAndTransformWorkflow} starts the crawler.
   * @default - no schedule (on demand or from a workflow trigger)
   */
  readonly schedule?: scheduler.ScheduleExpression;
  /**
   * What to do when a schema changed.
   * @default CrawlerUpdateBehavior.UPDATE_IN_DATABASE
   */
  readonly updateBehavior?: CrawlerUpdateBehavior;
  /**
   * What to do when data was deleted. The default never deletes catalog tables.
   * @default CrawlerDeleteBehavior.LOG
   */
  readonly deleteBehavior?: CrawlerDeleteBehavior;
  /**
   * Which folders to crawl on each run.
   * @default RecrawlBehavior.CRAWL_EVERYTHING
   */
  readonly recrawlBehavior?: RecrawlBehavior;
  /**
   * Prefix of the names of tables the crawler creates (the role may only
   * create/update tables with this prefix).
   * @default - none
   */
  readonly tablePrefix?: string;
  /**
   * Combine folders with compatible schemas into one table, with partitions
   * inheriting the table's schema (so `year=/month=/` folders become partitions, not tables).
   * @default true
   */
  readonly combineCompatibleSchemas?: boolean;
  /**
   * Key that encrypts the crawled objects (the role may decrypt through S3 only), and the
   * key of the security configuration created when none is given.
   * @default - each target bucket's own key, if it exposes one
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Security configuration (encrypted CloudWatch logs).
   * @default - a new GlueSecurityConfiguration with `encryptionKey` (or the first target's key, or a new key)
   */
  readonly securityConfiguration?: GlueSecurityConfiguration;
  /**
   * Allow the role to get Lake Formation temporary credentials
   * (`lakeformation:GetDataAccess`) for locations registered with Lake Formation.
   * @default false
   */
  readonly lakeFormationGoverned?: boolean;
}
