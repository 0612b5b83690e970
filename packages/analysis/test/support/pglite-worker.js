/*
 * Runs PGlite (real PostgreSQL compiled to WebAssembly) in a worker thread: PGlite loads
 * node built-ins with dynamic import(), which jest's module sandbox does not allow
 * without --experimental-vm-modules. The test talks to it with messages:
 *   { id, batch: [{ sql, csv? }] }  -> runs every statement in ONE transaction (like a Data API batch)
 *   { id, query: sql }              -> one statement, returns rows
 */
const { parentPort } = require('worker_threads');
const { PGlite } = require('@electric-sql/pglite');

const db = new PGlite();

parentPort.on('message', async (msg) => {
  try {
    if (msg.close) {
      await db.close();
      parentPort.postMessage({ id: msg.id, ok: true });
      return;
    }
    if (msg.batch) {
      await db.transaction(async (tx) => {
        for (const s of msg.batch) {
          await tx.query(s.sql, [], s.csv !== undefined ? { blob: new Blob([s.csv]) } : undefined);
        }
      });
      parentPort.postMessage({ id: msg.id, ok: true });
      return;
    }
    const result = await db.query(msg.query);
    parentPort.postMessage({ id: msg.id, ok: true, rows: result.rows });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, ok: false, error: String(e && e.message ? e.message : e) });
  }
});
