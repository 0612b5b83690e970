import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { WarehouseType } from './redshift-warehouse-props';

/**
 * A Redshift warehouse other constructs and apps load data into and run SQL on (through the
 * Redshift Data API): what `StagingUpsert` and apps need, implemented by
 * {@link RedshiftWarehouse}. Cross-construct props take this interface, not the class.
 */
export interface IRedshiftWarehouse extends IConstruct, ec2.IConnectable {
  /** Provisioned cluster or Serverless. */
  readonly type: WarehouseType;
  /** Cluster identifier (provisioned) or workgroup name (Serverless). */
  readonly warehouseName: string;
  /** Name of the default database. */
  readonly databaseName: string;
  /** The role Redshift assumes for COPY, UNLOAD and Spectrum (attached to the warehouse). */
  readonly role: iam.IRole;
  /** The key that encrypts the warehouse's data and its admin secret. */
  readonly encryptionKey: kms.IKey;
  /** ARN of the Secrets Manager secret with the admin credentials (the Data API's `SecretArn`). */
  readonly adminSecretArn: string;
  /** ARN Data API permissions are scoped to (cluster or workgroup ARN). */
  readonly dataApiResourceArn: string;

  /** Data API arguments that select this warehouse, a database and the admin credentials. */
  dataApiTarget(database?: string): Record<string, string>;

  /**
   * Lets `grantee` run SQL through the Data API as the admin user (execute on this warehouse,
   * follow its own statements, read the admin secret through Secrets Manager).
   */
  grantDataApi(grantee: iam.IGrantable): iam.Grant;

  /** Lets the warehouse role (COPY, Spectrum) read objects of `bucket` under `prefix`, and decrypt them through S3. */
  grantLoadFrom(bucket: s3.IBucket, prefix?: string): iam.Grant;
}
