import { CustomerManagedPolicies, GlueLimits, Sandbox, Validate } from '@analytics-patterns/core';
import { Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct, IConstruct } from 'constructs';

/** Props for {@link DataLakeDatabase}. */
export interface DataLakeDatabaseProps {
  /**
   * Database name: 1-255 lower-case letters, digits and "_" (Athena reads lower-case names only).
   * A token is accepted (and not checked).
   */
  readonly databaseName: string;
  /**
   * Description (at most 2,048 characters).
   * @default - none
   */
  readonly description?: string;
  /**
   * Default location of the database's tables, e.g. `s3://bucket/curated/`.
   * @default - none
   */
  readonly locationUri?: string;
}

/** A Glue database: a new {@link DataLakeDatabase} or an existing one. */
export interface IDataLakeDatabase extends IConstruct {
  /**
   * Database name: a plain string when known at synth (so other constructs can check names), or
   * the token it was given as.
   */
  readonly databaseName: string;
  /** Catalog (account) id. */
  readonly catalogId: string;
  /** ARN of the database. */
  readonly databaseArn: string;
  /** ARN of the catalog. */
  readonly catalogArn: string;
}

/**
 * A Glue Data Catalog database (notes 3.1). The notes' "only 1 data catalog per
 * region" means one default catalog per account and region, holding many
 * databases; tables of this library live in one. The name is validated lower-case
 * because Athena and Glue lower-case identifiers (`GlueLimits.DATABASE_NAME`).
 *
 * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
 *
 * @example
 * const db = new DataLakeDatabase(this, 'Db', { databaseName: 'clickstream' });
 */
export class DataLakeDatabase extends Construct implements IDataLakeDatabase {
  /** An existing database of this account's catalog, by name (checked with the same name rule). */
  public static fromDatabaseName(scope: Construct, id: string, databaseName: string): IDataLakeDatabase {
    const stack = Stack.of(scope);
    class Imported extends Construct implements IDataLakeDatabase {
      public readonly databaseName = databaseName;
      public readonly catalogId = stack.account;
      public readonly databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName });
      public readonly catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    }
    const imported = new Imported(scope, id);
    Validate.resourceName(imported, 'databaseName', databaseName, GlueLimits.DATABASE_NAME);
    return imported;
  }

  /** Database name (plain string; resources that use it should depend on `resource`). */
  public readonly databaseName: string;
  /** Catalog (account) id. */
  public readonly catalogId: string;
  /** ARN of the database. */
  public readonly databaseArn: string;
  /** ARN of the catalog. */
  public readonly catalogArn: string;
  /** The L1 database. */
  public readonly resource: glue.CfnDatabase;

  constructor(scope: Construct, id: string, props: DataLakeDatabaseProps) {
    super(scope, id);
    this.validate(props);
    const stack = Stack.of(this);
    this.catalogId = stack.account;
    this.resource = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.catalogId,
      databaseInput: {
        name: props.databaseName,
        description: props.description,
        locationUri: props.locationUri,
      },
    });
    // Catalog metadata is kept like data: deleting a database drops every table definition in it.
    this.resource.applyRemovalPolicy(Sandbox.removalPolicy(this));
    this.databaseName = props.databaseName;
    this.catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    this.databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: props.databaseName });
    CustomerManagedPolicies.apply(this);
  }

  private validate(props: DataLakeDatabaseProps): void {
    Validate.resourceName(this, 'databaseName', props.databaseName, GlueLimits.DATABASE_NAME);
    if (props.locationUri !== undefined) {
      Validate.pattern(this, 'locationUri', '^s3://[^/]+/.*$', 'an s3://bucket/prefix/ URI', props.locationUri);
    }
    if (props.description !== undefined && !Token.isUnresolved(props.description)) {
      Validate.number(this, props.description.length, { prop: 'description.length', ...GlueLimits.DESCRIPTION_CHARS });
    }
  }
}
