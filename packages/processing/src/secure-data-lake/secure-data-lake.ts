import { CustomerManagedPolicies, LakeFormationLimits, NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { DataLakeDatabase, DataLakeTable, IDataLakeDatabase } from '@analytics-patterns/storage';
import { CfnResource, DefaultStackSynthesizer, Fn, Stack, Tokenization } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lf from 'aws-cdk-lib/aws-lakeformation';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { LakeDeclarations } from './lake-declarations';
import {
  LakeDataCellsFilter, LakeGrant, LakePermission, LakePrincipal, LakeResource, LakeResourceKind, LakeSettingsMutation,
  LakeTableDescription, LakeTagAssociation,
} from './lake-formation-types';
import { associationId, associationResource, grantId, permissionsResource } from './lake-resources';
import { SecureDataLakeProps } from './secure-data-lake-props';

const P = LakePermission;
const DEFAULT_CROSS_ACCOUNT_VERSION = 4;

/**
 * A data lake governed by AWS Lake Formation (notes 3.2), the notes' eight steps as code:
 *
 * 1. **Administrators** (`AWS::LakeFormation::DataLakeSettings`): the named admins, plus the
 *    CDK CloudFormation execution role (it creates everything below). With the default
 *    REPLACE mutation the template IS the admin list: nobody is dropped silently, because
 *    the list you pass is the whole list (`settingsMutation: APPEND` only adds).
 *    `CreateDatabaseDefaultPermissions` and `CreateTableDefaultPermissions` are empty: new
 *    databases and tables no longer grant ALL to `IAM_ALLOWED_PRINCIPALS`, so Lake
 *    Formation permissions, not IAM alone, decide who reads what.
 * 2. **S3 location** registered (`AWS::LakeFormation::Resource`) with a dedicated role
 *    (not the service-linked role), scoped to the bucket, the prefix and the key.
 * 3. **Databases** (Glue) created after the catalog is encrypted with the CMK
 *    (`AWS::Glue::DataCatalogEncryptionSettings`, through a service role Glue assumes).
 *    Databases created elsewhere keep the `IAMAllowedPrincipals` grants they were created
 *    with, which CloudFormation cannot revoke: synthesis fails until each one is listed in
 *    `iamAllowedPrincipalsRevokedOn` (revoked out of band).
 * 4. **LF-tags** and their associations with databases, tables and columns.
 * 5. **Grants** on named resources (database, table, columns, data cells filters, location)
 *    or on LF-tag expressions (LF-TBAC), to IAM principals or to other accounts. Their
 *    construct ids come from their content (principal, resource, permissions), so adding a
 *    grant never renames, revokes and re-grants the others; the same grant twice is one.
 * 6. **Data cells filters**: row-level (PartiQL) and cell-level security.
 * 7. Grants for **crawler and ETL roles** (`grantCrawler`, `grantEtlJob`), so Glue keeps
 *    working once IAMAllowedPrincipals is gone.
 *
 * Every LF resource depends (DependsOn) on the settings and on the tags, databases,
 * filters and tables it references, so CloudFormation creates them in a working order.
 *
 * Where the notes are out of date: row and cell-level security does not need "governed
 * tables" (a legacy ACID table type; use Apache Iceberg for ACID): data cells filters work on
 * any catalog table. "For cross-account data lakes, recipients must be set up as data lake administrator":
 * more precisely, the grant goes to the other account id; that account's data lake
 * administrator accepts the AWS RAM share (automatic inside one AWS Organization), creates
 * a resource link and grants its own principals. Blueprints (step 6) target databases;
 * for streams, the ingestion pattern plus a crawler replaces them.
 */
export class SecureDataLake extends Construct {
  /**
   * Describes a `DataLakeTable` (storage package) for `tables`: its columns, partition keys,
   * and the table construct itself, so grants and filters deploy after the table.
   */
  public static describeTable(table: DataLakeTable): LakeTableDescription {
    return {
      databaseName: table.databaseName,
      tableName: table.tableName,
      columns: table.columns.map((c) => ({ name: c.name, type: c.type.typeString, comment: c.comment })),
      partitionKeys: table.partitionKeys.map((k) => ({ name: k.name, type: k.type?.typeString ?? 'string' })),
      createdBy: table,
    };
  }

  /** The account's data lake settings (administrators, default permissions). */
  public readonly settings: lf.CfnDataLakeSettings;
  /** Every administrator identifier written to the settings (including the CDK execution role). */
  public readonly adminIdentifiers: string[];
  /** The data lake bucket (registered, whole or under `locationPrefix`). */
  public readonly bucket: s3.IBucket;
  /** The registered S3 location. */
  public readonly location: lf.CfnResource;
  /** ARN of the registered location (`arn:<partition>:s3:::bucket/prefix`). */
  public readonly locationArn: string;
  /** The role Lake Formation assumes to read and write the registered location. */
  public readonly registrationRole: iam.Role;
  /** The CMK of the catalog (and the objects, unless the bucket has its own). */
  public readonly encryptionKey: kms.IKey;
  /** The catalog encryption settings, when `encryptCatalog` is on. */
  public readonly catalogEncryption?: glue.CfnDataCatalogEncryptionSettings;
  /** The role Glue assumes to encrypt and decrypt catalog objects, when `encryptCatalog` is on. */
  public readonly catalogEncryptionRole?: iam.Role;
  /** Databases created here, by name. */
  public readonly databases: Record<string, glue.CfnDatabase>;
  /** LF-tags, by key. */
  public readonly tags: Record<string, lf.CfnTag>;
  /** Tag associations, in the order given. */
  public readonly tagAssociations: lf.CfnTagAssociation[] = [];
  /** Data cells filters, by `database.table.filter`. */
  public readonly dataCellsFilters: Record<string, lf.CfnDataCellsFilter> = {};
  /**
   * The policy with `lakeformation:GetDataAccess`, attached to every role granted through
   * this construct (created with the first one).
   */
  public dataAccessPolicy?: iam.Policy;
  /** Every grant made so far (props, `grant()`, `grantCrawler()`, `grantEtlJob()`), each once. */
  public readonly grants: lf.CfnPrincipalPermissions[] = [];

  private readonly declarations: LakeDeclarations;
  private readonly databaseConstructs = new Map<string, IDataLakeDatabase>();
  private readonly dataAccessGrants = new Map<iam.IPrincipal, iam.Grant>();
  private readonly grantsById = new Map<string, { cfn: lf.CfnPrincipalPermissions; grantable: string[] }>();

  constructor(scope: Construct, id: string, props: SecureDataLakeProps) {
    super(scope, id);
    this.bucket = props.bucket;
    this.declarations = new LakeDeclarations(this);
    this.declarations.declare(props);
    this.requireRevokedIamAllowedPrincipals(props);
    CustomerManagedPolicies.apply(this);

    this.adminIdentifiers = this.adminList(props);
    this.settings = this.createSettings(props);
    this.encryptionKey = props.encryptionKey ?? props.bucket.encryptionKey
      ?? new DataKey(this, 'Key', { description: `Data Catalog key of ${this.node.path}`, allowCloudWatchLogs: false }).key;
    const prefix = props.locationPrefix ?? '';
    this.locationArn = prefix ? props.bucket.arnForObjects(prefix) : props.bucket.bucketArn;
    this.registrationRole = this.createRegistrationRole(props.bucket, prefix, props.bucket.encryptionKey ?? this.encryptionKey);
    this.location = this.registerLocation();
    if (props.encryptCatalog ?? true) {
      this.catalogEncryptionRole = this.createCatalogEncryptionRole();
      this.catalogEncryption = this.encryptCatalog(this.catalogEncryptionRole);
    }
    this.databases = this.createDatabases(props);
    this.tags = this.createTags(props);
    (props.tagAssociations ?? []).forEach((a, i) => this.associate(a, i));
    (props.dataCellsFilters ?? []).forEach((f, i) => this.addFilter(f, i));
    (props.grants ?? []).forEach((g, i) => this.grantInternal(g, `grants[${i}]`));
  }

  /** Grants Lake Formation permissions (validated against the declared tags, tables and filters). */
  public grant(grant: LakeGrant): lf.CfnPrincipalPermissions {
    return this.grantInternal(grant, 'grant');
  }

  /**
   * Lets a Glue crawler role catalog data under Lake Formation: CREATE_TABLE, ALTER and
   * DESCRIBE on the database, ALTER/DESCRIBE/SELECT on its tables, DATA_LOCATION_ACCESS on
   * the registered location, and the IAM permission `lakeformation:GetDataAccess`.
   */
  public grantCrawler(role: iam.IRole, databaseName: string): lf.CfnPrincipalPermissions[] {
    const principal = LakePrincipal.fromRole(role);
    return [
      this.grantInternal({ principal, resource: LakeResource.database(databaseName), permissions: [P.CREATE_TABLE, P.ALTER, P.DESCRIBE] }, 'grantCrawler'),
      this.grantInternal({ principal, resource: LakeResource.allTables(databaseName), permissions: [P.ALTER, P.DESCRIBE, P.SELECT] }, 'grantCrawler'),
      this.grantInternal({ principal, resource: LakeResource.dataLocation(), permissions: [P.DATA_LOCATION_ACCESS] }, 'grantCrawler'),
    ];
  }

  /**
   * Lets a Glue ETL job role read every table of `sourceDatabaseName` (SELECT, DESCRIBE) and,
   * if given, write to `targetDatabaseName` (CREATE_TABLE on it; ALTER, INSERT, DELETE,
   * SELECT, DESCRIBE on its tables; DATA_LOCATION_ACCESS on the registered location).
   */
  public grantEtlJob(role: iam.IRole, sourceDatabaseName: string, targetDatabaseName?: string): lf.CfnPrincipalPermissions[] {
    const principal = LakePrincipal.fromRole(role);
    const grants = [
      this.grantInternal({ principal, resource: LakeResource.database(sourceDatabaseName), permissions: [P.DESCRIBE] }, 'grantEtlJob'),
      this.grantInternal({ principal, resource: LakeResource.allTables(sourceDatabaseName), permissions: [P.SELECT, P.DESCRIBE] }, 'grantEtlJob'),
    ];
    if (targetDatabaseName !== undefined) {
      grants.push(
        this.grantInternal({ principal, resource: LakeResource.database(targetDatabaseName), permissions: [P.CREATE_TABLE, P.DESCRIBE] }, 'grantEtlJob'),
        this.grantInternal({ principal, resource: LakeResource.allTables(targetDatabaseName), permissions: [P.ALTER, P.INSERT, P.DELETE, P.SELECT, P.DESCRIBE] }, 'grantEtlJob'),
        this.grantInternal({ principal, resource: LakeResource.dataLocation(), permissions: [P.DATA_LOCATION_ACCESS] }, 'grantEtlJob'),
      );
    }
    return grants;
  }

  /**
   * Adds the IAM side of Lake Formation access to a principal of this account:
   * `lakeformation:GetDataAccess` (Lake Formation then vends S3 credentials for what its
   * grants allow). Roles share one policy of this construct (`dataAccessPolicy`); other
   * principals get the statement in their own policy. Called for every role granted
   * through `LakePrincipal.fromRole()`.
   *
   * This one is an IAM grant (it returns `iam.Grant`); the Lake Formation permissions of
   * `grant()`, `grantCrawler()` and `grantEtlJob()` return the `CfnPrincipalPermissions` they create.
   * @returns the grant (the same one for a principal granted before)
   */
  public grantLakeFormationDataAccess(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    const existing = this.dataAccessGrants.get(principal);
    if (existing) return existing;
    const reason = 'lakeformation:GetDataAccess supports no resource-level permissions (AWS documents only "*"); what the principal may read is decided by its Lake Formation grants.';
    const role = principal as iam.IRole;
    let grant: iam.Grant;
    if (typeof role.attachInlinePolicy === 'function' && typeof role.roleName === 'string') {
      if (!this.dataAccessPolicy) {
        this.dataAccessPolicy = new iam.Policy(this, 'DataAccessPolicy', {
          statements: [new iam.PolicyStatement({ sid: 'LakeFormationDataAccess', actions: ['lakeformation:GetDataAccess'], resources: ['*'] })],
        });
        NagAcknowledgements.acknowledge(this.dataAccessPolicy, 'AwsSolutions-IAM5[Resource::*]', reason);
      }
      this.dataAccessPolicy.attachToRole(role);
      grant = iam.Grant.addToPrincipal({ grantee: throughPolicy(role, this.dataAccessPolicy), actions: ['lakeformation:GetDataAccess'], resourceArns: ['*'] });
    } else {
      grant = iam.Grant.addToPrincipal({ grantee, actions: ['lakeformation:GetDataAccess'], resourceArns: ['*'] });
      if (Construct.isConstruct(principal)) NagAcknowledgements.acknowledge(principal, 'AwsSolutions-IAM5[Resource::*]', reason);
    }
    this.dataAccessGrants.set(principal, grant);
    return grant;
  }

  // ---------------------------------------------------------------- settings, location, catalog

  /**
   * Databases created outside this stack keep the IAMAllowedPrincipals grants Lake Formation gave
   * them, which no CloudFormation resource can revoke: the user must revoke them and say so.
   */
  private requireRevokedIamAllowedPrincipals(props: SecureDataLakeProps): void {
    const createdHere = (db: IDataLakeDatabase) => db instanceof DataLakeDatabase && Stack.of(db) === Stack.of(this);
    const external = [
      ...(props.existingDatabases ?? []).filter((db) => !createdHere(db)).map((db) => db.databaseName),
      ...(props.existingDatabaseNames ?? []),
    ];
    const revoked = props.iamAllowedPrincipalsRevokedOn ?? [];
    revoked.forEach((n, i) => Validate.that(this, external.includes(n), {
      prop: `iamAllowedPrincipalsRevokedOn[${i}]`, value: n, allowed: `a database created outside this stack (${external.join(', ') || 'none'})`,
    }));
    const missing = external.filter((n) => !revoked.includes(n));
    Validate.that(this, missing.length === 0, {
      prop: 'iamAllowedPrincipalsRevokedOn',
      value: revoked,
      allowed: `every database created outside this stack, after revoking its IAMAllowedPrincipals permissions (missing: ${missing.join(', ')})`,
      hint: 'While IAMAllowedPrincipals keeps ALL on a database and its tables, any IAM principal with Glue and S3 permissions bypasses Lake Formation grants and data cells filters; CloudFormation cannot revoke it. See the SecureDataLake section of the README.',
    });
  }

  private adminList(props: SecureDataLakeProps): string[] {
    const admins = props.admins.map((a) => a.identifier);
    if (props.includeCdkExecutionRole ?? true) {
      const synthesizer = Stack.of(this).synthesizer;
      Validate.that(this, synthesizer instanceof DefaultStackSynthesizer, {
        prop: 'includeCdkExecutionRole',
        value: true,
        allowed: 'false with a non-default stack synthesizer (list the role that deploys the stack in admins)',
      });
      // the synthesizer's ARN keeps ${AWS::Partition} (and, for env-agnostic stacks, ${AWS::AccountId}/${AWS::Region})
      admins.push(Fn.sub((synthesizer as DefaultStackSynthesizer).cloudFormationExecutionRoleArn));
    }
    return admins;
  }

  private createSettings(props: SecureDataLakeProps): lf.CfnDataLakeSettings {
    return new lf.CfnDataLakeSettings(this, 'Settings', {
      admins: this.adminIdentifiers.map((dataLakePrincipalIdentifier) => ({ dataLakePrincipalIdentifier })),
      readOnlyAdmins: props.readOnlyAdmins?.map((a) => ({ dataLakePrincipalIdentifier: a.identifier })),
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
      mutationType: props.settingsMutation ?? LakeSettingsMutation.REPLACE,
      // a number token must become a string token (String(token) would write its encoded value)
      parameters: { CrossAccountVersion: Tokenization.stringifyNumber(props.crossAccountVersion ?? DEFAULT_CROSS_ACCOUNT_VERSION) },
      allowExternalDataFiltering: false,
    });
  }

  /**
   * The role Lake Formation assumes for the registered location. Lake Formation does not document
   * the request context it sends; `aws:SourceAccount` is checked when present (another account's
   * request is refused), and registering the location needs iam:PassRole, which never crosses accounts.
   */
  private createRegistrationRole(bucket: s3.IBucket, prefix: string, objectKey: kms.IKey): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'RegistrationRole', {
      description: `Lake Formation data access role of ${this.node.path} (registered location ${prefix || '<whole bucket>'})`,
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com').withConditions({
        StringEqualsIfExists: { 'aws:SourceAccount': stack.account },
      }),
    });
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ListRegisteredLocation',
      actions: ['s3:ListBucket', 's3:GetBucketLocation'],
      resources: [bucket.bucketArn],
      ...(prefix ? { conditions: { StringLike: { 's3:prefix': [prefix, `${prefix}/*`] } } } : {}),
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadWriteRegisteredObjects',
      actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(prefix ? `${prefix}/*` : '*')],
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'UseObjectKey',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [objectKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
    }));
    NagAcknowledgements.objectsUnder(role, bucket, prefix ? `${prefix}/` : '',
      'Lake Formation vends credentials for any object of the registered location (tables and partitions come and go); the object ARN ends with a wildcard under the registered prefix (locationPrefix), the only wildcard of this role.');
    return role;
  }

  private registerLocation(): lf.CfnResource {
    const location = new lf.CfnResource(this, 'Location', {
      resourceArn: this.locationArn,
      roleArn: this.registrationRole.roleArn,
      useServiceLinkedRole: false,
      hybridAccessEnabled: false,
    });
    location.addResourceDependency(this.settings);
    location.node.addDependency(this.registrationRole);
    return location;
  }

  private createCatalogEncryptionRole(): iam.Role {
    const role = new iam.Role(this, 'CatalogEncryptionRole', {
      description: `Role AWS Glue assumes to encrypt and decrypt Data Catalog objects (${this.node.path})`,
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com').withConditions({
        StringEqualsIfExists: { 'aws:SourceAccount': Stack.of(this).account },
      }),
    });
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'EncryptCatalog',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [this.encryptionKey.keyArn],
    }));
    return role;
  }

  private encryptCatalog(role: iam.Role): glue.CfnDataCatalogEncryptionSettings {
    const settings = new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
      catalogId: Stack.of(this).account,
      dataCatalogEncryptionSettings: {
        encryptionAtRest: {
          catalogEncryptionMode: 'SSE-KMS-WITH-SERVICE-ROLE',
          catalogEncryptionServiceRole: role.roleArn,
          sseAwsKmsKeyId: this.encryptionKey.keyArn,
        },
        connectionPasswordEncryption: { kmsKeyId: this.encryptionKey.keyArn, returnConnectionPasswordEncrypted: true },
      },
    });
    settings.node.addDependency(role);
    return settings;
  }

  private createDatabases(props: SecureDataLakeProps): Record<string, glue.CfnDatabase> {
    for (const db of props.existingDatabases ?? []) {
      this.databaseConstructs.set(db.databaseName, db);
      this.deployAfterSettings(db);
    }
    for (const t of props.tables ?? []) {
      if (t.createdBy) this.deployAfterSettings(t.createdBy);
    }
    const databases: Record<string, glue.CfnDatabase> = {};
    for (const db of props.databases ?? []) {
      const database = new glue.CfnDatabase(this, `Database-${db.name}`, {
        catalogId: Stack.of(this).account,
        databaseInput: { name: db.name, description: db.description ?? `Governed by Lake Formation (${this.node.path})`, locationUri: db.locationUri },
      });
      // table definitions live in the database: RETAIN unless sandbox mode
      database.applyRemovalPolicy(Sandbox.removalPolicy(this));
      // created after the admins (no IAMAllowedPrincipals default) and the catalog encryption
      database.addResourceDependency(this.settings);
      if (this.catalogEncryption) database.addResourceDependency(this.catalogEncryption);
      databases[db.name] = database;
    }
    return databases;
  }

  private createTags(props: SecureDataLakeProps): Record<string, lf.CfnTag> {
    const tags: Record<string, lf.CfnTag> = {};
    for (const t of props.tags ?? []) {
      const tag = new lf.CfnTag(this, `Tag-${t.key}`, { catalogId: Stack.of(this).account, tagKey: t.key, tagValues: t.values });
      tag.addResourceDependency(this.settings);
      tags[t.key] = tag;
    }
    return tags;
  }

  // ---------------------------------------------------------------- associations, filters, grants

  private associate(a: LakeTagAssociation, i: number): void {
    const prop = `tagAssociations[${i}]`;
    const r = a.resource;
    Validate.that(this, [LakeResourceKind.DATABASE, LakeResourceKind.TABLE, LakeResourceKind.COLUMNS].includes(r.kind), {
      prop: `${prop}.resource`, value: r.describe(), allowed: 'LakeResource.database(), .table() or .columns()',
    });
    this.declarations.validateResourceTarget(r, `${prop}.resource`);
    Validate.count(this, `${prop}.tags`, LakeFormationLimits.TAGS_PER_CALL.min, LakeFormationLimits.TAGS_PER_CALL.max, a.tags);
    Validate.unique(this, `${prop}.tags[].key`, a.tags.map((t) => t.key));
    a.tags.forEach((t, j) => this.declarations.validateTagValues(`${prop}.tags[${j}]`, t.key, [t.value]));
    const id = associationId(a);
    Validate.that(this, !this.node.tryFindChild(id), { prop, value: r.describe(), allowed: 'each resource and LF-tags associated once' });
    const catalogId = Stack.of(this).account;
    const cfn = new lf.CfnTagAssociation(this, id, {
      resource: associationResource(r, catalogId),
      lfTags: a.tags.map((t) => ({ catalogId, tagKey: t.key, tagValues: [t.value] })),
    });
    this.addDependencies(cfn, [this.settings, ...a.tags.map((t) => this.tags[t.key]), ...this.resourceDeps(r)]);
    this.tagAssociations.push(cfn);
  }

  private addFilter(f: LakeDataCellsFilter, i: number): void {
    const table = this.declarations.validateFilter(f, `dataCellsFilters[${i}]`);
    this.declarations.addFilter(f);
    const key = `${f.databaseName}.${f.tableName}.${f.name}`;
    // the id of the first filter with a given simplified name stays as it always was; a second one
    // that simplifies to the same id (e.g. "eu-only" and "eu_only") gets the full name's hash
    let id = `Filter-${f.databaseName}-${f.tableName}-${f.name.replace(/[^A-Za-z0-9]/g, '')}`;
    if (this.node.tryFindChild(id)) id = `${id}-${Buffer.from(f.name).toString('hex').slice(0, 16)}`;
    const cfn = new lf.CfnDataCellsFilter(this, id, {
      tableCatalogId: Stack.of(this).account,
      databaseName: f.databaseName,
      tableName: f.tableName,
      name: f.name,
      rowFilter: f.rowFilterExpression !== undefined ? { filterExpression: f.rowFilterExpression } : { allRowsWildcard: {} },
      columnNames: f.columnNames,
      columnWildcard: f.columnNames ? undefined : { excludedColumnNames: f.excludedColumnNames ?? [] },
    });
    this.addDependencies(cfn, [this.settings, ...this.databaseDeps(f.databaseName), ...(table.createdBy ? [table.createdBy] : [])]);
    this.dataCellsFilters[key] = cfn;
  }

  private grantInternal(grant: LakeGrant, prop: string): lf.CfnPrincipalPermissions {
    this.declarations.validateGrant(grant, prop);
    const id = grantId(this, grant);
    const grantable = [...new Set(grant.grantablePermissions ?? [])];
    const existing = this.grantsById.get(id);
    if (existing) {
      Validate.that(this, [...existing.grantable].sort().join() === [...grantable].sort().join(), {
        prop: `${prop}.grantablePermissions`, value: grantable, allowed: `the grantable permissions of the same grant made earlier (${existing.grantable.join(', ') || 'none'})`,
      });
      return existing.cfn;
    }
    const cfn = new lf.CfnPrincipalPermissions(this, id, {
      catalog: Stack.of(this).account,
      principal: { dataLakePrincipalIdentifier: grant.principal.identifier },
      resource: permissionsResource(grant.resource, Stack.of(this).account, this.locationArn),
      permissions: [...new Set(grant.permissions)],
      permissionsWithGrantOption: grantable,
    });
    this.addDependencies(cfn, [this.settings, ...this.grantDeps(grant.resource), ...this.resourceDeps(grant.resource)]);
    this.grants.push(cfn);
    this.grantsById.set(id, { cfn, grantable });
    if (grant.principal.grantable) this.grantLakeFormationDataAccess(grant.principal.grantable);
    return cfn;
  }

  /** The LF resources a grant's resource needs first (filter, LF-tags, location). */
  private grantDeps(r: LakeResource): IConstruct[] {
    switch (r.kind) {
      case LakeResourceKind.DATA_CELLS_FILTER: return [this.dataCellsFilters[`${r.databaseName}.${r.tableName}.${r.name}`]];
      case LakeResourceKind.TAG_KEY:
      case LakeResourceKind.TAG_EXPRESSION: return r.conditions!.map((c) => this.tags[c.key]);
      case LakeResourceKind.DATA_LOCATION: return [this.location];
      default: return [];
    }
  }

  /** The constructs that create the database and table a resource names, in this app. */
  private resourceDeps(r: LakeResource): IConstruct[] {
    const deps = r.databaseName !== undefined ? this.databaseDeps(r.databaseName) : [];
    const table = r.tableName !== undefined ? this.declarations.table(r.databaseName!, r.tableName) : undefined;
    return table?.createdBy ? [...deps, table.createdBy] : deps;
  }

  /** The constructs that create a database in this app (none for `existingDatabaseNames`). */
  private databaseDeps(databaseName: string): IConstruct[] {
    const deps: IConstruct[] = [];
    if (this.databases[databaseName]) deps.push(this.databases[databaseName]);
    const existing = this.databaseConstructs.get(databaseName);
    if (existing) deps.push(existing);
    return deps;
  }

  /**
   * A database or table created in this stack must come after the settings (which remove
   * the IAMAllowedPrincipals default grant) and after the catalog encryption.
   */
  private deployAfterSettings(construct: IConstruct): void {
    if (Stack.of(construct) !== Stack.of(this)) return;
    construct.node.addDependency(this.settings);
    if (this.catalogEncryption) construct.node.addDependency(this.catalogEncryption);
  }

  private addDependencies(resource: CfnResource, deps: IConstruct[]): void {
    for (const d of new Set(deps)) {
      if (d instanceof CfnResource) resource.addResourceDependency(d);
      else resource.node.addDependency(d);
    }
  }
}

/**
 * `role` as a grantee whose statements are already in `policy` (the shared policy attached to
 * it): the grant records the statement and depends on that policy, adding nothing to the role.
 */
function throughPolicy(role: iam.IRole, policy: iam.Policy): iam.IGrantable {
  const principal: iam.IPrincipal = {
    grantPrincipal: role,
    assumeRoleAction: role.assumeRoleAction,
    policyFragment: role.policyFragment,
    principalAccount: role.principalAccount,
    addToPrincipalPolicy: () => ({ statementAdded: true, policyDependable: policy }),
  };
  return { grantPrincipal: principal };
}
