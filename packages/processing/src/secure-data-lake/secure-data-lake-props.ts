import { IDataLakeDatabase } from '@analytics-patterns/storage';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  LakeDatabase, LakeDataCellsFilter, LakeGrant, LakePrincipal, LakeSettingsMutation,
  LakeTableDescription, LakeTagAssociation, LakeTagDefinition,
} from './lake-formation-types';

/** Props for {@link SecureDataLake}. */
export interface SecureDataLakeProps {
  /**
   * Data lake administrators (IAM roles or users; not accounts). At least one.
   *
   * With the default `settingsMutation` (REPLACE), CloudFormation's `DataLakeSettings`
   * REPLACES the account's administrator list: list every administrator who must stay
   * one (read the current list with `aws lakeformation get-data-lake-settings` first).
   * The CDK deployment role is added on its own (see `includeCdkExecutionRole`).
   */
  readonly admins: LakePrincipal[];

  /**
   * Read-only administrators (can see every resource and permission, change nothing).
   * @default - none
   */
  readonly readOnlyAdmins?: LakePrincipal[];

  /**
   * Add the CDK bootstrap CloudFormation execution role (`cdk-<qualifier>-cfn-exec-role-...`)
   * to the administrators. CloudFormation creates the LF-tags, grants and filters of this
   * construct with that role, so it must stay an administrator; without it the next
   * deployment fails. Set to false only if another listed admin deploys the stack
   * (a custom synthesizer) and list that role in `admins`.
   * @default true
   */
  readonly includeCdkExecutionRole?: boolean;

  /**
   * How the settings are applied to the account's current data lake settings.
   * REPLACE makes the template the single source of truth (administrators not listed are removed);
   * APPEND only adds. The data lake settings are one per account and region: deploy one
   * SecureDataLake per account and region.
   * @default LakeSettingsMutation.REPLACE
   */
  readonly settingsMutation?: LakeSettingsMutation;

  /**
   * Cross-account sharing version (`CrossAccountVersion` parameter, 1-4). Version 4
   * shares through AWS RAM with fewer RAM shares and supports hybrid access.
   * @default 4
   */
  readonly crossAccountVersion?: number;

  /** The bucket of the data lake, registered with Lake Formation. */
  readonly bucket: s3.IBucket;

  /**
   * Prefix registered (without leading or trailing "/"); empty registers the whole bucket.
   * @default '' (the whole bucket)
   */
  readonly locationPrefix?: string;

  /**
   * Customer-managed key of the Data Catalog encryption (and of the bucket's objects,
   * when the bucket does not expose its own key).
   * @default - the bucket's key, else a new DataKey
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Encrypt the account's Glue Data Catalog (metadata and connection passwords) with
   * `encryptionKey`, through a dedicated service role Glue assumes (callers then need no
   * KMS permission). The catalog encryption settings are one per account and region.
   * @default true
   */
  readonly encryptCatalog?: boolean;

  /**
   * Databases to create (Glue databases governed by Lake Formation).
   * @default - none
   */
  readonly databases?: LakeDatabase[];

  /**
   * Databases created by other constructs of this app (e.g. `DataLakeDatabase`). Those in
   * this stack are deployed after the data lake settings, so they never receive the
   * IAMAllowedPrincipals default grant; LF resources that name them are deployed after them.
   * @default - none
   */
  readonly existingDatabases?: IDataLakeDatabase[];

  /**
   * Names of databases that already exist (created elsewhere) and are governed here.
   * @default - none
   */
  readonly existingDatabaseNames?: string[];

  /**
   * Databases created outside this stack (every `existingDatabaseNames` entry, and
   * `existingDatabases` that are imported or belong to another stack) on which you have
   * revoked the `IAMAllowedPrincipals` permissions: ALL on the database, on each of its tables,
   * and the database's default permissions for new tables.
   *
   * Lake Formation gives those permissions to databases and tables created while the account
   * still used IAM-only access control (the default). As long as they exist, any IAM principal
   * with Glue and S3 permissions bypasses this construct's grants, column grants and data cells
   * filters on that database. CloudFormation cannot revoke them
   * (`AWS::LakeFormation::PrincipalPermissions` only grants), so this construct refuses to
   * synthesize until each such database is listed here, as a record that it was done (see the
   * package README for the commands).
   * @default - none (synthesis fails if a database is created outside this stack)
   */
  readonly iamAllowedPrincipalsRevokedOn?: string[];

  /**
   * Schemas of the governed tables: column grants, column LF-tags and filters are
   * validated against them at synth time.
   * @default - none
   */
  readonly tables?: LakeTableDescription[];

  /**
   * LF-tags (keys and allowed values).
   * @default - none
   */
  readonly tags?: LakeTagDefinition[];

  /**
   * LF-tags assigned to databases, tables and columns.
   * @default - none
   */
  readonly tagAssociations?: LakeTagAssociation[];

  /**
   * Data cells filters (row and cell-level security).
   * @default - none
   */
  readonly dataCellsFilters?: LakeDataCellsFilter[];

  /**
   * Grants: named resources (database, table, columns, filters, location) or LF-tag expressions.
   * More can be added with `grant()`, `grantCrawler()` and `grantEtlJob()`.
   * @default - none
   */
  readonly grants?: LakeGrant[];
}
