import { StepFunctionsLimits } from '@analytics-patterns/core';
import { expectValidAsl } from '@analytics-patterns/testing';
import { PostgresServer } from './support/postgres';
import { declaredTransitions, TaskError } from './support/sfn-executor';
import { BUCKET, dataIdOf } from './support/upsert-fixture';
import { buildMachine, World } from './support/upsert-machine';
import { UpsertLimits } from '../src/staging-upsert/upsert-limits';

/*
 * The synthesized state machine, executed state by state (support/sfn-executor.ts) against a
 * fake S3 and a fake Data API that runs the batches on a real PostgreSQL server. Scenario ids
 * are the rows of the README's test table.
 */

let server: PostgresServer;
beforeAll(async () => { server = await PostgresServer.start(); });
afterAll(async () => server?.stop());

const machine = buildMachine();

async function world(m = machine): Promise<World> {
  return new World(await server.createDatabase(), m);
}

test('the definition is valid ASL (asl-validator) and JSONata throughout', () => {
  expectValidAsl(machine.definition);
  expect(machine.definition.QueryLanguage).toBe('JSONata');
  expect(machine.definition.TimeoutSeconds).toBe(7200);
});

describe('loads', () => {
  test('a manifest lands: files statted, frozen manifest written, DDL, one batch; the ledger identifies the data', async () => {
    const w = await world();
    const key = w.publish('0001', [[[1, 10, 1], [2, 20, 1]], [[3, 30, 1]]]);
    const r = await w.run(key);
    expect(r.status).toBe('SUCCEEDED');
    expect(await w.rows()).toEqual([{ id: 1, amount: 10, at: 1 }, { id: 2, amount: 20, at: 1 }, { id: 3, amount: 30, at: 1 }]);
    const files = [0, 1].map((i) => {
      const o = w.s3.get(BUCKET, `data/0001-${i}.csv`)!;
      return { url: `s3://${BUCKET}/data/0001-${i}.csv`, etag: o.etag, size: Buffer.byteLength(o.body) };
    });
    const manifest = w.s3.get(BUCKET, key)!;
    expect(await w.ledger()).toEqual([{
      data_id: dataIdOf(files), manifest_key: key, manifest_etag: manifest.etag, manifest_version: manifest.versionId, file_count: 2, rows_applied: 3,
    }]);
    const frozen = w.s3.get(BUCKET, `upsert-frozen-manifests/sales/orders/${dataIdOf(files)}.manifest.json`)!;
    expect(JSON.parse(frozen.body)).toEqual({ entries: files.map((f) => ({ url: f.url, mandatory: true, meta: { content_length: f.size } })) });
    expect(r.output).toEqual({ manifestKey: key, dataId: dataIdOf(files), statementId: 'stmt-2' });
    expect(w.dataApi.statements.map((s) => s.sqls[0].split(' ')[0])).toEqual(['CREATE', 'LOCK']);
  });

  test('the data id does not depend on the order of the manifest entries', async () => {
    const w = await world();
    w.publish('a', [[[1, 1, 1]], [[2, 2, 2]], [[3, 3, 3]]]);
    const reordered = JSON.parse(w.s3.get(BUCKET, 'manifests/orders/a.manifest')!.body);
    reordered.entries.reverse();
    w.s3.put(BUCKET, 'manifests/orders/b.manifest', JSON.stringify(reordered));
    const a = await w.run('manifests/orders/a.manifest');
    const b = await w.run('manifests/orders/b.manifest');
    expect((b.output as any).dataId).toBe((a.output as any).dataId);
    expect(await w.ledger()).toHaveLength(1);
  });

  test('S2: the same event delivered twice (two executions at once): both succeed, one ledger row, no duplicate keys', async () => {
    const w = await world();
    const key = w.publish('dup', [[[1, 10, 1], [2, 20, 1]]]);
    const [a, b] = await Promise.all([w.run(key), w.run(key)]);
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await w.rows()).toEqual([{ id: 1, amount: 10, at: 1 }, { id: 2, amount: 20, at: 1 }]);
    expect(await w.ledger()).toHaveLength(1);
  });

  test('S2: BatchExecuteStatement fails with InternalServerException after submitting: the Retry sends the same ClientToken, one batch runs', async () => {
    const w = await world();
    w.dataApi.faults.failAfterSubmit = [2];
    const r = await w.run(w.publish('retry', [[[1, 10, 1]]]));
    expect(r.status).toBe('SUCCEEDED');
    const runs = r.calls.filter((c) => c.state === 'LoadRun');
    expect(runs).toHaveLength(2);
    expect(runs[1].args.ClientToken).toBe(runs[0].args.ClientToken);
    expect(runs[0].args.ClientToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(w.dataApi.statements.filter((s) => s.sqls[0].startsWith('LOCK'))).toHaveLength(1);
    expect(await w.ledger()).toHaveLength(1);
  });

  test('S3: a manifest rewritten byte-identical over new data files is loaded again', async () => {
    const w = await world();
    const key = w.publish('daily', [[[1, 10, 1]]]);
    await w.run(key);
    w.s3.put(BUCKET, 'data/daily-0.csv', 'id,amount,at\n"1","11","2"\n');
    const before = w.s3.get(BUCKET, key)!;
    const after = w.s3.put(BUCKET, key, before.body);
    expect(after.etag).toBe(before.etag);
    expect((await w.run(key)).status).toBe('SUCCEEDED');
    expect(await w.rows()).toEqual([{ id: 1, amount: 11, at: 2 }]);
    expect((await w.ledger()).map((l) => [l.manifest_etag, l.manifest_version]))
      .toEqual([[before.etag, before.versionId], [after.etag, after.versionId]]);
  });

  test('S4: a manifest overwritten between reading it and COPY: the load is the version read, and the ledger says so', async () => {
    const w = await world();
    const key = w.publish('live', [[[1, 10, 1]]]);
    const first = w.s3.get(BUCKET, key)!;
    w.publish('other', [[[1, 99, 9], [2, 2, 9]]]);
    const s3 = w.s3.handlers();
    const r = await w.run(key, {
      's3:getObject': (args) => {
        const result = s3['s3:getObject'](args);
        w.s3.put(BUCKET, key, w.s3.get(BUCKET, 'manifests/orders/other.manifest')!.body); // overwritten right after the read
        return result;
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(await w.rows()).toEqual([{ id: 1, amount: 10, at: 1 }]);
    expect((await w.ledger()).map((l) => [l.manifest_etag, l.manifest_version])).toEqual([[first.etag, first.versionId]]);
    expect((await w.run(key)).status).toBe('SUCCEEDED'); // the overwrite's own event
    expect(await w.rows()).toEqual([{ id: 1, amount: 99, at: 9 }, { id: 2, amount: 2, at: 9 }]);
  });

  test('S17: a data file overwritten after the freeze, before the batch: COPY loads the new bytes, the ledger names the version statted; a manifest naming the new bytes changes nothing', async () => {
    const w = await world();
    const key = w.publish('mutable', [[[1, 10, 1]]]);
    const old = w.s3.get(BUCKET, 'data/mutable-0.csv')!;
    const s3 = w.s3.handlers();
    const r = await w.run(key, {
      's3:putObject': (args) => {
        const result = s3['s3:putObject'](args); // the frozen manifest...
        w.s3.put(BUCKET, 'data/mutable-0.csv', 'id,amount,at\n"1","11","2"\n"2","20","2"\n'); // ...then the data file is overwritten
        return result;
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    // Redshift manifests carry no version ids: COPY reads the file as it is when the batch runs
    expect(await w.rows()).toEqual([{ id: 1, amount: 11, at: 2 }, { id: 2, amount: 20, at: 2 }]);
    const url = `s3://${BUCKET}/data/mutable-0.csv`;
    const statted = dataIdOf([{ url, etag: old.etag, size: Buffer.byteLength(old.body) }]);
    expect((await w.ledger()).map((l) => [l.data_id, l.file_count, l.rows_applied])).toEqual([[statted, 1, 2]]);
    // the rewritten file is new data (new ETag): listed again, it is loaded as its own data id and, as its rows are
    // already in the target, applies nothing
    const now = w.s3.get(BUCKET, 'data/mutable-0.csv')!;
    w.s3.put(BUCKET, key, w.s3.get(BUCKET, key)!.body);
    expect((await w.run(key)).status).toBe('SUCCEEDED');
    expect(await w.rows()).toEqual([{ id: 1, amount: 11, at: 2 }, { id: 2, amount: 20, at: 2 }]);
    expect((await w.ledger()).map((l) => [l.data_id, l.rows_applied]))
      .toEqual([[statted, 2], [dataIdOf([{ url, etag: now.etag, size: Buffer.byteLength(now.body) }]), 0]]);
  });

  test('S5: an older manifest after a newer one: no rollback; the corrective replay is a no-op', async () => {
    const w = await world();
    const older = w.publish('older', [[[1, 10, 1]]]);
    const newer = w.publish('newer', [[[1, 20, 2]]]);
    await w.run(newer);
    await w.run(older);
    expect(await w.rows()).toEqual([{ id: 1, amount: 20, at: 2 }]);
    await w.run(newer);
    expect(await w.rows()).toEqual([{ id: 1, amount: 20, at: 2 }]);
    expect((await w.ledger()).map((l) => [l.manifest_key, l.rows_applied])).toEqual([[newer, 1], [older, 0]]);
  });
});

describe('retries and failures', () => {
  test('transient S3 errors are retried', async () => {
    const w = await world();
    const key = w.publish('flaky', [[[1, 1, 1]]]);
    let failures = 1;
    const s3 = w.s3.handlers();
    const r = await w.run(key, {
      's3:headObject': (args) => {
        if (failures-- > 0) throw new TaskError('S3.SlowDown', 'Please reduce your request rate');
        return s3['s3:headObject'](args);
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.filter((c) => c.state === 'HeadDataFile')).toHaveLength(2);
  });

  test('S9: a transient Redshift error (serializable isolation violation) runs the batch again after a backoff', async () => {
    const w = await world();
    const key = w.publish('conflict', [[[1, 1, 1]]]);
    let failed = false;
    const api = w.dataApi.handlers();
    const r = await w.run(key, {
      'redshiftdata:describeStatement': async (args) => {
        const d: any = await api['redshiftdata:describeStatement'](args);
        if (!failed && d.Status === 'FINISHED' && w.dataApi.statements.length === 2) {
          failed = true;
          await w.db.query('DELETE FROM sales.orders; DELETE FROM sales.upsert_ledger'); // as if the first run had rolled back
          return { ...d, Status: 'FAILED', Error: 'ERROR: 1023 DETAIL: Serializable isolation violation on table - 100, transactions forming the cycle are: 7, 8' };
        }
        return d;
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toContain('LoadBackoff');
    expect(r.calls.filter((c) => c.state === 'LoadRun').map((c) => c.args.ClientToken)).toEqual([expect.any(String), expect.not.stringMatching(/^$/)]);
    const [t1, t2] = r.calls.filter((c) => c.state === 'LoadRun').map((c) => c.args.ClientToken);
    expect(t2).not.toBe(t1); // a new attempt is a new batch
    expect(await w.ledger()).toHaveLength(1);
  });

  test('S8: the first load loses the DDL race: the DDL runs again and the load goes on', async () => {
    const w = await world();
    const key = w.publish('first', [[[1, 1, 1]]]);
    const api = w.dataApi.handlers();
    let raced = false;
    const r = await w.run(key, {
      'redshiftdata:describeStatement': async (args) => {
        const d: any = await api['redshiftdata:describeStatement'](args);
        if (!raced && w.dataApi.statements.length === 1) {
          raced = true;
          return { ...d, Status: 'FAILED', Error: 'ERROR: duplicate key value violates unique constraint "pg_namespace_nspname_index"' };
        }
        return d;
      },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path.filter((s) => s === 'TablesRun')).toHaveLength(2);
    expect(r.path).toContain('TablesBackoff');
    expect(await w.rows()).toEqual([{ id: 1, amount: 1, at: 1 }]);
  });

  test('a data error fails the execution with Redshift\'s message, without another attempt', async () => {
    const w = await world();
    const r = await w.run(w.publish('bad', [[[1, 'not a number', 1]]]));
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Redshift.StatementFailed');
    expect(r.cause).toMatch(/^Statement stmt-2 FAILED: ERROR: invalid input syntax for type integer/);
    expect(r.path).not.toContain('LoadBackoff');
  });

  test('S10: a statement still running at the deadline is cancelled, and the execution fails', async () => {
    const w = await world();
    w.dataApi.faults.hang = [2];
    const r = await w.run(w.publish('slow', [[[1, 1, 1]]]));
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Upsert.StatementTimedOut');
    expect(r.path.slice(-5)).toEqual(['LoadDeadline', 'LoadCancel', 'LoadFinalStatus', 'LoadCancelVerdict', 'LoadTimedOut']);
    expect(w.dataApi.statements[1].status).toBe('ABORTED');
    expect(r.elapsedSeconds).toBeGreaterThanOrEqual(7200 - 15 - UpsertLimits.CANCEL_MARGIN_SECONDS);
    expect(r.elapsedSeconds).toBeLessThan(7200);
    expect(await w.rows()).toEqual([]);
  });

  test('S11: DescribeStatement keeps failing after the batch was submitted: cancelled, and the failure says the outcome is unknown', async () => {
    const w = await world();
    w.dataApi.faults.hang = [2];
    const key = w.publish('blind', [[[1, 1, 1]]]);
    const api = w.dataApi.handlers();
    const r = await w.run(key, {
      'redshiftdata:describeStatement': (args) => {
        if (w.dataApi.statements.length === 2) throw new TaskError('RedshiftData.InternalServerException', 'service unavailable');
        return api['redshiftdata:describeStatement'](args);
      },
    });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Redshift.OutcomeUnknown');
    expect(r.cause).toContain('may have committed');
    expect(r.calls.filter((c) => c.state === 'LoadDescribe')).toHaveLength(7); // the call and its 6 retries
    expect(r.calls.filter((c) => c.state === 'LoadCancelUnknown')).toHaveLength(1);
    expect(w.dataApi.statements[1].status).toBe('ABORTED');
  });

  test.each([
    [42, 'Upsert.InvalidManifestKey'],
    ["manifests/orders/x'; DROP TABLE t; --.manifest", 'Upsert.InvalidManifestKey'],
    ['manifests/other/x.manifest', 'Upsert.InvalidManifestKey'],
    ['manifests/orders/x.csv', 'Upsert.InvalidManifestKey'],
    ['manifests/orders/missing.manifest', 'Upsert.ManifestUnreadable'],
  ])('rejects the manifest key %p (%s)', async (key, error) => {
    const w = await world();
    const r = await w.run(key);
    expect([r.status, r.error]).toEqual(['FAILED', error]);
    expect(w.dataApi.batchCalls).toBe(0);
  });

  test.each([
    ['not JSON', 'Upsert.ManifestUnreadable', () => 'entries: none'],
    ['no entries', 'Upsert.InvalidManifest', () => JSON.stringify({ entries: [] })],
    ['a file outside the data prefix', 'Upsert.InvalidManifest', () => JSON.stringify({ entries: [{ url: `s3://${BUCKET}/elsewhere/x.csv` }] })],
    ['a file in another bucket', 'Upsert.InvalidManifest', () => JSON.stringify({ entries: [{ url: 's3://other-bucket/data/x.csv' }] })],
    ['a quote in a URL', 'Upsert.InvalidManifest', () => JSON.stringify({ entries: [{ url: `s3://${BUCKET}/data/x'.csv` }] })],
    ['a missing data file', 'Upsert.DataFileUnreadable', () => JSON.stringify({ entries: [{ url: `s3://${BUCKET}/data/missing.csv` }] })],
    [`${UpsertLimits.MANIFEST_FILES + 1} files`, 'Upsert.InvalidManifest',
      () => JSON.stringify({ entries: Array.from({ length: UpsertLimits.MANIFEST_FILES + 1 }, (_, i) => ({ url: `s3://${BUCKET}/data/${i}.csv` })) })],
  ])('rejects a manifest with %s', async (_, error, body) => {
    const w = await world();
    w.s3.put(BUCKET, 'manifests/orders/m.manifest', body());
    const r = await w.run('manifests/orders/m.manifest');
    expect([r.status, r.error]).toEqual(['FAILED', error]);
    expect(w.dataApi.batchCalls).toBe(0);
  });

  test(`a manifest of exactly ${UpsertLimits.MANIFEST_FILES} files is loaded`, async () => {
    const w = await world();
    const key = w.publish('wide', Array.from({ length: UpsertLimits.MANIFEST_FILES }, (_, i) => [[i, i, 1]]));
    const r = await w.run(key);
    expect(r.status).toBe('SUCCEEDED');
    expect((await w.rows()).length).toBe(UpsertLimits.MANIFEST_FILES);
    expect(r.events.length).toBeLessThan(StepFunctionsLimits.HISTORY_EVENTS);
  });
});

describe('every other path: faults of the fake S3 and Data API', () => {
  const DDL = 1; // statement numbers: the DDL batch is the first statement, the load batch the second
  const LOAD = 2;
  const ended = (r: { path: string[] }, n: number) => r.path.slice(-n);

  test('a slow DDL batch is polled again until it finishes (TablesCheck -> TablesWait)', async () => {
    const w = await world();
    w.dataApi.faults.startedPolls = { [DDL]: 2 };
    const r = await w.run(w.publish('slow-ddl', [[[1, 1, 1]]]));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.filter((c) => c.state === 'TablesDescribe')).toHaveLength(3);
    expect(await w.rows()).toEqual([{ id: 1, amount: 1, at: 1 }]);
  });

  test('the DDL fails with a lasting error: Redshift.StatementFailed with its message, no load batch', async () => {
    const w = await world();
    w.dataApi.faults.failWith = { [DDL]: 'ERROR: permission denied for schema sales' };
    const r = await w.run(w.publish('denied', [[[1, 1, 1]]]));
    expect([r.status, r.error, r.cause]).toEqual(['FAILED', 'Redshift.StatementFailed', 'Statement stmt-1 FAILED: ERROR: permission denied for schema sales']);
    expect(ended(r, 2)).toEqual(['TablesCheck', 'TablesFailed']);
    expect(w.dataApi.statements).toHaveLength(1);
  });

  test('the DDL runs out of time: cancelled, Upsert.StatementTimedOut, no load batch', async () => {
    const w = await world();
    w.dataApi.faults.hang = [DDL];
    const r = await w.run(w.publish('ddl-hangs', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Upsert.StatementTimedOut']);
    expect(ended(r, 5)).toEqual(['TablesDeadline', 'TablesCancel', 'TablesFinalStatus', 'TablesCancelVerdict', 'TablesTimedOut']);
    expect(w.dataApi.statements.map((st) => st.status)).toEqual(['ABORTED']);
  });

  test('the DDL commits before the cancel reaches it: the cancel fails, the final status is FINISHED, the load goes on', async () => {
    const w = await world();
    w.dataApi.faults.commitBeatsCancel = [DDL];
    const r = await w.run(w.publish('ddl-commits', [[[1, 1, 1]]]));
    expect(r.status).toBe('SUCCEEDED');
    expect(r.transitions).toEqual(expect.arrayContaining([
      'TablesDeadline -[Choice 0]-> TablesCancel', 'TablesCancel -[Catch 0]-> TablesFinalStatus', 'TablesCancelVerdict -[Choice 0]-> LoadStart',
    ]));
    expect(await w.rows()).toEqual([{ id: 1, amount: 1, at: 1 }]);
  });

  test('the DDL\'s final status cannot be read after the cancel (retries exhausted): Upsert.StatementTimedOut', async () => {
    const w = await world();
    w.dataApi.faults.hang = [DDL];
    w.dataApi.faults.describeErrorAfterCancel = 'RedshiftData.InternalServerException';
    const r = await w.run(w.publish('ddl-blind', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Upsert.StatementTimedOut']);
    expect(r.calls.filter((c) => c.state === 'TablesFinalStatus')).toHaveLength(7); // the call and its 6 retries
    expect(r.transitions).toContain('TablesFinalStatus -[Catch 0]-> TablesTimedOut');
  });

  test.each([
    ['still running: cancelled', [DDL], 'TablesCancelUnknown -[Next]-> TablesOutcomeUnknown', 'ABORTED'],
    ['already finished: the cancel fails', [], 'TablesCancelUnknown -[Catch 0]-> TablesOutcomeUnknown', 'FINISHED'],
  ])('DescribeStatement of the DDL keeps failing, the DDL %s; Redshift.OutcomeUnknown', async (_name, hang, transition, status) => {
    const w = await world();
    w.dataApi.faults.hang = hang;
    w.dataApi.faults.describeError = 'RedshiftData.InternalServerException';
    const r = await w.run(w.publish('ddl-unknown', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Redshift.OutcomeUnknown']);
    expect(r.transitions).toEqual(expect.arrayContaining(['TablesDescribe -[Catch 0]-> TablesCancelUnknown', transition]));
    expect(w.dataApi.statements.map((st) => st.status)).toEqual([status]);
  });

  test('DescribeStatement of the load keeps failing after it committed: the cancel fails, Redshift.OutcomeUnknown; the rows and ledger are in', async () => {
    const w = await world();
    w.dataApi.faults.describeError = 'RedshiftData.InternalServerException';
    w.dataApi.faults.describeErrorStatements = [LOAD];
    const r = await w.run(w.publish('load-unknown', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Redshift.OutcomeUnknown']);
    expect(r.transitions).toContain('LoadCancelUnknown -[Catch 0]-> LoadOutcomeUnknown');
    expect(await w.rows()).toEqual([{ id: 1, amount: 1, at: 1 }]);
    expect(await w.ledger()).toHaveLength(1);
  });

  test('the load commits before the cancel reaches it: the cancel fails, the final status is FINISHED, Loaded', async () => {
    const w = await world();
    w.dataApi.faults.commitBeatsCancel = [LOAD];
    const r = await w.run(w.publish('load-commits', [[[1, 1, 1]]]));
    expect(r.status).toBe('SUCCEEDED');
    expect(ended(r, 5)).toEqual(['LoadDeadline', 'LoadCancel', 'LoadFinalStatus', 'LoadCancelVerdict', 'Loaded']);
    expect(r.transitions).toContain('LoadCancel -[Catch 0]-> LoadFinalStatus');
    expect(await w.rows()).toEqual([{ id: 1, amount: 1, at: 1 }]);
    expect(await w.ledger()).toHaveLength(1);
  });

  test('the load\'s final status cannot be read after the cancel (retries exhausted): Upsert.StatementTimedOut', async () => {
    const w = await world();
    w.dataApi.faults.hang = [LOAD];
    w.dataApi.faults.describeErrorAfterCancel = 'RedshiftData.InternalServerException';
    const r = await w.run(w.publish('load-blind', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Upsert.StatementTimedOut']);
    expect(r.calls.filter((c) => c.state === 'LoadFinalStatus')).toHaveLength(7);
    expect(ended(r, 2)).toEqual(['LoadFinalStatus', 'LoadTimedOut']);
    expect(w.dataApi.statements[1].status).toBe('ABORTED');
  });

  test('the frozen manifest cannot be written: Upsert.FreezeFailed, no batch', async () => {
    const w = await world();
    w.s3.faults.putObject = 'S3.AccessDeniedException';
    const r = await w.run(w.publish('frozen', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Upsert.FreezeFailed']);
    expect(r.calls.filter((c) => c.state === 'FreezeManifest')).toHaveLength(1); // not a transient error: not retried
    expect(w.dataApi.batchCalls).toBe(0);
  });

  test('a transient S3 error that does not go away: retried 5 times, then Upsert.DataFileUnreadable', async () => {
    const w = await world();
    w.s3.faults.headObject = 'S3.SlowDown';
    const r = await w.run(w.publish('throttled', [[[1, 1, 1]]]));
    expect([r.status, r.error]).toEqual(['FAILED', 'Upsert.DataFileUnreadable']);
    expect(r.calls.filter((c) => c.state === 'HeadDataFile')).toHaveLength(6);
    expect(w.dataApi.batchCalls).toBe(0);
  });

  test('a transient Redshift error on every attempt: run maxAttempts (3) times, then Redshift.StatementFailed', async () => {
    const w = await world();
    const api = w.dataApi.handlers();
    const r = await w.run(w.publish('conflicts', [[[1, 1, 1]]]), {
      'redshiftdata:describeStatement': async (args, call) => {
        const d: any = await api['redshiftdata:describeStatement'](args);
        if (call.state !== 'LoadDescribe') return d;
        await w.db.query('DELETE FROM sales.orders; DELETE FROM sales.upsert_ledger'); // as if each run had rolled back
        return { ...d, Status: 'FAILED', Error: 'ERROR: 1023 DETAIL: Serializable isolation violation on table - 100' };
      },
    });
    expect([r.status, r.error]).toEqual(['FAILED', 'Redshift.StatementFailed']);
    expect(r.calls.filter((c) => c.state === 'LoadRun')).toHaveLength(3);
    expect(r.path.filter((st) => st === 'LoadBackoff')).toHaveLength(2);
    expect(await w.rows()).toEqual([]);
  });
});

describe('S14: history bound', () => {
  test('events besides files and polls, without retries, stay within EVENTS_BASE (cancel path, the longest)', async () => {
    const w = await world(buildMachine({}, { PollSeconds: 60, TimeoutSeconds: 8 * 3600 }));
    w.dataApi.faults.hang = [2];
    const r = await w.run(w.publish('base', [[[1, 1, 1]]]));
    expect(r.error).toBe('Upsert.StatementTimedOut');
    const polls = r.variables.polls as number;
    const base = r.events.length - UpsertLimits.EVENTS_PER_FILE - polls * UpsertLimits.EVENTS_PER_POLL;
    expect(base).toBeLessThanOrEqual(UpsertLimits.EVENTS_BASE);
    expect(base).toBeGreaterThan(UpsertLimits.EVENTS_BASE - 10); // the constant is measured, not a guess
  });


  test('a 1 s poll interval and an 8 h timeout given as tokens, the largest manifest and RETRY_BUDGET retried calls: polling stops at the budget, the statement is cancelled, the history stays under 25,000 events, with few to spare', async () => {
    const m = buildMachine({}, { PollSeconds: 1, TimeoutSeconds: 8 * 3600 });
    const w = await world(m);
    w.dataApi.faults.hang = [2];
    const key = w.publish('wide', Array.from({ length: UpsertLimits.MANIFEST_FILES }, (_, i) => [[i, i, 1]]));
    let throttled = 0;
    const seen = new Set<string>();
    const s3 = w.s3.handlers();
    const r = await w.run(key, {
      's3:headObject': (args) => { // the first attempt of each of the first RETRY_BUDGET files is throttled once
        if (!seen.has(args.Key) && throttled < UpsertLimits.RETRY_BUDGET) {
          seen.add(args.Key);
          throttled++;
          throw new TaskError('S3.SlowDown', 'Please reduce your request rate');
        }
        return s3['s3:headObject'](args);
      },
    });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Upsert.StatementTimedOut');
    expect(throttled).toBe(UpsertLimits.RETRY_BUDGET);
    expect(r.variables.polls).toBe(UpsertLimits.MAX_POLLS);
    expect(r.events.length).toBeLessThanOrEqual(StepFunctionsLimits.HISTORY_EVENTS);
    // the budget is tight: a few more retried calls would reach the quota
    expect(r.events.length).toBeGreaterThan(StepFunctionsLimits.HISTORY_EVENTS - (UpsertLimits.EVENTS_BASE + UpsertLimits.EVENTS_PER_POLL));
    expect(w.dataApi.statements[1].status).toBe('ABORTED');
  }, 300_000); // executes ~1,900 poll iterations of the definition: minutes on a loaded 2-core machine
});

/*
 * Keep this the last test of the file (jest runs a file's tests in order): every transition the
 * synthesized definition declares (each Next, Choice rule, Default and Catch) must have been taken
 * by some execution above, so a new path without a test fails here.
 */
test('every transition of the definition was taken by an execution of this file', () => {
  const declared = new Set(declaredTransitions(machine.definition));
  expect(declared.size).toBeGreaterThan(50);
  const untaken = [...declared].filter((t) => !World.transitionsTaken.has(t)).sort();
  expect(untaken).toEqual([]);
  // and the executor only ever followed declared transitions
  expect([...World.transitionsTaken].filter((t) => !declared.has(t))).toEqual([]);
});
