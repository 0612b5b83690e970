import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Client } from 'pg';

/** Transaction isolation of a batch. REPEATABLE READ is PostgreSQL's snapshot isolation (Redshift's SNAPSHOT). */
export type Isolation = 'REPEATABLE READ' | 'SERIALIZABLE' | 'READ COMMITTED';

/** Reads `s3://bucket/key` for COPY (see FakeS3). */
export interface ObjectSource {
  read(uri: string): string;
}

/**
 * A real PostgreSQL server for one test file (started by the test, stopped in afterAll), with a
 * fresh database per test or scenario. Sessions are real connections, so concurrent sessions,
 * locks and isolation levels behave as on a server.
 */
export class PostgresServer {
  public static async start(): Promise<PostgresServer> {
    const child = spawn(process.execPath, [path.join(__dirname, 'postgres-server.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => { stderr += d; });
    const info = await new Promise<{ port: number; password: string; filesDir: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
      });
      child.on('exit', (code) => reject(new Error(`PostgreSQL server exited (${code}): ${stderr}`)));
    });
    return new PostgresServer(child, info.port, info.password, info.filesDir);
  }

  private databases = 0;

  private constructor(
    private readonly child: ChildProcess,
    public readonly port: number,
    private readonly password: string,
    public readonly filesDir: string,
  ) {}

  /** A new, empty database (C collation, UTF-8). */
  public async createDatabase(prefix = 'db'): Promise<Database> {
    const name = `${prefix}_${++this.databases}`;
    const admin = this.client('postgres');
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    return new Database(this, name);
  }

  public client(database: string): Client {
    return new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', password: this.password, database });
  }

  public async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}

/** One database of the server. */
export class Database {
  private files = 0;
  private readonly open: Session[] = [];

  constructor(private readonly server: PostgresServer, public readonly name: string) {}

  public async session(): Promise<Session> {
    const client = this.server.client(this.name);
    await client.connect();
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const s = new Session(this, client, pid);
    this.open.push(s);
    return s;
  }

  /** One statement in its own session (autocommit); returns the rows. */
  public async query(sql: string): Promise<any[]> {
    const s = await this.session();
    try {
      return await s.query(sql);
    } finally {
      await s.close();
    }
  }

  /** Writes a file the server's OS user can read (for COPY ... FROM '<file>'). */
  public writeFile(text: string): string {
    const file = path.join(this.server.filesDir, `${this.name}-copy-${++this.files}.csv`);
    fs.writeFileSync(file, text, { mode: 0o644 });
    return file;
  }

  public async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((s) => s.close()));
  }
}

const COPY = /^COPY ("[^"]+")( \([^)]*\))? FROM '(s3:\/\/[^']+)' WITH \(FORMAT csv, HEADER true\)$/;

/** One connection. */
export class Session {
  private closed = false;

  constructor(private readonly db: Database, private readonly client: Client, public readonly pid: number) {}

  public async query(sql: string): Promise<any[]> {
    return (await this.client.query(sql)).rows;
  }

  /**
   * Runs the statements as ONE transaction at `isolation` (a Data API batch): any failure rolls
   * all of them back and rethrows. COPY from an S3 manifest reads the manifest and its CSV files
   * from `s3` and loads them with the statement's own column mapping (positional, like Redshift).
   */
  public async batch(sqls: string[], options: { isolation?: Isolation; s3?: ObjectSource } = {}): Promise<void> {
    await this.client.query(`BEGIN ISOLATION LEVEL ${options.isolation ?? 'REPEATABLE READ'}`);
    try {
      for (const sql of sqls) await this.client.query(this.translateCopy(sql, options.s3));
      await this.client.query('COMMIT');
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** One statement inside a transaction the test controls (BEGIN/COMMIT by hand), COPY translated. */
  public async exec(sql: string, s3?: ObjectSource): Promise<any[]> {
    return (await this.client.query(this.translateCopy(sql, s3))).rows;
  }

  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  private translateCopy(sql: string, s3?: ObjectSource): string {
    const m = COPY.exec(sql);
    if (!m) return sql;
    if (!s3) throw new Error('COPY from S3 needs an object source');
    const manifest = JSON.parse(s3.read(m[3])) as { entries: Array<{ url: string }> };
    const parts = manifest.entries.map((e) => s3.read(e.url).replace(/\n$/, '').split('\n'));
    const header = parts[0]?.[0] ?? '';
    const rows = parts.flatMap((lines) => lines.slice(1));
    const file = this.db.writeFile([header, ...rows].join('\n') + '\n');
    return `COPY ${m[1]}${m[2] ?? ''} FROM '${file}' WITH (FORMAT csv, HEADER true)`;
  }
}
