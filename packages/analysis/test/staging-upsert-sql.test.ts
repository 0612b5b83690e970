import { ColumnEncoding, ColumnType, DistributionStyle, SortStyle, TableDefinition } from '../src/redshift-table/table-definition';
import { PostgresEngine } from './support/pglite-client';
import { LoadCompression, LoadFormat, SqlDialect, StagingUpsertSql, UpsertSqlOptions, UpsertStrategy } from '../src/staging-upsert/upsert-sql';

/*
 * The generated upsert runs on a real PostgreSQL engine (PGlite: PostgreSQL compiled to
 * WebAssembly, in-process). Only COPY differs: the PostgreSQL dialect reads the same rows
 * from a local CSV ('/dev/blob'), everything else is the same logical statement list.
 */

const sales: TableDefinition = {
  schemaName: 'sales',
  tableName: 'fact_sales',
  columns: [
    { name: 'store_id', type: ColumnType.integer() },
    { name: 'order_id', type: ColumnType.bigint() },
    { name: 'amount', type: ColumnType.decimal(12, 2) },
    { name: 'note', type: ColumnType.varchar(64) },
    { name: 'updated_at', type: ColumnType.timestamp(), nullable: false },
  ],
  keyColumns: ['store_id', 'order_id'],
  distKey: 'order_id',
  sortKeys: ['updated_at'],
};

type Row = [number, number, string | null, string | null, string];

function csv(rows: Row[]): string {
  const cell = (v: string | number | null) => (v === null ? '' : `"${String(v)}"`);
  return ['store_id,order_id,amount,note,updated_at', ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

describe.each([UpsertStrategy.DELETE_INSERT, UpsertStrategy.MERGE])('staging upsert on PostgreSQL (%s)', (strategy) => {
  let db: PostgresEngine;
  const options: UpsertSqlOptions = { table: sales, orderColumn: 'updated_at', dialect: SqlDialect.POSTGRESQL, strategy };
  const statements = StagingUpsertSql.statements(options);

  /** One Data API batch: every statement in one transaction, rolled back as a whole on error. */
  async function load(rows: Row[], key: string, etag: string, inject?: { after: number; sql: string }): Promise<void> {
    const sqls = StagingUpsertSql.render(statements, '/dev/blob', key, etag);
    if (inject) sqls.splice(inject.after + 1, 0, inject.sql);
    await db.batch(sqls.map((sql) => ({ sql, csv: sql.startsWith('COPY') ? csv(rows) : undefined })));
  }
  async function table(): Promise<any[]> {
    return db.query('SELECT store_id, order_id::int AS order_id, amount::text AS amount, note, updated_at::text AS updated_at FROM sales.fact_sales ORDER BY store_id, order_id');
  }
  async function ledger(): Promise<any[]> {
    return db.query('SELECT target_table, manifest_key, manifest_etag, rows_loaded::int AS rows_loaded FROM sales.load_ledger ORDER BY loaded_at, manifest_key');
  }

  beforeAll(async () => {
    db = new PostgresEngine();
    await db.query('SELECT 1');
  });
  afterAll(async () => db.close());

  test('first load inserts every new key and records the manifest', async () => {
    await load([
      [1, 100, '10.00', 'first', '2026-01-01 10:00:00'],
      [1, 101, '11.00', null, '2026-01-01 10:00:00'],
      [2, 100, null, 'other store, same order id', '2026-01-01 10:00:00'],
    ], 'manifests/0001.manifest', 'aaa');
    expect(await table()).toEqual([
      { store_id: 1, order_id: 100, amount: '10.00', note: 'first', updated_at: '2026-01-01 10:00:00' },
      { store_id: 1, order_id: 101, amount: '11.00', note: null, updated_at: '2026-01-01 10:00:00' },
      { store_id: 2, order_id: 100, amount: null, note: 'other store, same order id', updated_at: '2026-01-01 10:00:00' },
    ]);
    expect(await ledger()).toEqual([{ target_table: 'sales.fact_sales', manifest_key: 'manifests/0001.manifest', manifest_etag: 'aaa', rows_loaded: 3 }]);
  });

  test('second load updates existing keys (composite key), keeps the latest duplicate, sets NULLs, inserts new keys', async () => {
    await load([
      [1, 100, '12.00', 'older duplicate', '2026-01-02 09:00:00'],
      [1, 100, '13.00', null, '2026-01-02 11:00:00'], // latest of the duplicates: wins, NULL note
      [1, 100, '14.00', 'middle duplicate', '2026-01-02 10:00:00'],
      [2, 101, '5.00', 'new key', '2026-01-02 10:00:00'],
    ], 'manifests/0002.manifest', 'bbb');
    expect(await table()).toEqual([
      { store_id: 1, order_id: 100, amount: '13.00', note: null, updated_at: '2026-01-02 11:00:00' },
      { store_id: 1, order_id: 101, amount: '11.00', note: null, updated_at: '2026-01-01 10:00:00' },
      { store_id: 2, order_id: 100, amount: null, note: 'other store, same order id', updated_at: '2026-01-01 10:00:00' },
      { store_id: 2, order_id: 101, amount: '5.00', note: 'new key', updated_at: '2026-01-02 10:00:00' },
    ]);
    expect((await ledger()).map((l) => [l.manifest_key, l.rows_loaded])).toEqual([['manifests/0001.manifest', 3], ['manifests/0002.manifest', 2]]);
  });

  test('the same manifest (key and ETag) applied again changes nothing', async () => {
    const before = await table();
    await load([[1, 100, '99.00', 'replayed', '2027-01-01 00:00:00'], [9, 9, '9.00', 'replayed', '2027-01-01 00:00:00']], 'manifests/0002.manifest', 'bbb');
    expect(await table()).toEqual(before);
    expect(await ledger()).toHaveLength(2);
  });

  test('a statement failing mid-batch rolls everything back (target, ledger, temp tables)', async () => {
    const before = await table();
    const deleteOrMerge = statements.findIndex((s) => s.startsWith('DELETE FROM "sales"') || s.startsWith('MERGE'));
    await expect(load([[1, 100, '50.00', 'lost', '2026-02-01 00:00:00'], [3, 1, '1.00', 'lost', '2026-02-01 00:00:00']],
      'manifests/0003.manifest', 'ccc', { after: deleteOrMerge, sql: 'SELECT 1 / 0' })).rejects.toThrow(/division by zero/);
    expect(await table()).toEqual(before);
    expect(await ledger()).toHaveLength(2);
    // the rolled-back batch left no staging table behind: the same manifest loads cleanly afterwards
    await load([[3, 1, '1.00', 'retried', '2026-02-01 00:00:00']], 'manifests/0003.manifest', 'ccc');
    expect((await table()).find((r) => r.store_id === 3)).toEqual({ store_id: 3, order_id: 1, amount: '1.00', note: 'retried', updated_at: '2026-02-01 00:00:00' });
  });

  test('a bad row (NOT NULL key missing) fails the COPY and nothing is applied', async () => {
    const before = await table();
    await expect(load([[4, null as any, '1.00', 'no order id', '2026-03-01 00:00:00']], 'manifests/0004.manifest', 'ddd')).rejects.toThrow(/null value/);
    expect(await table()).toEqual(before);
    expect(await ledger()).toHaveLength(3);
  });

  test('a re-written manifest (same key, new ETag) is a new load', async () => {
    await load([[1, 101, '20.00', 'rewritten', '2026-04-01 00:00:00']], 'manifests/0001.manifest', 'eee');
    expect((await table()).find((r) => r.store_id === 1 && r.order_id === 101)!.amount).toBe('20.00');
    expect(await ledger()).toHaveLength(4);
  });
});

describe('Redshift dialect (asserted as text only: not runnable outside Redshift)', () => {
  const redshift = StagingUpsertSql.statements({
    table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::123456789012:role/copy',
    format: LoadFormat.CSV, compression: LoadCompression.GZIP,
  });

  test('target DDL carries DISTSTYLE KEY, DISTKEY, COMPOUND SORTKEY and table ENCODE AUTO', () => {
    expect(redshift[1]).toBe('CREATE TABLE IF NOT EXISTS "sales"."fact_sales" ("store_id" INTEGER NOT NULL, "order_id" BIGINT NOT NULL, '
      + '"amount" DECIMAL(12,2), "note" VARCHAR(64), "updated_at" TIMESTAMP NOT NULL, PRIMARY KEY ("store_id", "order_id")) '
      + 'DISTSTYLE KEY DISTKEY ("order_id") COMPOUND SORTKEY ("updated_at") ENCODE AUTO');
  });

  test('COPY reads the manifest with the IAM role, format and compression', () => {
    expect(redshift[5]).toBe(`COPY "stage_fact_sales" FROM '{{manifest_uri}}' IAM_ROLE 'arn:aws:iam::123456789012:role/copy' MANIFEST `
      + 'FORMAT AS CSV IGNOREHEADER 1 DATEFORMAT \'auto\' TIMEFORMAT \'auto\' GZIP');
    const parquet = StagingUpsertSql.statements({ table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::1:role/r' });
    expect(parquet[5]).toMatch(/ MANIFEST FORMAT AS PARQUET$/);
    const json = StagingUpsertSql.statements({ table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::1:role/r', format: LoadFormat.JSON, compression: LoadCompression.ZSTD });
    expect(json[5]).toMatch(/FORMAT AS JSON 'auto ignorecase' DATEFORMAT 'auto' TIMEFORMAT 'auto' ZSTD$/);
  });

  test('the batch is lock, stage, dedupe, skip-if-loaded, delete, insert, ledger, drop', () => {
    expect(redshift.map((s) => s.split(' ').slice(0, 3).join(' '))).toEqual([
      'CREATE SCHEMA IF', 'CREATE TABLE IF', 'CREATE TABLE IF', 'LOCK "sales"."fact_sales", "sales"."load_ledger"',
      'CREATE TEMP TABLE', 'COPY "stage_fact_sales" FROM', 'CREATE TEMP TABLE', 'DELETE FROM "latest_fact_sales"',
      'DELETE FROM "sales"."fact_sales"', 'INSERT INTO "sales"."fact_sales"', 'INSERT INTO "sales"."load_ledger"',
      'DROP TABLE "latest_fact_sales"', 'DROP TABLE "stage_fact_sales"',
    ]);
    expect(redshift[6]).toContain('ROW_NUMBER() OVER (PARTITION BY "store_id", "order_id" ORDER BY "updated_at" DESC NULLS LAST)');
    expect(redshift[10]).toContain('GETDATE()');
  });

  test('MERGE variant updates non-key columns and inserts new keys', () => {
    const merge = StagingUpsertSql.statements({ table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::1:role/r', strategy: UpsertStrategy.MERGE });
    expect(merge[8]).toBe('MERGE INTO "sales"."fact_sales" USING "latest_fact_sales" ON "sales"."fact_sales"."store_id" = "latest_fact_sales"."store_id" '
      + 'AND "sales"."fact_sales"."order_id" = "latest_fact_sales"."order_id" WHEN MATCHED THEN UPDATE SET "amount" = "latest_fact_sales"."amount", '
      + '"note" = "latest_fact_sales"."note", "updated_at" = "latest_fact_sales"."updated_at" WHEN NOT MATCHED THEN INSERT ("store_id", "order_id", '
      + '"amount", "note", "updated_at") VALUES ("latest_fact_sales"."store_id", "latest_fact_sales"."order_id", "latest_fact_sales"."amount", '
      + '"latest_fact_sales"."note", "latest_fact_sales"."updated_at")');
  });

  test('DISTSTYLE ALL/EVEN/AUTO, INTERLEAVED sort keys and column encodings', () => {
    const all = StagingUpsertSql.statements({
      table: { tableName: 'dim_store', columns: [{ name: 'id', type: ColumnType.integer(), encoding: ColumnEncoding.AZ64 }, { name: 'v', type: ColumnType.char(2) }], keyColumns: ['id'], distStyle: DistributionStyle.ALL, sortKeys: ['id', 'v'], sortStyle: SortStyle.INTERLEAVED },
      orderColumn: 'v', copyRoleArn: 'arn:aws:iam::1:role/r',
    })[1];
    expect(all).toBe('CREATE TABLE IF NOT EXISTS "public"."dim_store" ("id" INTEGER ENCODE AZ64 NOT NULL, "v" CHAR(2), PRIMARY KEY ("id")) DISTSTYLE ALL INTERLEAVED SORTKEY ("id", "v")');
    const auto = StagingUpsertSql.statements({ table: { tableName: 't', columns: [{ name: 'id', type: ColumnType.integer() }, { name: 'v', type: ColumnType.date() }], keyColumns: ['id'] }, orderColumn: 'v', copyRoleArn: 'arn:aws:iam::1:role/r' })[1];
    expect(auto).toMatch(/DISTSTYLE AUTO SORTKEY AUTO ENCODE AUTO$/);
  });
});

describe('injection and validation', () => {
  const base: UpsertSqlOptions = { table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::1:role/r' };
  test.each([
    ['table.tableName', { ...base, table: { ...sales, tableName: 'x"; DROP TABLE y; --' } }],
    ['table.schemaName', { ...base, table: { ...sales, schemaName: 'Sales' } }],
    ['table.columns[1].name', { ...base, table: { ...sales, columns: [sales.columns[0], { name: 'a b', type: ColumnType.integer() }] } }],
    ['table.columns[0].name', { ...base, table: { ...sales, columns: [{ name: '__x', type: ColumnType.integer() }, ...sales.columns] } }],
    ['table.columns[5].name', { ...base, table: { ...sales, columns: [...sales.columns, { name: 'note', type: ColumnType.integer() }] } }],
    ['table.columns[3].type', { ...base, table: { ...sales, columns: [...sales.columns.slice(0, 3), { name: 'note', type: ColumnType.varchar(70000) }, sales.columns[4]] } }],
    ['table.columns[2].type', { ...base, table: { ...sales, columns: [...sales.columns.slice(0, 2), { name: 'amount', type: ColumnType.decimal(10, 12) }, ...sales.columns.slice(3)] } }],
    ['table.keyColumns', { ...base, table: { ...sales, keyColumns: [] } }],
    ['table.keyColumns[1]', { ...base, table: { ...sales, keyColumns: ['store_id', 'nope'] } }],
    ['table.distKey', { ...base, table: { ...sales, distKey: undefined, distStyle: DistributionStyle.KEY } }],
    ['table.distKey', { ...base, table: { ...sales, distStyle: DistributionStyle.EVEN } }],
    ['table.sortKeys[0]', { ...base, table: { ...sales, sortKeys: ['missing'] } }],
    ['table.sortKeys', { ...base, table: { ...sales, sortKeys: ['store_id', 'order_id', 'amount', 'note', 'updated_at', 'store_id', 'order_id', 'amount', 'note'], sortStyle: SortStyle.INTERLEAVED } }],
    ['orderColumn', { ...base, orderColumn: 'store_id' }],
    ['orderColumn', { ...base, orderColumn: "updated_at' OR '1'='1" }],
    ['ledgerTable', { ...base, ledgerTable: 'ledger;' }],
    ['compression', { ...base, compression: LoadCompression.GZIP }],
    ['copyRoleArn', { ...base, copyRoleArn: "arn' CREDENTIALS 'x" }],
    ['copyRoleArn', { ...base, copyRoleArn: undefined }],
  ] as Array<[string, UpsertSqlOptions]>)('rejects a bad %s', (prop, options) => {
    expect(() => StagingUpsertSql.statements(options)).toThrow(`invalid ${prop}:`);
  });

  test('MERGE needs a non-key column', () => {
    const keysOnly: TableDefinition = { tableName: 'k', columns: [{ name: 'a', type: ColumnType.integer() }, { name: 'b', type: ColumnType.integer() }], keyColumns: ['a', 'b'] };
    expect(StagingUpsertSql.problems({ table: keysOnly, orderColumn: 'b', strategy: UpsertStrategy.MERGE, copyRoleArn: 'arn:aws:iam::1:role/r' }).map((p) => p.prop))
      .toEqual(['orderColumn', 'strategy']);
  });

  test('render refuses manifest values that could break out of a literal', () => {
    const s = StagingUpsertSql.statements(base);
    expect(() => StagingUpsertSql.render(s, "s3://b/x'; DROP TABLE t; --", 'k', 'e')).toThrow(/refusing/);
    expect(() => StagingUpsertSql.render(s, 's3://b/k', 'k\\', 'e')).toThrow(/refusing/);
    expect(StagingUpsertSql.render(s, 's3://b/m.manifest', 'm.manifest', 'abc')[5]).toContain("FROM 's3://b/m.manifest'");
  });
});
