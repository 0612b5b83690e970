import * as path from 'path';
import { Worker } from 'worker_threads';

/** One statement of a batch; `csv` feeds `COPY ... FROM '/dev/blob'`. */
export interface BatchStatement {
  readonly sql: string;
  readonly csv?: string;
}

/** A real PostgreSQL (PGlite) in a worker thread, started and stopped by the test. */
export class PostgresEngine {
  private readonly worker = new Worker(path.join(__dirname, 'pglite-worker.js'));
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker.on('message', (m: { id: number; ok: boolean; rows?: any[]; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.rows); else p.reject(new Error(m.error));
    });
  }

  /** Runs the statements in one transaction; any failure rolls all of them back. */
  public batch(statements: BatchStatement[]): Promise<void> {
    return this.send({ batch: statements });
  }

  /** Runs one query and returns its rows. */
  public query(sql: string): Promise<any[]> {
    return this.send({ query: sql });
  }

  public async close(): Promise<void> {
    await this.send({ close: true });
    await this.worker.terminate();
  }

  private send(msg: object): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...msg });
    });
  }
}
