// Internal helper of SecureDataLake (not exported from the package index): what the props
// declare (databases, tables, LF-tags, filters) and the checks of everything that names them.
import { GlueLimits, LakeFormationLimits, Validate } from '@analytics-patterns/core';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  LakeDataCellsFilter, LakeGrant, LakePermission, LakePrincipal, LakePrincipalKind, LakeResource, LakeResourceKind,
  LakeTableDescription, LakeTagCondition, LakeTagResourceType,
} from './lake-formation-types';
import { columnsOf, referencedColumns } from './lake-internals';
import { SecureDataLakeProps } from './secure-data-lake-props';

const ACCOUNT = '^\\d{12}$';
const IAM_ARN = '^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/[\\w+=,.@/-]+$';
const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+(/[A-Za-z0-9!_.*\'()=-]+)*)?$';
/** Columns of one table description: this library's bound (Glue limits table metadata by size). */
const MAX_COLUMNS = 10_000;

const P = LakePermission;
/** Permissions Lake Formation accepts on each kind of resource. */
const DATABASE_PERMISSIONS = [P.ALL, P.ALTER, P.CREATE_TABLE, P.DESCRIBE, P.DROP];
const TABLE_PERMISSIONS = [P.ALL, P.ALTER, P.DELETE, P.DESCRIBE, P.DROP, P.INSERT, P.SELECT];
const ALLOWED: Record<string, LakePermission[]> = {
  [LakeResourceKind.DATABASE]: DATABASE_PERMISSIONS,
  [LakeResourceKind.TABLE]: TABLE_PERMISSIONS,
  [LakeResourceKind.ALL_TABLES]: TABLE_PERMISSIONS,
  [LakeResourceKind.COLUMNS]: [P.SELECT],
  [LakeResourceKind.COLUMNS_EXCEPT]: [P.SELECT],
  [LakeResourceKind.DATA_CELLS_FILTER]: [P.SELECT, P.DESCRIBE, P.DROP],
  [LakeResourceKind.TAG_KEY]: [P.DESCRIBE, P.ASSOCIATE, P.ALTER, P.DROP, P.GRANT_WITH_LF_TAG_EXPRESSION],
  [LakeResourceKind.DATA_LOCATION]: [P.DATA_LOCATION_ACCESS],
};

/** The databases, tables, LF-tags and filters a SecureDataLake declares, and the checks against them. */
export class LakeDeclarations {
  private readonly tagValues = new Map<string, string[]>();
  private readonly databaseNames = new Set<string>();
  private readonly tableSchemas = new Map<string, LakeTableDescription>();
  private readonly filterNames = new Set<string>();

  constructor(private readonly scope: IConstruct) {}

  /** The table described for `database.table`, if any. */
  public table(databaseName: string, tableName: string): LakeTableDescription | undefined {
    return this.tableSchemas.get(`${databaseName}.${tableName}`);
  }

  /** Records a data cells filter (after `validateFilter`). */
  public addFilter(f: LakeDataCellsFilter): void {
    this.filterNames.add(`${f.databaseName}.${f.tableName}.${f.name}`);
  }

  /** Checks the settings, databases, tables and LF-tags of the props, and records them. */
  public declare(props: SecureDataLakeProps): void {
    const s = this.scope;
    Validate.that(s, props.admins.length > 0, {
      prop: 'admins',
      value: [],
      allowed: 'at least one data lake administrator (an IAM role or user)',
      hint: 'Lake Formation needs a named administrator who can grant and revoke; the CDK execution role alone is a deployment identity, not a person.',
    });
    props.admins.forEach((a, i) => this.validateAdmin(`admins[${i}]`, a));
    (props.readOnlyAdmins ?? []).forEach((a, i) => this.validateAdmin(`readOnlyAdmins[${i}]`, a));
    Validate.unique(s, 'admins', props.admins.map((a) => a.identifier).filter((x) => !Token.isUnresolved(x)));
    Validate.number(s, props.crossAccountVersion, { prop: 'crossAccountVersion', ...LakeFormationLimits.CROSS_ACCOUNT_VERSION });
    if (props.locationPrefix !== undefined) {
      Validate.pattern(s, 'locationPrefix', PREFIX, 'an S3 prefix without leading or trailing "/" (letters, digits and !_.*\'()=-), or "" for the whole bucket', props.locationPrefix);
    }
    this.declareDatabases(props);
    this.declareTables(props);
    this.declareTags(props);
  }

  private declareDatabases(props: SecureDataLakeProps): void {
    const s = this.scope;
    for (const [i, db] of (props.databases ?? []).entries()) {
      Validate.resourceName(s, `databases[${i}].name`, db.name, GlueLimits.DATABASE_NAME);
      if (db.locationUri !== undefined) {
        Validate.pattern(s, `databases[${i}].locationUri`, '^s3://[a-z0-9.-]{3,63}(/.*)?$', 'an s3://bucket/prefix URI', db.locationUri);
      }
    }
    const all = [
      ...(props.databases ?? []).map((d) => d.name),
      ...(props.existingDatabases ?? []).map((d) => d.databaseName),
      ...(props.existingDatabaseNames ?? []),
    ];
    Validate.unique(s, 'databases[].name + existingDatabaseNames', all);
    (props.existingDatabaseNames ?? []).forEach((n, i) => Validate.resourceName(s, `existingDatabaseNames[${i}]`, n, GlueLimits.DATABASE_NAME));
    all.forEach((d) => this.databaseNames.add(d));
  }

  private declareTables(props: SecureDataLakeProps): void {
    const s = this.scope;
    for (const [i, t] of (props.tables ?? []).entries()) {
      const prop = `tables[${i}]`;
      this.requireDatabase(`${prop}.databaseName`, t.databaseName);
      Validate.resourceName(s, `${prop}.tableName`, t.tableName, GlueLimits.TABLE_NAME);
      Validate.count(s, `${prop}.columns`, 1, MAX_COLUMNS, t.columns);
      Validate.unique(s, `${prop}.columns[].name`, columnsOf(t));
      const key = `${t.databaseName}.${t.tableName}`;
      Validate.that(s, !this.tableSchemas.has(key), { prop: `${prop}.tableName`, value: key, allowed: 'a table described once' });
      this.tableSchemas.set(key, t);
    }
  }

  private declareTags(props: SecureDataLakeProps): void {
    const s = this.scope;
    Validate.unique(s, 'tags[].key', (props.tags ?? []).map((t) => t.key));
    const values = LakeFormationLimits.TAG_VALUES;
    for (const [i, t] of (props.tags ?? []).entries()) {
      Validate.that(s, new RegExp(LakeFormationLimits.TAG_KEY_PATTERN, 'u').test(t.key), { prop: `tags[${i}].key`, value: t.key, allowed: '1-128 characters: letters, digits, spaces and _.:/=+-@%' });
      Validate.count(s, `tags[${i}].values`, values.min, values.max, t.values);
      Validate.unique(s, `tags[${i}].values`, t.values);
      t.values.forEach((v, j) => Validate.that(s, new RegExp(LakeFormationLimits.TAG_VALUE_PATTERN, 'u').test(v), {
        prop: `tags[${i}].values[${j}]`, value: v, allowed: '1-256 characters: letters, digits, spaces and _.:*/=+-@%',
      }));
      this.tagValues.set(t.key, t.values);
    }
  }

  private validateAdmin(prop: string, a: LakePrincipal): void {
    Validate.that(this.scope, a.kind === LakePrincipalKind.IAM, {
      prop, value: a.identifier, allowed: 'an IAM role or user (an account cannot be a data lake administrator)',
    });
    Validate.pattern(this.scope, prop, IAM_ARN, 'an IAM role or user ARN (arn:<partition>:iam::<12-digit account>:role/<name> or :user/<name>)', a.identifier);
  }

  /** Checks a grant: principal, resource (declared), permissions that apply to it. */
  public validateGrant(grant: LakeGrant, prop: string): void {
    const s = this.scope;
    const p = grant.principal;
    if (p.kind === LakePrincipalKind.ACCOUNT) {
      Validate.pattern(s, `${prop}.principal`, ACCOUNT, 'a 12-digit AWS account id', p.identifier);
      const account = Stack.of(s).account;
      Validate.that(s, Token.isUnresolved(account) || p.identifier !== account, {
        prop: `${prop}.principal`, value: p.identifier, allowed: 'another account than the data lake\'s own (grant to IAM principals of this account instead)',
      });
      Validate.that(s, grant.resource.kind !== LakeResourceKind.DATA_LOCATION, {
        prop: `${prop}.resource`, value: grant.resource.describe(), allowed: 'a catalog resource (data locations are not shared across accounts by this construct)',
      });
    } else {
      Validate.pattern(s, `${prop}.principal`, IAM_ARN, 'an IAM role or user ARN', p.identifier);
    }
    this.validateResourceTarget(grant.resource, `${prop}.resource`);
    Validate.count(s, `${prop}.permissions`, LakeFormationLimits.PERMISSIONS.min, LakeFormationLimits.PERMISSIONS.max, grant.permissions);
    const allowed = grant.resource.kind === LakeResourceKind.TAG_EXPRESSION
      ? (grant.resource.resourceType === LakeTagResourceType.DATABASE ? DATABASE_PERMISSIONS : TABLE_PERMISSIONS)
      : ALLOWED[grant.resource.kind];
    for (const perm of grant.permissions) {
      Validate.that(s, allowed.includes(perm), { prop: `${prop}.permissions`, value: perm, allowed: `permissions that apply to ${grant.resource.describe()}: ${allowed.join(', ')}` });
    }
    for (const perm of grant.grantablePermissions ?? []) {
      Validate.that(s, grant.permissions.includes(perm), { prop: `${prop}.grantablePermissions`, value: perm, allowed: `a subset of permissions (${grant.permissions.join(', ')})` });
    }
  }

  /** Checks that the database, table, columns, filter or tags a resource names are declared. */
  public validateResourceTarget(r: LakeResource, prop: string): void {
    if (r.kind === LakeResourceKind.TAG_KEY || r.kind === LakeResourceKind.TAG_EXPRESSION) {
      this.validateConditions(r.conditions!, prop);
      return;
    }
    if (r.kind === LakeResourceKind.DATA_LOCATION) return;
    this.requireDatabase(`${prop}.databaseName`, r.databaseName!);
    if (r.kind === LakeResourceKind.DATABASE || r.kind === LakeResourceKind.ALL_TABLES) return;
    const table = this.requireTable(prop, r.databaseName!, r.tableName!);
    if (r.kind === LakeResourceKind.COLUMNS || r.kind === LakeResourceKind.COLUMNS_EXCEPT) {
      Validate.count(this.scope, `${prop}.columnNames`, 1, MAX_COLUMNS, r.columnNames);
      Validate.unique(this.scope, `${prop}.columnNames`, r.columnNames);
      this.requireColumns(`${prop}.columnNames`, table, r.columnNames!);
    }
    if (r.kind === LakeResourceKind.DATA_CELLS_FILTER) {
      Validate.that(this.scope, this.filterNames.has(`${r.databaseName}.${r.tableName}.${r.name}`), {
        prop: `${prop}.name`, value: r.name, allowed: `a filter declared in dataCellsFilters for ${r.databaseName}.${r.tableName}`,
      });
    }
  }

  private validateConditions(conditions: LakeTagCondition[], prop: string): void {
    const tags = LakeFormationLimits.TAGS_PER_CALL;
    Validate.count(this.scope, `${prop}.conditions`, tags.min, tags.max, conditions);
    Validate.unique(this.scope, `${prop}.conditions[].key`, conditions.map((c) => c.key));
    conditions.forEach((c, j) => {
      Validate.count(this.scope, `${prop}.conditions[${j}].values`, LakeFormationLimits.TAG_VALUES.min, LakeFormationLimits.TAG_VALUES.max, c.values);
      this.validateTagValues(`${prop}.conditions[${j}]`, c.key, c.values);
    });
  }

  /** Checks that `key` is a declared LF-tag and `values` are declared for it. */
  public validateTagValues(prop: string, key: string, values: string[]): void {
    const declared = this.tagValues.get(key);
    Validate.that(this.scope, declared !== undefined, {
      prop: `${prop}.key`, value: key, allowed: `an LF-tag key declared in tags (${[...this.tagValues.keys()].join(', ') || 'none declared'})`,
    });
    for (const v of values) {
      Validate.that(this.scope, declared!.includes(v), { prop: `${prop}.values`, value: v, allowed: `a value declared for LF-tag "${key}" (${declared!.join(', ')})` });
    }
  }

  /** Checks a data cells filter against the table it filters. */
  public validateFilter(f: LakeDataCellsFilter, prop: string): LakeTableDescription {
    const s = this.scope;
    Validate.pattern(s, `${prop}.name`, LakeFormationLimits.FILTER_NAME_PATTERN, '1-255 characters on one line', f.name);
    Validate.that(s, !this.filterNames.has(`${f.databaseName}.${f.tableName}.${f.name}`), {
      prop: `${prop}.name`, value: f.name, allowed: `a name not already used by another filter on ${f.databaseName}.${f.tableName}`,
    });
    const table = this.requireTable(prop, f.databaseName, f.tableName);
    Validate.that(s, !(f.columnNames && f.excludedColumnNames), { prop: `${prop}.columnNames`, value: f.columnNames, allowed: 'either columnNames or excludedColumnNames, not both' });
    if (f.columnNames) {
      Validate.count(s, `${prop}.columnNames`, 1, MAX_COLUMNS, f.columnNames);
      this.requireColumns(`${prop}.columnNames`, table, f.columnNames);
    }
    if (f.excludedColumnNames) this.requireColumns(`${prop}.excludedColumnNames`, table, f.excludedColumnNames);
    if (f.rowFilterExpression !== undefined) this.validateRowFilter(`${prop}.rowFilterExpression`, table, f.rowFilterExpression);
    return table;
  }

  private validateRowFilter(prop: string, table: LakeTableDescription, expr: string): void {
    const max = LakeFormationLimits.ROW_FILTER_LENGTH.max;
    Validate.that(this.scope, expr.trim().length > 0 && expr.length <= max, {
      prop, value: expr, allowed: `a non-empty PartiQL predicate of at most ${max} characters (omit it for all rows)`,
    });
    for (const column of referencedColumns(expr)) {
      Validate.that(this.scope, columnsOf(table).includes(column), {
        prop, value: expr, allowed: `a predicate on columns of ${table.databaseName}.${table.tableName} (${columnsOf(table).join(', ')}); "${column}" is not one`,
      });
    }
  }

  private requireDatabase(prop: string, databaseName: string): void {
    Validate.that(this.scope, this.databaseNames.has(databaseName), {
      prop, value: databaseName, allowed: `a database declared in databases or existingDatabaseNames (${[...this.databaseNames].join(', ') || 'none declared'})`,
    });
  }

  private requireTable(prop: string, databaseName: string, tableName: string): LakeTableDescription {
    const table = this.table(databaseName, tableName);
    Validate.that(this.scope, table !== undefined, {
      prop: `${prop}.tableName`,
      value: `${databaseName}.${tableName}`,
      allowed: `a table described in tables (${[...this.tableSchemas.keys()].join(', ') || 'none described'}), so its columns can be checked`,
    });
    return table!;
  }

  private requireColumns(prop: string, table: LakeTableDescription, columns: string[]): void {
    const known = columnsOf(table);
    for (const c of columns) {
      Validate.that(this.scope, known.includes(c), { prop, value: c, allowed: `columns of ${table.databaseName}.${table.tableName}: ${known.join(', ')}` });
    }
  }
}
