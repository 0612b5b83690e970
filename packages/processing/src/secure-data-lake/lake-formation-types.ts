import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/** A Lake Formation permission (the API's `Permission` values). */
export enum LakePermission {
  /** Every permission that applies to the resource (super-user on it). */
  ALL = 'ALL',
  /** Read rows (tables, columns, data cells filters). */
  SELECT = 'SELECT',
  /** Change the definition (databases, tables, LF-tags). */
  ALTER = 'ALTER',
  /** Delete the resource. */
  DROP = 'DROP',
  /** Delete data (governed writes; tables). */
  DELETE = 'DELETE',
  /** Insert data (tables). */
  INSERT = 'INSERT',
  /** See the metadata. */
  DESCRIBE = 'DESCRIBE',
  /** Create databases in the catalog. */
  CREATE_DATABASE = 'CREATE_DATABASE',
  /** Create tables in a database. */
  CREATE_TABLE = 'CREATE_TABLE',
  /** Create catalog resources that point at a registered S3 location. */
  DATA_LOCATION_ACCESS = 'DATA_LOCATION_ACCESS',
  /** Associate an LF-tag with resources. */
  ASSOCIATE = 'ASSOCIATE',
  /** Grant permissions with an LF-tag expression. */
  GRANT_WITH_LF_TAG_EXPRESSION = 'GRANT_WITH_LF_TAG_EXPRESSION',
}

/** What `AWS::LakeFormation::DataLakeSettings` does with the account's current settings. */
export enum LakeSettingsMutation {
  /**
   * The template's settings replace the account's (CloudFormation's and the
   * PutDataLakeSettings API's historical behaviour): every administrator not listed is removed.
   */
  REPLACE = 'REPLACE',
  /** The template's values are added to the account's current settings; nobody is removed. */
  APPEND = 'APPEND',
}

/** The catalog resource type an LF-tag expression grant applies to. */
export enum LakeTagResourceType {
  /** Databases whose LF-tags match. */
  DATABASE = 'DATABASE',
  /** Tables (and their columns) whose LF-tags match. */
  TABLE = 'TABLE',
}

/** Kinds of {@link LakePrincipal}. */
export enum LakePrincipalKind {
  /** An IAM role or user of this or another account. */
  IAM = 'IAM',
  /** A whole AWS account (cross-account sharing). */
  ACCOUNT = 'ACCOUNT',
}

/** Who receives Lake Formation permissions (or becomes a data lake administrator). */
export class LakePrincipal {
  /** An IAM role; IAM permissions it needs (`lakeformation:GetDataAccess`) can be added to it. */
  public static fromRole(role: iam.IRole): LakePrincipal {
    return new LakePrincipal(LakePrincipalKind.IAM, role.roleArn, role);
  }

  /** An IAM role or user by ARN (`arn:aws:iam::<account>:role/<name>` or `:user/<name>`). */
  public static fromArn(arn: string): LakePrincipal {
    return new LakePrincipal(LakePrincipalKind.IAM, arn);
  }

  /**
   * Another AWS account (12 digits): cross-account sharing. Lake Formation shares the
   * resource through AWS RAM; that account's data lake administrator accepts the share
   * (automatic inside the same AWS Organization), creates a resource link, and grants to its own principals.
   */
  public static account(accountId: string): LakePrincipal {
    return new LakePrincipal(LakePrincipalKind.ACCOUNT, accountId);
  }

  /** What kind of principal this is. */
  public readonly kind: LakePrincipalKind;
  /** The `DataLakePrincipalIdentifier`: an IAM ARN or an account id. */
  public readonly identifier: string;
  /** The IAM grantable, when built from a role. */
  public readonly grantable?: iam.IGrantable;

  private constructor(kind: LakePrincipalKind, identifier: string, grantable?: iam.IGrantable) {
    this.kind = kind;
    this.identifier = identifier;
    this.grantable = grantable;
  }
}

/** Kinds of {@link LakeResource}. */
export enum LakeResourceKind {
  /** A database. */
  DATABASE = 'DATABASE',
  /** One table. */
  TABLE = 'TABLE',
  /** Every table of a database. */
  ALL_TABLES = 'ALL_TABLES',
  /** Some columns of a table (SELECT only). */
  COLUMNS = 'COLUMNS',
  /** Every column of a table but some (SELECT only). */
  COLUMNS_EXCEPT = 'COLUMNS_EXCEPT',
  /** A data cells filter (row and cell-level security). */
  DATA_CELLS_FILTER = 'DATA_CELLS_FILTER',
  /** An LF-tag key and some of its values. */
  TAG_KEY = 'TAG_KEY',
  /** Every database or table whose LF-tags match an expression (LF-TBAC). */
  TAG_EXPRESSION = 'TAG_EXPRESSION',
  /** The S3 location registered by the construct. */
  DATA_LOCATION = 'DATA_LOCATION',
}

/** An LF-tag condition: the key and the values that match (any of them). */
export interface LakeTagCondition {
  /** LF-tag key, declared in the construct's `tags`. */
  readonly key: string;
  /** Values that match; each declared for the key. */
  readonly values: string[];
}

/** One LF-tag value assigned to a resource (a resource has at most one value per key). */
export interface LakeTagValue {
  /** LF-tag key, declared in the construct's `tags`. */
  readonly key: string;
  /** The value, declared for the key. */
  readonly value: string;
}

/** A Data Catalog resource that permissions or LF-tags apply to. */
export class LakeResource {
  /** A database. */
  public static database(databaseName: string): LakeResource {
    return new LakeResource(LakeResourceKind.DATABASE, { databaseName });
  }

  /** One table (must be described in the construct's `tables`). */
  public static table(databaseName: string, tableName: string): LakeResource {
    return new LakeResource(LakeResourceKind.TABLE, { databaseName, tableName });
  }

  /** Every table of a database, present and future (`TableWildcard`). */
  public static allTables(databaseName: string): LakeResource {
    return new LakeResource(LakeResourceKind.ALL_TABLES, { databaseName });
  }

  /** Some columns of a table: column-level security (SELECT only). */
  public static columns(databaseName: string, tableName: string, columnNames: string[]): LakeResource {
    return new LakeResource(LakeResourceKind.COLUMNS, { databaseName, tableName, columnNames });
  }

  /** Every column of a table except these (SELECT only), e.g. everything but the PII columns. */
  public static columnsExcept(databaseName: string, tableName: string, excludedColumnNames: string[]): LakeResource {
    return new LakeResource(LakeResourceKind.COLUMNS_EXCEPT, { databaseName, tableName, columnNames: excludedColumnNames });
  }

  /** A data cells filter declared in the construct's `dataCellsFilters`. */
  public static dataCellsFilter(databaseName: string, tableName: string, filterName: string): LakeResource {
    return new LakeResource(LakeResourceKind.DATA_CELLS_FILTER, { databaseName, tableName, name: filterName });
  }

  /** An LF-tag key and values (grant DESCRIBE or ASSOCIATE to let a data steward tag resources). */
  public static tagKey(key: string, values: string[]): LakeResource {
    return new LakeResource(LakeResourceKind.TAG_KEY, { conditions: [{ key, values }] });
  }

  /**
   * Every database or table whose LF-tags match all the conditions (LF-TBAC). New resources
   * that are tagged later match too, with no new grant.
   */
  public static tagExpression(resourceType: LakeTagResourceType, conditions: LakeTagCondition[]): LakeResource {
    return new LakeResource(LakeResourceKind.TAG_EXPRESSION, { resourceType, conditions });
  }

  /** The S3 location the construct registers (DATA_LOCATION_ACCESS, for crawlers and ETL jobs that create tables there). */
  public static dataLocation(): LakeResource {
    return new LakeResource(LakeResourceKind.DATA_LOCATION, {});
  }

  /** What kind of resource this is. */
  public readonly kind: LakeResourceKind;
  /** Database name (database, table, column and filter resources). */
  public readonly databaseName?: string;
  /** Table name (table, column and filter resources). */
  public readonly tableName?: string;
  /** Columns (included for COLUMNS, excluded for COLUMNS_EXCEPT). */
  public readonly columnNames?: string[];
  /** Data cells filter name. */
  public readonly name?: string;
  /** LF-tag conditions (TAG_KEY: one; TAG_EXPRESSION: all must match). */
  public readonly conditions?: LakeTagCondition[];
  /** Resource type of a tag expression. */
  public readonly resourceType?: LakeTagResourceType;

  private constructor(kind: LakeResourceKind, fields: LakeResourceFields) {
    this.kind = kind;
    this.databaseName = fields.databaseName;
    this.tableName = fields.tableName;
    this.columnNames = fields.columnNames;
    this.name = fields.name;
    this.conditions = fields.conditions;
    this.resourceType = fields.resourceType;
  }

  /** A short description for error messages, e.g. `table sales.orders`. */
  public describe(): string {
    switch (this.kind) {
      case LakeResourceKind.DATABASE: return `database ${this.databaseName}`;
      case LakeResourceKind.TABLE: return `table ${this.databaseName}.${this.tableName}`;
      case LakeResourceKind.ALL_TABLES: return `all tables of ${this.databaseName}`;
      case LakeResourceKind.COLUMNS: return `columns ${this.columnNames?.join(', ')} of ${this.databaseName}.${this.tableName}`;
      case LakeResourceKind.COLUMNS_EXCEPT: return `columns of ${this.databaseName}.${this.tableName} except ${this.columnNames?.join(', ')}`;
      case LakeResourceKind.DATA_CELLS_FILTER: return `data cells filter ${this.name} on ${this.databaseName}.${this.tableName}`;
      case LakeResourceKind.TAG_KEY: return `LF-tag ${this.conditions?.[0]?.key}`;
      case LakeResourceKind.TAG_EXPRESSION: return `${this.resourceType} resources tagged ${JSON.stringify(this.conditions)}`;
      default: return 'the registered data location';
    }
  }
}

interface LakeResourceFields {
  readonly databaseName?: string;
  readonly tableName?: string;
  readonly columnNames?: string[];
  readonly name?: string;
  readonly conditions?: LakeTagCondition[];
  readonly resourceType?: LakeTagResourceType;
}

/** A column of a table description. */
export interface LakeColumn {
  /** Column name (Glue stores lower case). */
  readonly name: string;
  /** Hive/Glue type, e.g. `string`, `bigint`, `timestamp`. */
  readonly type: string;
  /**
   * Comment.
   * @default - none
   */
  readonly comment?: string;
}

/**
 * What the construct needs to know about a table it governs: its schema, to validate
 * column grants, column tags and filters at synth time. The table itself is created
 * elsewhere (a `DataLakeTable`, a crawler, or an ETL job).
 */
export interface LakeTableDescription {
  /** Database of the table. */
  readonly databaseName: string;
  /** Table name. */
  readonly tableName: string;
  /** Data columns. */
  readonly columns: LakeColumn[];
  /**
   * Partition columns (also valid targets of column grants and filters).
   * @default - none
   */
  readonly partitionKeys?: LakeColumn[];
  /**
   * The construct that creates the table in this app (e.g. a `DataLakeTable` or its
   * `CfnTable`): LF-tags, grants and filters on the table are deployed after it.
   * @default - the table is created outside this app (or by a crawler)
   */
  readonly createdBy?: IConstruct;
}

/** A database the construct creates (Glue database, notes step 5). */
export interface LakeDatabase {
  /** Name: lower-case letters, digits and "_" (Glue/Athena rules), 1-255 characters. */
  readonly name: string;
  /**
   * Description.
   * @default - generated
   */
  readonly description?: string;
  /**
   * S3 location of the database (`s3://bucket/prefix/`).
   * @default - none
   */
  readonly locationUri?: string;
}

/** An LF-tag: a key and the values it can take. */
export interface LakeTagDefinition {
  /** Key: 1-128 characters (letters, digits, spaces and `_.:/=+-@%`). */
  readonly key: string;
  /** Allowed values: 1-50 per key in one definition, each 1-256 characters. */
  readonly values: string[];
}

/** LF-tags assigned to a database, a table or some columns. */
export interface LakeTagAssociation {
  /** `LakeResource.database()`, `.table()` or `.columns()`. */
  readonly resource: LakeResource;
  /** One value per key. */
  readonly tags: LakeTagValue[];
}

/** A Lake Formation grant. */
export interface LakeGrant {
  /** Who receives the permissions. */
  readonly principal: LakePrincipal;
  /** On what. */
  readonly resource: LakeResource;
  /** The permissions. */
  readonly permissions: LakePermission[];
  /**
   * Permissions the principal may grant on to others (a subset of `permissions`).
   * Cross-account grants usually pass the permissions again so the recipient's
   * administrator can grant them to its own principals.
   * @default - none
   */
  readonly grantablePermissions?: LakePermission[];
}

/** A data cells filter: row-level (PartiQL predicate) and column-level security on one table. */
export interface LakeDataCellsFilter {
  /** Filter name, unique per table, 1-255 characters. */
  readonly name: string;
  /** Database of the table (described in `tables`). */
  readonly databaseName: string;
  /** Table (described in `tables`). */
  readonly tableName: string;
  /**
   * PartiQL predicate on the rows, e.g. `region = 'eu'`; columns it compares must exist.
   * @default - all rows
   */
  readonly rowFilterExpression?: string;
  /**
   * Only these columns are visible.
   * @default - all columns (minus `excludedColumnNames`)
   */
  readonly columnNames?: string[];
  /**
   * All columns but these are visible (cannot be combined with `columnNames`).
   * @default - none excluded
   */
  readonly excludedColumnNames?: string[];
}
