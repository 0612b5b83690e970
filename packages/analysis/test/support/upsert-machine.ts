import { SecureBucket } from '@analytics-patterns/storage';
import { testStack } from '@analytics-patterns/testing';
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DialectBridge, FakeDataApi } from './fake-data-api';
import { FakeS3 } from './fake-s3';
import { Database } from './postgres';
import { execute, ExecutionResult, ServiceHandler } from './sfn-executor';
import { BUCKET, csv } from './upsert-fixture';
import { RedshiftColumnType, TableDefinition } from '../../src/redshift-table/table-definition';
import { RedshiftWarehouse } from '../../src/redshift-warehouse/redshift-warehouse';
import { StagingUpsert } from '../../src/staging-upsert/staging-upsert';
import { StagingUpsertProps } from '../../src/staging-upsert/staging-upsert-props';
import { LoadFormat, SqlDialect, StagingUpsertSql } from '../../src/staging-upsert/upsert-sql';

export const ORDERS: TableDefinition = {
  schemaName: 'sales',
  tableName: 'orders',
  columns: [{ name: 'id', type: RedshiftColumnType.integer() }, { name: 'amount', type: RedshiftColumnType.integer() }, { name: 'at', type: RedshiftColumnType.integer() }],
  keyColumns: ['id'],
};

export interface BuiltMachine {
  readonly stack: Stack;
  readonly upsert: StagingUpsert;
  readonly definition: any;
  readonly template: Template;
}

/**
 * Synthesizes a StagingUpsert (CSV, so the PostgreSQL harness can load its files) and returns its
 * definition with references resolved: the source bucket's name is `curated-bucket`, other
 * references become readable placeholders, and CfnParameters take the values given.
 */
export function buildMachine(props: Partial<StagingUpsertProps> = {}, parameters: Record<string, number> = {}): BuiltMachine {
  const stack = testStack();
  const bucket = new SecureBucket(stack, 'Curated', { eventBridgeEnabled: true });
  const warehouse = new RedshiftWarehouse(stack, 'Warehouse');
  const params = Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, new CfnParameter(stack, name, { type: 'Number', default: value })]));
  const timing = {
    ...(params.PollSeconds ? { pollInterval: Duration.seconds(params.PollSeconds.valueAsNumber) } : {}),
    ...(params.TimeoutSeconds ? { timeout: Duration.seconds(params.TimeoutSeconds.valueAsNumber) } : {}),
    ...(params.MaxAttempts ? { maxAttempts: params.MaxAttempts.valueAsNumber } : {}),
  };
  const upsert = new StagingUpsert(stack, 'Upsert', {
    warehouse,
    table: ORDERS,
    orderColumn: 'at',
    sourceBucket: bucket.bucket,
    manifestPrefix: 'manifests/orders/',
    dataPrefix: 'data/',
    format: LoadFormat.CSV,
    ...timing,
    ...props,
  });
  const template = Template.fromStack(stack);
  const bucketId = stack.getLogicalId(bucket.bucket.node.defaultChild as any);
  const refs: Record<string, string> = { [bucketId]: BUCKET, ...Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)])) };
  const id = stack.getLogicalId(upsert.stateMachine.node.defaultChild as any);
  const ds = template.toJSON().Resources[id].Properties.DefinitionString;
  const text = typeof ds === 'string' ? ds : ds['Fn::Join'][1].map((p: any) => render(p, refs)).join('');
  return { stack, upsert, definition: JSON.parse(text), template };
}

function render(part: any, refs: Record<string, string>): string {
  if (typeof part === 'string') return part;
  if (part.Ref !== undefined) return refs[part.Ref] ?? ({ 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' } as any)[part.Ref] ?? `REF_${part.Ref}`;
  if (part['Fn::GetAtt'] !== undefined) return `ATT_${part['Fn::GetAtt'].join('_')}`;
  return 'TOKEN';
}

/** A world for executions: fake S3 and a fake Data API over a PostgreSQL database. */
export class World {
  /** Every transition any execution of this test file took (jest loads this module once per file). */
  public static readonly transitionsTaken = new Set<string>();
  public readonly s3 = new FakeS3();
  public readonly dataApi: FakeDataApi;
  private executions = 0;

  constructor(public readonly db: Database, public readonly machine: BuiltMachine) {
    const start = machine.definition.States.Start.Assign;
    const options = { table: ORDERS, orderColumn: 'at', format: LoadFormat.CSV, dialect: SqlDialect.POSTGRESQL };
    const bridge = new DialectBridge([...start.tableSql, ...start.sqlTemplates],
      [...StagingUpsertSql.tableStatements(options), ...StagingUpsertSql.loadStatements(options)]);
    this.dataApi = new FakeDataApi(db, this.s3, bridge);
  }

  /** Data files under data/ and a manifest under manifests/orders/ listing them. */
  public publish(name: string, files: Array<Array<Array<number | string | null>>>): string {
    const urls = files.map((rows, i) => {
      const key = `data/${name}-${i}.csv`;
      this.s3.put(BUCKET, key, csv(['id', 'amount', 'at'], rows));
      return `s3://${BUCKET}/${key}`;
    });
    const key = `manifests/orders/${name}.manifest`;
    this.s3.put(BUCKET, key, JSON.stringify({ entries: urls.map((url) => ({ url, mandatory: true })) }));
    return key;
  }

  public async run(manifestKey: unknown, overrides: Record<string, ServiceHandler> = {}): Promise<ExecutionResult> {
    const result = await execute(this.machine.definition, {
      input: { manifestKey },
      executionId: `arn:aws:states:eu-west-1:123456789012:execution:Upsert:run-${++this.executions}`,
      services: { ...this.s3.handlers(), ...this.dataApi.handlers(), ...overrides },
      onWait: () => this.dataApi.settle(),
    });
    result.transitions.forEach((t) => World.transitionsTaken.add(t));
    return result;
  }

  public async rows(): Promise<any[]> {
    return this.db.query('SELECT * FROM sales.orders ORDER BY id');
  }

  public async ledger(): Promise<any[]> {
    return this.db.query('SELECT data_id, manifest_key, manifest_etag, manifest_version, file_count::int AS file_count, rows_applied::int AS rows_applied FROM sales.upsert_ledger ORDER BY load_seq');
  }
}
