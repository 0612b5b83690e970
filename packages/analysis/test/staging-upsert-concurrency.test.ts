import { Database, Isolation, PostgresServer, Session } from './support/postgres';
import { UpsertFixture } from './support/upsert-fixture';
import { DDL_RACE_ERROR, TRANSIENT_SQL_ERROR } from '../src/redshift-data/data-api-states';
import { RedshiftColumnType, TableDefinition } from '../src/redshift-table/table-definition';
import { StagingUpsertSql, UpsertStrategy } from '../src/staging-upsert/upsert-sql';

/*
 * Concurrent sessions on a real PostgreSQL server. REPEATABLE READ is PostgreSQL's snapshot
 * isolation (Redshift's SNAPSHOT ISOLATION: the snapshot is taken by the transaction's first
 * statement that reads or writes data); SERIALIZABLE matches Redshift's default for provisioned
 * clusters. Interleavings are forced (a transaction held open, a session seen waiting on a lock)
 * rather than hoped for. Scenario ids are the rows of the README's test table.
 */

const table: TableDefinition = {
  schemaName: 'sales',
  tableName: 'orders',
  columns: [{ name: 'id', type: RedshiftColumnType.integer() }, { name: 'amount', type: RedshiftColumnType.integer() }, { name: 'at', type: RedshiftColumnType.integer() }],
  keyColumns: ['id'],
};

let server: PostgresServer;
beforeAll(async () => { server = await PostgresServer.start(); });
afterAll(async () => server?.stop());

/** Waits until `session` is blocked on a lock (pg_stat_activity), so the interleaving is certain. */
async function waitUntilBlocked(db: Database, session: Session): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const rows = await db.query(`SELECT wait_event_type FROM pg_stat_activity WHERE pid = ${session.pid}`);
    if (rows[0]?.wait_event_type === 'Lock') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`session ${session.pid} never waited on a lock`);
}

/** Runs the load of `values` in `holder` without committing: it holds the lock and has applied its rows. */
async function holdOpen(f: UpsertFixture, holder: Session, sqls: string[]): Promise<void> {
  await holder.exec(`BEGIN ISOLATION LEVEL ${f.isolation}`);
  for (const sql of sqls) await holder.exec(sql, f.s3);
}

describe.each(['REPEATABLE READ', 'SERIALIZABLE'] as Isolation[])('concurrent loads at %s', (isolation) => {
  async function fixture(strategy = UpsertStrategy.DELETE_INSERT): Promise<UpsertFixture> {
    const f = new UpsertFixture(await server.createDatabase(), { table, orderColumn: 'at', strategy }, isolation);
    await f.ensureTables();
    return f;
  }

  test.each([UpsertStrategy.DELETE_INSERT, UpsertStrategy.MERGE])('S1/S2: a second run of the same data that waited for the lock sees the first run and changes nothing (%s)', async (strategy) => {
    const f = await fixture(strategy);
    const values = f.stage('m/1.manifest', [[[1, 10, 1], [2, 20, 1]]]);
    const first = await f.db.session();
    const second = await f.db.session();
    await holdOpen(f, first, StagingUpsertSql.render(f.load, values));
    const secondRun = f.apply(values, second); // duplicate delivery, or a retried BatchExecuteStatement
    await waitUntilBlocked(f.db, second);
    await first.exec('COMMIT');
    await secondRun;
    expect(await f.rows('id')).toEqual([{ id: 1, amount: 10, at: 1 }, { id: 2, amount: 20, at: 1 }]);
    expect(await f.duplicateKeys()).toEqual([]);
    expect(await f.ledger()).toHaveLength(1);
    await f.db.closeAll();
  });

  test('S6: an older load that waited for a newer one does not roll its rows back', async () => {
    const f = await fixture();
    const newer = f.stage('m/2.manifest', [[[1, 99, 5]]]);
    const older = f.stage('m/1.manifest', [[[1, 10, 1], [2, 20, 1]]]);
    const first = await f.db.session();
    const second = await f.db.session();
    await holdOpen(f, first, StagingUpsertSql.render(f.load, newer));
    const olderRun = f.apply(older, second);
    await waitUntilBlocked(f.db, second);
    await first.exec('COMMIT');
    await olderRun;
    expect(await f.rows('id')).toEqual([{ id: 1, amount: 99, at: 5 }, { id: 2, amount: 20, at: 1 }]);
    expect((await f.ledger()).map((l) => [l.manifest_key, l.load_seq, l.rows_applied])).toEqual([['m/2.manifest', 1, 1], ['m/1.manifest', 2, 1]]);
    await f.db.closeAll();
  });

  test('S6: loads racing freely end in the newest version of every key, whoever wins the lock', async () => {
    const f = await fixture();
    const loads = [1, 2, 3, 4, 5, 6].map((n) => f.stage(`m/${n}.manifest`, [[[1, n * 10, n], [n + 1, n, n]]]));
    await Promise.all([...loads].reverse().map((v) => f.apply(v)));
    expect(await f.rows('id')).toEqual([{ id: 1, amount: 60, at: 6 }, ...[2, 3, 4, 5, 6, 7].map((id) => ({ id, amount: id - 1, at: id - 1 }))]);
    expect((await f.ledger()).map((l) => l.load_seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await f.duplicateKeys()).toEqual([]);
  });

  test('S8: two first loads race on the DDL: the loser fails with an error the state machine retries, and its retry succeeds', async () => {
    const f = new UpsertFixture(await server.createDatabase(), { table, orderColumn: 'at' }, isolation);
    const first = await f.db.session();
    const second = await f.db.session();
    await holdOpen(f, first, f.tables);
    const loser = f.ensureTables(second).then(() => undefined, (e: Error) => e);
    await waitUntilBlocked(f.db, second);
    await first.exec('COMMIT');
    const error = await loser;
    expect(error).toBeInstanceOf(Error);
    expect(new RegExp(jsRegex(DDL_RACE_ERROR).source, 'i').test(`ERROR: ${error!.message}`)).toBe(true);
    await f.ensureTables(second);
    await f.apply(f.stage('m/1.manifest', [[[1, 1, 1]]]), second);
    expect(await f.rows('id')).toEqual([{ id: 1, amount: 1, at: 1 }]);
    await f.db.closeAll();
  });
});

test('the transient-error patterns match what the engine says (PostgreSQL wording) and not data errors', () => {
  const transient = jsRegex(TRANSIENT_SQL_ERROR);
  expect(transient.test('ERROR: could not serialize access due to concurrent update')).toBe(true);
  expect(transient.test('ERROR: 1023 DETAIL: Serializable isolation violation on table - 123, transactions forming the cycle are: 1, 2')).toBe(true);
  expect(transient.test('ERROR: deadlock detected')).toBe(true);
  expect(transient.test('ERROR: invalid input syntax for type integer: "x"')).toBe(false);
  expect(transient.test('ERROR: null value in column "id" violates not-null constraint')).toBe(false);
  const ddl = jsRegex(DDL_RACE_ERROR);
  expect(ddl.test('ERROR: duplicate key value violates unique constraint "pg_namespace_nspname_index"')).toBe(true);
  expect(ddl.test('ERROR: relation "orders" already exists')).toBe(true);
  expect(ddl.test('ERROR: permission denied for schema sales')).toBe(false);
});

/** A JSONata regular expression literal (/.../flags) as a JavaScript RegExp. */
function jsRegex(literal: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/.exec(literal)!;
  return new RegExp(m[1], m[2]);
}
