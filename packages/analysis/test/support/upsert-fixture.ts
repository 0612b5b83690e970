import * as crypto from 'crypto';
import { FakeS3, manifestOf } from './fake-s3';
import { Database, Isolation, Session } from './postgres';
import { TableDefinition } from '../../src/redshift-table/table-definition';
import { LoadValues, SqlDialect, StagingUpsertSql, UpsertSqlOptions } from '../../src/staging-upsert/upsert-sql';

export const BUCKET = 'curated-bucket';

/** A CSV file with a header row; cells quoted, NULL as an empty unquoted cell. */
export function csv(header: string[], rows: Array<Array<string | number | null>>): string {
  const cell = (v: string | number | null) => (v === null ? '' : `"${String(v)}"`);
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** The data id the state machine computes (see manifest-states.ts), in plain TypeScript. */
export function dataIdOf(files: Array<{ url: string; etag: string; size: number }>): string {
  const sha = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
  const sorted = [...files].sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const leaves = sorted.map((f) => sha(`${f.url}|${f.etag}|${f.size}`));
  const chunks: string[] = [];
  for (let i = 0; i < leaves.length; i += 100) chunks.push(sha(leaves.slice(i, i + 100).join('')));
  return sha(chunks.join(''));
}

/**
 * Loads on PostgreSQL the way the state machine does: files and a manifest in the fake S3, the
 * table DDL in its own transaction, then the load batch with the run-time values.
 */
export class UpsertFixture {
  public readonly s3 = new FakeS3();
  public readonly tables: string[];
  public readonly load: string[];
  private files = 0;

  constructor(public readonly db: Database, public readonly options: UpsertSqlOptions, public readonly isolation: Isolation = 'REPEATABLE READ') {
    const pg = { ...options, dialect: SqlDialect.POSTGRESQL };
    this.tables = StagingUpsertSql.tableStatements(pg);
    this.load = StagingUpsertSql.loadStatements(pg);
  }

  public get table(): TableDefinition {
    return this.options.table;
  }

  /** Writes data files (one per list of rows) and a manifest listing them; returns the values of its load. */
  public stage(manifestKey: string, files: Array<Array<Array<string | number | null>>>): LoadValues {
    const header = this.table.columns.map((c) => c.name);
    const urls = files.map((rows) => {
      const key = `data/${manifestKey.replace(/[^a-z0-9]/gi, '-')}-${++this.files}.csv`;
      this.s3.put(BUCKET, key, csv(header, rows));
      return `s3://${BUCKET}/${key}`;
    });
    const manifest = this.s3.put(BUCKET, manifestKey, manifestOf(this.s3, urls));
    return this.valuesOf(manifestKey, manifest.etag, manifest.versionId);
  }

  /** The values of a load of `manifestKey` as it is now (ETags and sizes of its files). */
  public valuesOf(manifestKey: string, etag?: string, version?: string): LoadValues {
    const m = this.s3.get(BUCKET, manifestKey)!;
    const entries = JSON.parse(m.body).entries as Array<{ url: string }>;
    const files = entries.map((e) => {
      const key = e.url.slice(`s3://${BUCKET}/`.length);
      const o = this.s3.get(BUCKET, key)!;
      return { url: e.url, etag: o.etag, size: Buffer.byteLength(o.body) };
    });
    return {
      manifestUri: `s3://${BUCKET}/${manifestKey}`,
      manifestKey,
      manifestEtag: etag ?? m.etag,
      manifestVersion: version ?? m.versionId,
      dataId: dataIdOf(files),
      fileCount: files.length,
      dataBytes: files.reduce((n, f) => n + f.size, 0),
    };
  }

  public async ensureTables(session?: Session): Promise<void> {
    const s = session ?? await this.db.session();
    try {
      await s.batch(this.tables, { isolation: this.isolation });
    } finally {
      if (!session) await s.close();
    }
  }

  /** One load batch in a session of its own (or `session`). */
  public async apply(values: LoadValues, session?: Session, inject?: { after: number; sql: string }): Promise<void> {
    const s = session ?? await this.db.session();
    const sqls = StagingUpsertSql.render(this.load, values);
    if (inject) sqls.splice(inject.after + 1, 0, inject.sql);
    try {
      await s.batch(sqls, { isolation: this.isolation, s3: this.s3 });
    } finally {
      if (!session) await s.close();
    }
  }

  public async rows(orderBy: string): Promise<any[]> {
    const t = `"${this.table.schemaName ?? 'public'}"."${this.table.tableName}"`;
    return this.db.query(`SELECT * FROM ${t} ORDER BY ${orderBy}`);
  }

  public async ledger(): Promise<any[]> {
    const l = `"${this.table.schemaName ?? 'public'}"."${this.options.ledgerTable ?? 'upsert_ledger'}"`;
    return this.db.query('SELECT target_table, data_id, manifest_key, manifest_etag, manifest_version, file_count::int AS file_count, '
      + `data_bytes::int AS data_bytes, rows_staged::int AS rows_staged, rows_applied::int AS rows_applied, load_seq::int AS load_seq FROM ${l} ORDER BY load_seq`);
  }

  /** Keys that appear more than once (Redshift does not enforce primary keys: must stay empty). */
  public async duplicateKeys(): Promise<any[]> {
    const t = `"${this.table.schemaName ?? 'public'}"."${this.table.tableName}"`;
    const keys = this.table.keyColumns.map((k) => `"${k}"`).join(', ');
    return this.db.query(`SELECT ${keys}, COUNT(*)::int AS n FROM ${t} GROUP BY ${keys} HAVING COUNT(*) > 1`);
  }
}
