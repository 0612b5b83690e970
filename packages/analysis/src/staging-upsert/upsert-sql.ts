import { TableDefinition } from '../redshift-table/table-definition';
import {
  assertNoProblems, createTableSql, identifierProblem, qualified, quoteIdent, quoteLiteral, SqlProblem, tableProblems,
} from '../redshift-table/table-sql';

/** Which SQL engine the statements are for. */
export enum SqlDialect {
  /** Amazon Redshift: DISTSTYLE/SORTKEY/ENCODE, COPY from S3 with an IAM role, GETDATE(). */
  REDSHIFT = 'REDSHIFT',
  /**
   * PostgreSQL (tests): the same logical steps without Redshift-only clauses; COPY reads
   * a local CSV (`COPY ... FROM '<path>' WITH (FORMAT csv)`), so tests load the same rows.
   */
  POSTGRESQL = 'POSTGRESQL',
}

/** How staged rows are applied to the target. */
export enum UpsertStrategy {
  /**
   * The notes' staging-table pattern: DELETE target rows whose key is staged, then INSERT
   * every staged row (an update is a delete plus an insert in Redshift anyway).
   */
  DELETE_INSERT = 'DELETE_INSERT',
  /** One MERGE statement (Redshift supports MERGE since 2023): same end state. */
  MERGE = 'MERGE',
}

/** Format of the files listed in the manifest. */
export enum LoadFormat {
  /** Apache Parquet (columnar; compressed internally; manifest entries need meta.content_length). */
  PARQUET = 'PARQUET',
  /** CSV with a header row. */
  CSV = 'CSV',
  /** JSON lines, columns matched by name ('auto ignorecase'). */
  JSON = 'JSON',
}

/** Compression of CSV/JSON files (Parquet compresses internally). */
export enum LoadCompression {
  /** Not compressed. */
  NONE = 'NONE',
  /** gzip. */
  GZIP = 'GZIP',
  /** bzip2. */
  BZIP2 = 'BZIP2',
  /** Zstandard. */
  ZSTD = 'ZSTD',
}

/** Input of {@link StagingUpsertSql.statements}. */
export interface UpsertSqlOptions {
  /** The target table. */
  readonly table: TableDefinition;
  /** Column that orders duplicates of a key within one load: the row with the greatest value wins (NULLs lose). */
  readonly orderColumn: string;
  /**
   * SQL engine.
   * @default SqlDialect.REDSHIFT
   */
  readonly dialect?: SqlDialect;
  /**
   * How staged rows are applied.
   * @default UpsertStrategy.DELETE_INSERT
   */
  readonly strategy?: UpsertStrategy;
  /**
   * Format of the loaded files.
   * @default LoadFormat.PARQUET
   */
  readonly format?: LoadFormat;
  /**
   * Compression of CSV/JSON files. Must be NONE for Parquet.
   * @default LoadCompression.NONE
   */
  readonly compression?: LoadCompression;
  /**
   * IAM role ARN that COPY assumes (Redshift only; may be a CDK token).
   * @default - required for SqlDialect.REDSHIFT
   */
  readonly copyRoleArn?: string;
  /**
   * Name of the load ledger table, in the target's schema.
   * @default 'load_ledger'
   */
  readonly ledgerTable?: string;
}

/**
 * Generates the SQL of one exactly-once staging-table upsert (notes 4.4, "To avoid
 * duplication when loading data into Redshift"), to run as ONE Data API batch (one
 * transaction, one session):
 *
 * 1. create the schema, target and ledger tables if missing; lock target and ledger;
 * 2. create a temporary staging table LIKE the target; COPY the manifest into it;
 * 3. keep the latest row of each key (ROW_NUMBER over the key, by the order column);
 * 4. empty the staged rows if the ledger already records this manifest (same key and ETag);
 * 5. DELETE matching target rows + INSERT staged rows, or one MERGE;
 * 6. record the manifest in the ledger; drop the staging tables.
 *
 * The manifest is only known at run time: statements contain the placeholders
 * {@link StagingUpsertSql.MANIFEST_URI}, {@link StagingUpsertSql.MANIFEST_KEY} and
 * {@link StagingUpsertSql.MANIFEST_ETAG}, replaced by the state machine after it has
 * checked the key against a strict allow-list (no quotes or backslashes can reach SQL).
 * Every identifier is validated and double-quoted; anything else is rejected with an error.
 */
export class StagingUpsertSql {
  /** Placeholder for the manifest's S3 URI (`s3://bucket/key`). */
  public static readonly MANIFEST_URI = '{{manifest_uri}}';
  /** Placeholder for the manifest's object key. */
  public static readonly MANIFEST_KEY = '{{manifest_key}}';
  /** Placeholder for the manifest's ETag (without quotes). */
  public static readonly MANIFEST_ETAG = '{{manifest_etag}}';

  /** Every problem of the options (empty when valid): `prop`, `value`, `allowed`, as for prop validation. */
  public static problems(options: UpsertSqlOptions, prefix: string = ''): SqlProblem[] {
    const p = (name: string) => (prefix ? `${prefix}.${name}` : name);
    const problems = tableProblems(options.table, p('table'));
    const ledger = options.ledgerTable ?? 'load_ledger';
    const l = identifierProblem(p('ledgerTable'), ledger);
    if (l) problems.push(l);
    if (ledger === options.table.tableName) problems.push({ prop: p('ledgerTable'), value: ledger, allowed: 'a name other than the target table' });
    const names = (options.table.columns ?? []).map((c) => c.name);
    if (!names.includes(options.orderColumn)) {
      problems.push({ prop: p('orderColumn'), value: options.orderColumn, allowed: `one of the columns (${names.join(', ')})` });
    } else if ((options.table.keyColumns ?? []).includes(options.orderColumn)) {
      problems.push({ prop: p('orderColumn'), value: options.orderColumn, allowed: 'a column outside the key (duplicates share the key, so a key column cannot order them)' });
    }
    const format = options.format ?? LoadFormat.PARQUET;
    const compression = options.compression ?? LoadCompression.NONE;
    if (format === LoadFormat.PARQUET && compression !== LoadCompression.NONE) {
      problems.push({ prop: p('compression'), value: compression, allowed: 'NONE with Parquet (Parquet files compress internally; COPY rejects GZIP/BZIP2/ZSTD with FORMAT PARQUET)' });
    }
    const strategy = options.strategy ?? UpsertStrategy.DELETE_INSERT;
    if (strategy === UpsertStrategy.MERGE && names.every((n) => (options.table.keyColumns ?? []).includes(n))) {
      problems.push({ prop: p('strategy'), value: strategy, allowed: 'DELETE_INSERT when every column is a key column (MERGE needs a column to UPDATE)' });
    }
    if ((options.dialect ?? SqlDialect.REDSHIFT) === SqlDialect.REDSHIFT && !options.copyRoleArn) {
      problems.push({ prop: p('copyRoleArn'), value: options.copyRoleArn, allowed: 'an IAM role ARN (COPY from S3 needs IAM_ROLE on Redshift)' });
    }
    if (options.copyRoleArn !== undefined && /['\\]/.test(options.copyRoleArn)) {
      problems.push({ prop: p('copyRoleArn'), value: options.copyRoleArn, allowed: 'an ARN without quotes or backslashes' });
    }
    return problems;
  }

  /** The statements of one load, in order, with the manifest placeholders. Throws on invalid options. */
  public static statements(options: UpsertSqlOptions): string[] {
    assertNoProblems(StagingUpsertSql.problems(options));
    const redshift = (options.dialect ?? SqlDialect.REDSHIFT) === SqlDialect.REDSHIFT;
    const table = options.table;
    const schema = quoteIdent(table.schemaName ?? 'public');
    const target = qualified(table);
    const ledgerName = options.ledgerTable ?? 'load_ledger';
    const ledger = `${schema}.${quoteIdent(ledgerName)}`;
    const stage = quoteIdent(`stage_${table.tableName}`.slice(0, 127));
    const latest = quoteIdent(`latest_${table.tableName}`.slice(0, 127));
    const columns = table.columns.map((c) => quoteIdent(c.name));
    const keys = table.keyColumns.map(quoteIdent);
    const nonKeys = table.columns.map((c) => c.name).filter((n) => !table.keyColumns.includes(n)).map(quoteIdent);
    const targetName = quoteLiteral(`${table.schemaName ?? 'public'}.${table.tableName}`);
    const manifestKey = `'${StagingUpsertSql.MANIFEST_KEY}'`;
    const manifestEtag = `'${StagingUpsertSql.MANIFEST_ETAG}'`;
    const now = redshift ? 'GETDATE()' : 'CURRENT_TIMESTAMP';
    const alreadyLoaded = `SELECT 1 FROM ${ledger} WHERE "target_table" = ${targetName} AND "manifest_key" = ${manifestKey} AND "manifest_etag" = ${manifestEtag}`;

    const sql: string[] = [
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      createTableSql(table, redshift),
      `CREATE TABLE IF NOT EXISTS ${ledger} ("target_table" VARCHAR(255) NOT NULL, "manifest_key" VARCHAR(1024) NOT NULL, `
        + `"manifest_etag" VARCHAR(64) NOT NULL, "rows_loaded" BIGINT NOT NULL, "loaded_at" TIMESTAMP NOT NULL, `
        + 'PRIMARY KEY ("target_table", "manifest_key", "manifest_etag"))',
      // serializes concurrent loads of the same table: the second waits, then sees the ledger row
      redshift ? `LOCK ${target}, ${ledger}` : `LOCK TABLE ${target}, ${ledger} IN EXCLUSIVE MODE`,
      `CREATE TEMP TABLE ${stage} (LIKE ${target})`,
      StagingUpsertSql.copySql(stage, columns, options, redshift),
      `CREATE TEMP TABLE ${latest} AS SELECT ${columns.join(', ')} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${keys.join(', ')} `
        + `ORDER BY ${quoteIdent(options.orderColumn)} DESC NULLS LAST) AS "__row_rank" FROM ${stage}) AS "ranked" WHERE "__row_rank" = 1`,
      // exactly once: a manifest already in the ledger (same key and ETag) applies no rows
      `DELETE FROM ${latest} WHERE EXISTS (${alreadyLoaded})`,
    ];
    const on = keys.map((k) => `${target}.${k} = ${latest}.${k}`).join(' AND ');
    if ((options.strategy ?? UpsertStrategy.DELETE_INSERT) === UpsertStrategy.MERGE) {
      sql.push(`MERGE INTO ${target} USING ${latest} ON ${on} `
        + `WHEN MATCHED THEN UPDATE SET ${nonKeys.map((c) => `${c} = ${latest}.${c}`).join(', ')} `
        + `WHEN NOT MATCHED THEN INSERT (${columns.join(', ')}) VALUES (${columns.map((c) => `${latest}.${c}`).join(', ')})`);
    } else {
      sql.push(`DELETE FROM ${target} USING ${latest} WHERE ${on}`);
      sql.push(`INSERT INTO ${target} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${latest}`);
    }
    sql.push(
      `INSERT INTO ${ledger} ("target_table", "manifest_key", "manifest_etag", "rows_loaded", "loaded_at") `
        + `SELECT ${targetName}, ${manifestKey}, ${manifestEtag}, "counted"."n", ${now} FROM (SELECT COUNT(*) AS "n" FROM ${latest}) AS "counted" `
        + `WHERE NOT EXISTS (${alreadyLoaded})`,
      `DROP TABLE ${latest}`,
      `DROP TABLE ${stage}`,
    );
    return sql;
  }

  /**
   * Replaces the manifest placeholders (what the state machine does at run time), for
   * tests and for running the SQL by hand. Values with quotes or backslashes are rejected.
   */
  public static render(statements: string[], manifestUri: string, manifestKey: string, manifestEtag: string): string[] {
    for (const v of [manifestUri, manifestKey, manifestEtag]) quoteLiteral(v);
    return statements.map((s) => s
      .split(StagingUpsertSql.MANIFEST_URI).join(manifestUri)
      .split(StagingUpsertSql.MANIFEST_KEY).join(manifestKey)
      .split(StagingUpsertSql.MANIFEST_ETAG).join(manifestEtag));
  }

  private static copySql(stage: string, columns: string[], options: UpsertSqlOptions, redshift: boolean): string {
    const format = options.format ?? LoadFormat.PARQUET;
    const compression = options.compression ?? LoadCompression.NONE;
    if (!redshift) {
      // PostgreSQL stand-in: the same rows from a local CSV file (tests pass '/dev/blob')
      return `COPY ${stage} (${columns.join(', ')}) FROM '${StagingUpsertSql.MANIFEST_URI}' WITH (FORMAT csv, HEADER true)`;
    }
    const role = `IAM_ROLE '${options.copyRoleArn}'`;
    const compress = compression === LoadCompression.NONE ? '' : ` ${compression}`;
    const formatClause = format === LoadFormat.PARQUET ? 'FORMAT AS PARQUET'
      : format === LoadFormat.CSV ? `FORMAT AS CSV IGNOREHEADER 1 DATEFORMAT 'auto' TIMEFORMAT 'auto'${compress}`
        : `FORMAT AS JSON 'auto ignorecase' DATEFORMAT 'auto' TIMEFORMAT 'auto'${compress}`;
    return `COPY ${stage} FROM '${StagingUpsertSql.MANIFEST_URI}' ${role} MANIFEST ${formatClause}`;
  }

  private constructor() {}
}
