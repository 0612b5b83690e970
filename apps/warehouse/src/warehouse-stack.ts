import {
  ColumnEncoding, RedshiftColumnType, LoadFormat, RedshiftWarehouse, StagingUpsert, TableDefinition, UpsertStrategy,
} from '@analytics-patterns/analysis';
import { AlarmTopic, ContextValues, CustomerManagedPolicies, RedshiftNodeType, Sandbox, SandboxLifetime } from '@analytics-patterns/core';
import { DataKey, HsmCluster } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Aws, CfnOutput, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';

/** Glue database of the curated lake, read by Redshift Spectrum. */
export const LAKE_DATABASE = 'curated_lake';

/** The fact table the pipeline merges into. */
export const FACT_ORDERS: TableDefinition = {
  schemaName: 'sales',
  tableName: 'fact_orders',
  columns: [
    { name: 'order_id', type: RedshiftColumnType.bigint(), encoding: ColumnEncoding.AZ64 },
    { name: 'line_no', type: RedshiftColumnType.integer(), encoding: ColumnEncoding.AZ64 },
    { name: 'customer_id', type: RedshiftColumnType.varchar(64), encoding: ColumnEncoding.ZSTD },
    { name: 'product_id', type: RedshiftColumnType.varchar(64), encoding: ColumnEncoding.ZSTD },
    { name: 'quantity', type: RedshiftColumnType.integer(), encoding: ColumnEncoding.AZ64 },
    { name: 'amount', type: RedshiftColumnType.decimal(12, 2), encoding: ColumnEncoding.AZ64 },
    { name: 'status', type: RedshiftColumnType.varchar(16), encoding: ColumnEncoding.BYTEDICT },
    { name: 'updated_at', type: RedshiftColumnType.timestamp(), nullable: false, encoding: ColumnEncoding.RAW },
  ],
  // order lines: composite key
  keyColumns: ['order_id', 'line_no'],
  // large fact table joined on order_id: KEY distribution on it; recent-first range filters: sort by time
  distKey: 'order_id',
  sortKeys: ['updated_at'],
};

/** Props for {@link WarehouseStack}. */
export interface WarehouseStackProps extends StackProps {
  /**
   * Add a CloudHSM cluster in the warehouse's VPC, reachable from the cluster on the HSM ports
   * (2223-2225), for Redshift HSM encryption (notes 4.4, 6.2). The cluster is created without
   * HSMs: adding HSMs (billed per HSM-hour), initializing and activating the cluster, and the
   * Redshift HSM client certificate and configuration stay out of band (see LAB.md).
   * Context `warehouse-hsm`.
   * @default false
   */
  readonly hsm?: boolean;
  /**
   * E-mail addresses notified when a load fails, times out or is aborted.
   * @default - context `alarm-emails` (comma-separated), else none: subscribe to the
   * `FailureTopicArn` output
   */
  readonly alarmEmails?: string[];
}

/**
 * Reference app: a Redshift warehouse fed by a recurring, exactly-once staging-table
 * upsert (notes 4.4).
 *
 * Upstream jobs write Parquet order lines to `s3://<curated>/orders/...` and then a
 * Redshift manifest to `s3://<curated>/manifests/orders/<batch>.manifest`. EventBridge sees
 * the manifest land and starts the upsert state machine, which runs one Data API batch
 * (stage, COPY, keep the latest row per key, DELETE+INSERT, ledger) into `sales.fact_orders`.
 * A nightly schedule also loads `manifests/orders/nightly.manifest` (skipped if unchanged).
 * The cluster reads the rest of the lake in place through the Spectrum schema `lake`.
 */
export class WarehouseStack extends Stack {
  public readonly curated: SecureBucket;
  public readonly warehouse: RedshiftWarehouse;
  public readonly upsert: StagingUpsert;
  /** The topic failed loads are reported to (encrypted with the warehouse key, TLS only). */
  public readonly failureTopic: AlarmTopic;
  public readonly lakeDatabase: glue.CfnDatabase;
  /** The CloudHSM cluster, with `hsm: true` (context `warehouse-hsm=true`). */
  public readonly hsm?: HsmCluster;

  constructor(scope: Construct, id: string, props: WarehouseStackProps = {}) {
    super(scope, id, { description: 'analytics-patterns reference app: Redshift warehouse with a staging-table upsert pipeline and Spectrum', ...props });
    const key = new DataKey(this, 'DataKey', { alias: 'analytics-patterns/warehouse', description: 'Warehouse data key' });

    this.curated = new SecureBucket(this, 'Curated', { encryptionKey: key.key, eventBridgeEnabled: true });
    this.lakeDatabase = new glue.CfnDatabase(this, 'LakeDatabase', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: LAKE_DATABASE, description: 'Curated zone tables, queried by Redshift Spectrum' },
    });
    this.lakeDatabase.applyRemovalPolicy(Sandbox.removalPolicy(this));

    this.warehouse = new RedshiftWarehouse(this, 'Warehouse', {
      encryptionKey: key.key,
      nodeType: RedshiftNodeType.RA3_XLPLUS,
      numberOfNodes: 2,
      loadBuckets: [this.curated.bucket],
      spectrum: { schemaName: 'lake', glueDatabaseName: LAKE_DATABASE },
    });

    const emails = props.alarmEmails ?? ContextValues.list(this, 'alarm-emails');
    this.failureTopic = new AlarmTopic(this, 'Failures', { encryptionKey: key.key, emails });
    this.upsert = new StagingUpsert(this, 'OrdersUpsert', {
      warehouse: this.warehouse,
      notificationTopic: this.failureTopic.topic,
      table: FACT_ORDERS,
      orderColumn: 'updated_at',
      sourceBucket: this.curated.bucket,
      manifestPrefix: 'manifests/orders/',
      format: LoadFormat.PARQUET,
      strategy: UpsertStrategy.DELETE_INSERT,
      schedule: scheduler.ScheduleExpression.cron({ minute: '30', hour: '1' }),
      scheduledManifestKey: 'manifests/orders/nightly.manifest',
      pollInterval: Duration.seconds(15),
    });

    if (props.hsm ?? ContextValues.flag(this, 'warehouse-hsm', false)) this.hsm = this.createHsm();

    new CfnOutput(this, 'CuratedBucket', { value: this.curated.bucket.bucketName, description: 'Write Parquet files and then a manifest under manifests/orders/' });
    new CfnOutput(this, 'ClusterIdentifier', { value: this.warehouse.warehouseName });
    new CfnOutput(this, 'AdminSecretArn', { value: this.warehouse.adminSecretArn, description: 'Redshift-managed admin secret (query with the Data API or the query editor)' });
    new CfnOutput(this, 'UpsertStateMachineArn', { value: this.upsert.stateMachine.stateMachineArn, description: 'Start by hand with {"manifestKey": "manifests/orders/<name>.manifest"}' });
    new CfnOutput(this, 'FailureTopicArn', { value: this.failureTopic.topic.topicArn, description: 'Failed, timed-out or aborted loads are reported here: subscribe to it' });
    new CfnOutput(this, 'SpectrumSetupStateMachineArn', { value: this.warehouse.setupStateMachine!.stateMachineArn, description: 'Run once after deploy to create the Spectrum schema' });
    // the app's own roles follow the library's customer-managed-policies switch
    CustomerManagedPolicies.apply(this);
    // sandbox mode only: -c analytics-patterns:sandbox-ttl-hours=N and -c analytics-patterns:budget-usd=AMOUNT (+ budget-email)
    SandboxLifetime.apply(this, { budgetEmails: emails });
  }

  /** An HSM cluster (no HSMs yet) in the warehouse's subnets; Redshift may reach it on the HSM ports. */
  private createHsm(): HsmCluster {
    const hsm = new HsmCluster(this, 'Hsm', { vpc: this.warehouse.vpc });
    hsm.connections.allowDefaultPortFrom(this.warehouse, 'Redshift HSM encryption');
    new CfnOutput(this, 'HsmClusterId', {
      value: hsm.cluster.attrClusterId,
      description: 'aws cloudhsmv2 create-hsm --cluster-id <id> --availability-zone <zone> (billed per HSM-hour), then initialize and activate out of band',
    });
    return hsm;
  }
}
