import { RedshiftNodeType } from '@analytics-patterns/core';
import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** Provisioned cluster or Redshift Serverless. */
export enum WarehouseType {
  /** A provisioned cluster (node type and count), audit logs to CloudWatch, automated snapshots. */
  PROVISIONED = 'PROVISIONED',
  /** Redshift Serverless namespace + workgroup (capacity in RPUs, billed per second of use). */
  SERVERLESS = 'SERVERLESS',
}

/** An external schema over a Glue Data Catalog database, for Redshift Spectrum (notes 4.4). */
export interface SpectrumOptions {
  /** Name of the external schema in Redshift. */
  readonly schemaName: string;
  /** Glue database the schema maps to. */
  readonly glueDatabaseName: string;
  /**
   * Buckets that hold the tables' data (read through the warehouse role).
   * @default - the warehouse's loadBuckets
   */
  readonly dataBuckets?: s3.IBucket[];
}

/** Props for {@link RedshiftWarehouse}. */
export interface RedshiftWarehouseProps {
  /**
   * Provisioned cluster or Serverless.
   * @default WarehouseType.PROVISIONED
   */
  readonly type?: WarehouseType;

  /**
   * VPC whose private subnets host the warehouse. Serverless needs subnets in at least 3 AZs.
   *
   * Required for Serverless and in stacks with an explicit account and region: there the
   * warehouse belongs in a network you designed, and a VPC created here would need an
   * Availability Zone lookup (credentials at synth time). Only a provisioned cluster in an
   * environment-agnostic stack (labs, reference apps) gets a VPC of its own.
   * @default - provisioned, environment-agnostic stacks only: a new VPC over two zones with
   * isolated subnets only (no internet route), its default security group closed, an S3
   * gateway endpoint (COPY/UNLOAD/Spectrum traffic stays on AWS's network with enhanced VPC
   * routing) and flow logs
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` to use.
   * @default - private (with egress) subnets, else isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Customer-managed key for the data, the admin secret and the audit log groups.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Node type of a provisioned cluster.
   * @default RedshiftNodeType.RA3_XLPLUS
   */
  readonly nodeType?: RedshiftNodeType;

  /**
   * Compute nodes of a provisioned cluster, within the node type's range. A single node
   * has no data replication across nodes and no elastic resize: it is only accepted in
   * sandbox mode. A token is rendered as a multi-node cluster.
   * @default 2
   */
  readonly numberOfNodes?: number;

  /**
   * Base capacity of a Serverless workgroup, in RPUs: 4, or 8-512 in steps of 8
   * (512-1024 in steps of 32 in some regions).
   * @default 8
   */
  readonly baseCapacity?: number;

  /**
   * Name of the first database.
   * @default 'analytics'
   */
  readonly databaseName?: string;

  /**
   * Admin user name; not the default `awsuser` (cdk-nag RS3).
   * @default 'warehouse_admin'
   */
  readonly adminUsername?: string;

  /**
   * Port: 5431-5455 or 8191-8215 (the ranges RA3 and Serverless accept), not the default 5439 (cdk-nag RS4).
   * @default 5440
   */
  readonly port?: number;

  /**
   * Retention of automated snapshots of a provisioned cluster: 1-35 days (0 would turn them off).
   * @default Duration.days(7)
   */
  readonly snapshotRetention?: Duration;

  /**
   * Weekly maintenance window of a provisioned cluster (`ddd:hh24:mi-ddd:hh24:mi`, UTC, at least 30 minutes).
   * @default 'sun:03:00-sun:03:30'
   */
  readonly preferredMaintenanceWindow?: string;

  /**
   * Buckets COPY reads from (the warehouse role gets read access to them and decrypt on their keys).
   * More can be added with `grantLoadFrom()`.
   * @default - none
   */
  readonly loadBuckets?: s3.IBucket[];

  /**
   * An external schema over a Glue database (Spectrum). Spectrum is not available with
   * Serverless public endpoints, which this construct never creates. The names are
   * written into SQL, so they must be known at synth time.
   * @default - no Spectrum schema
   */
  readonly spectrum?: SpectrumOptions;

  /**
   * Retention of the audit log groups (connection, user, user activity).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Identifier of the provisioned cluster, or name of the Serverless namespace and workgroup
   * (lower-case letters, digits and hyphens, starting with a letter).
   * @default - generated from the construct path
   */
  readonly warehouseName?: string;
}
