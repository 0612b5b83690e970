import { S3Limits } from '@analytics-patterns/core';
import { UpsertLimits } from './upsert-limits';
import { TableDefinition } from '../redshift-table/table-definition';
import {
  assertNoProblems, createTableSql, identifierProblem, qualified, quoteIdent, quoteLiteral, SqlProblem, stageTableSql, tableProblems,
} from '../redshift-table/table-sql';

/** Which SQL engine the statements are for. */
export enum SqlDialect {
  /** Amazon Redshift: DISTSTYLE/SORTKEY/ENCODE, COPY from S3 with an IAM role, GETDATE(). */
  REDSHIFT = 'REDSHIFT',
  /**
   * PostgreSQL (tests): the same statements, in the same order, without Redshift-only clauses.
   * COPY keeps the manifest URI and the same column mapping; the test harness reads the manifest
   * and streams its files in (`WITH (FORMAT csv, HEADER true)`).
   */
  POSTGRESQL = 'POSTGRESQL',
}

/** How the winning staged rows are applied to the target. */
export enum UpsertStrategy {
  /**
   * The notes' staging-table pattern: DELETE the target rows whose key won, then INSERT the
   * winning rows (an update is a delete plus an insert in Redshift anyway).
   */
  DELETE_INSERT = 'DELETE_INSERT',
  /** One MERGE statement (Redshift supports MERGE since 2023): same rows, same end state. */
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

/** Input of {@link StagingUpsertSql}. */
export interface UpsertSqlOptions {
  /** The target table. */
  readonly table: TableDefinition;
  /**
   * Column that orders versions of a row: of all rows with one key (staged or already in the
   * target) the one with the greatest value wins; NULL is older than any value. Ties are broken
   * by the other non-key columns, in table order, so the result never depends on file order or
   * on the order loads arrive in. Not a key column, not REAL/DOUBLE PRECISION.
   */
  readonly orderColumn: string;
  /**
   * SQL engine.
   * @default SqlDialect.REDSHIFT
   */
  readonly dialect?: SqlDialect;
  /**
   * How winning rows are applied.
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
   * @default 'upsert_ledger'
   */
  readonly ledgerTable?: string;
}

/** The run-time values of one load, substituted into the statements' placeholders. */
export interface LoadValues {
  /** S3 URI of the manifest COPY reads (the frozen copy the state machine wrote). */
  readonly manifestUri: string;
  /** Key of the manifest that started the load. */
  readonly manifestKey: string;
  /** ETag of the manifest version that was read (without quotes). */
  readonly manifestEtag: string;
  /** Version id of that manifest version, or 'null' in an unversioned bucket. */
  readonly manifestVersion: string;
  /** SHA-256 (hex) over the sorted data files with their ETags and sizes: what identifies the data. */
  readonly dataId: string;
  /** Number of data files. */
  readonly fileCount: number;
  /** Total bytes of the data files. */
  readonly dataBytes: number;
}

/**
 * Rules every run-time value must pass before it reaches SQL text (the state machine checks the
 * same rules, from the same patterns, before it substitutes anything). None allows a quote, a
 * backslash, `$` or a space.
 */
export const LOAD_VALUE_RULES: Record<keyof LoadValues, { pattern: string; maxLength: number }> = {
  manifestUri: { pattern: '^s3://[a-z0-9.-]{3,63}/[A-Za-z0-9!_.()=/-]+$', maxLength: 5 + 63 + 1 + S3Limits.KEY_BYTES.max },
  manifestKey: { pattern: '^[A-Za-z0-9!_.()=/-]+$', maxLength: S3Limits.KEY_BYTES.max },
  manifestEtag: { pattern: '^[0-9a-f]{1,64}(-[0-9]{1,5})?$', maxLength: 70 },
  manifestVersion: { pattern: '^[A-Za-z0-9._+/=-]+$', maxLength: UpsertLimits.S3_VERSION_ID_BYTES },
  dataId: { pattern: '^[0-9a-f]{64}$', maxLength: 64 },
  fileCount: { pattern: '^[0-9]{1,9}$', maxLength: 9 },
  dataBytes: { pattern: '^[0-9]{1,16}$', maxLength: 16 },
};

const PLACEHOLDERS: Record<keyof LoadValues, string> = {
  manifestUri: '{{manifest_uri}}',
  manifestKey: '{{manifest_key}}',
  manifestEtag: '{{manifest_etag}}',
  manifestVersion: '{{manifest_version}}',
  dataId: '{{data_id}}',
  fileCount: '{{file_count}}',
  dataBytes: '{{data_bytes}}',
};

/** Redshift floating-point types: equal values can be stored differently (0.0 and -0.0), and NaN. */
const FLOATING_POINT = ['REAL', 'DOUBLE PRECISION'];

/**
 * Generates the SQL of one exactly-once, last-writer-correct staging-table upsert (notes 4.4), in
 * two parts run by the state machine:
 *
 * 1. {@link StagingUpsertSql.tableStatements}: schema, target and ledger, `IF NOT EXISTS`. Run
 *    before every load in a transaction of their own, and run again when two first loads race
 *    (the loser's error is transient; the second run finds the tables).
 * 2. {@link StagingUpsertSql.loadStatements}: ONE Data API batch (one transaction). `LOCK` on
 *    target and ledger is its first statement, so the transaction's snapshot is taken after the
 *    lock is granted: a load that waited sees everything the previous load committed. Then: stage
 *    (explicit columns, definition order), COPY the frozen manifest, rank every version of each
 *    staged key (staged rows and the target's current row) by the order column with deterministic
 *    tie-breaks, apply only keys whose winner is staged (DELETE+INSERT or MERGE), record the data
 *    in the ledger. Data already in the ledger stages no candidates, so a replay changes nothing.
 *
 * Run-time values are placeholders (see {@link LoadValues}); {@link StagingUpsertSql.render}
 * substitutes them after checking {@link LOAD_VALUE_RULES}. Every identifier is validated and
 * double-quoted. The two dialects produce the same statements in the same order.
 */
export class StagingUpsertSql {
  /** Placeholder of each run-time value in the statement templates. */
  public static readonly PLACEHOLDERS: Record<string, string> = PLACEHOLDERS;

  /** Every problem of the options (empty when valid): `prop`, `value`, `allowed`, as for prop validation. */
  public static problems(options: UpsertSqlOptions, prefix: string = ''): SqlProblem[] {
    const p = (name: string) => (prefix ? `${prefix}.${name}` : name);
    const problems = tableProblems(options.table, p('table'));
    const ledger = options.ledgerTable ?? 'upsert_ledger';
    const l = identifierProblem(p('ledgerTable'), ledger);
    if (l) problems.push(l);
    if (ledger === options.table.tableName) problems.push({ prop: p('ledgerTable'), value: ledger, allowed: 'a name other than the target table' });
    problems.push(...orderProblems(options, p), ...keyTypeProblems(options.table, p), ...formatProblems(options, p));
    if ((options.dialect ?? SqlDialect.REDSHIFT) === SqlDialect.REDSHIFT && !options.copyRoleArn) {
      problems.push({ prop: p('copyRoleArn'), value: options.copyRoleArn, allowed: 'an IAM role ARN (COPY from S3 needs IAM_ROLE on Redshift)' });
    }
    if (options.copyRoleArn !== undefined && /['\\]/.test(options.copyRoleArn)) {
      problems.push({ prop: p('copyRoleArn'), value: options.copyRoleArn, allowed: 'an ARN without quotes or backslashes' });
    }
    return problems;
  }

  /** DDL run before each load, in its own transaction: schema, target and ledger, IF NOT EXISTS. */
  public static tableStatements(options: UpsertSqlOptions): string[] {
    const n = names(options);
    const primaryKey = n.redshift ? ', PRIMARY KEY ("target_table", "data_id")' : '';
    return [
      `CREATE SCHEMA IF NOT EXISTS ${n.schema}`,
      createTableSql(options.table, n.redshift),
      `CREATE TABLE IF NOT EXISTS ${n.ledger} ("target_table" VARCHAR(255) NOT NULL, "data_id" CHAR(64) NOT NULL, `
        + `"manifest_key" VARCHAR(${S3Limits.KEY_BYTES.max}) NOT NULL, "manifest_etag" VARCHAR(70) NOT NULL, `
        + `"manifest_version" VARCHAR(${UpsertLimits.S3_VERSION_ID_BYTES}) NOT NULL, "file_count" INTEGER NOT NULL, `
        + '"data_bytes" BIGINT NOT NULL, "rows_staged" BIGINT NOT NULL, "rows_applied" BIGINT NOT NULL, '
        + `"load_seq" BIGINT NOT NULL, "loaded_at" TIMESTAMP NOT NULL${primaryKey})`,
    ];
  }

  /** The statements of one load, in order, with placeholders; LOCK is the first. Throws on invalid options. */
  public static loadStatements(options: UpsertSqlOptions): string[] {
    const n = names(options);
    const lock = n.redshift ? `LOCK ${n.target}, ${n.ledger}` : `LOCK TABLE ${n.target}, ${n.ledger} IN ACCESS EXCLUSIVE MODE`;
    return [
      // first statement: the snapshot of every later statement is taken after the lock is granted
      lock,
      stageTableSql(options.table, n.stageName, n.redshift),
      copySql(options, n),
      winnersSql(options, n),
      ...applySql(options, n),
      ledgerSql(n),
      `DROP TABLE ${n.winners}`,
      `DROP TABLE ${n.stage}`,
    ];
  }

  /**
   * Replaces the placeholders (what the state machine does at run time), for tests and for
   * running the SQL by hand. Values that break {@link LOAD_VALUE_RULES} are rejected.
   */
  public static render(statements: string[], values: LoadValues): string[] {
    const text = loadValueTexts(values);
    return statements.map((s) => (Object.keys(PLACEHOLDERS) as Array<keyof LoadValues>)
      .reduce((sql, k) => sql.split(PLACEHOLDERS[k]).join(text[k]), s));
  }

  /** The longest a statement can get at run time, in UTF-8 bytes: every placeholder at its longest value. */
  public static maxRenderedBytes(statement: string): number {
    let bytes = Buffer.byteLength(statement, 'utf8');
    for (const k of Object.keys(PLACEHOLDERS) as Array<keyof LoadValues>) {
      const count = statement.split(PLACEHOLDERS[k]).length - 1;
      bytes += count * (LOAD_VALUE_RULES[k].maxLength - PLACEHOLDERS[k].length);
    }
    return bytes;
  }

  private constructor() {}
}

/** Each value as SQL text, after checking its rule (throws on the first that breaks one). */
function loadValueTexts(values: LoadValues): Record<keyof LoadValues, string> {
  const out = {} as Record<keyof LoadValues, string>;
  for (const k of Object.keys(PLACEHOLDERS) as Array<keyof LoadValues>) {
    const v = String(values[k]);
    const rule = LOAD_VALUE_RULES[k];
    if (v.length > rule.maxLength || !new RegExp(rule.pattern).test(v)) {
      throw new Error(`refusing ${k} ${JSON.stringify(v)}: it must match ${rule.pattern} and be at most ${rule.maxLength} characters`);
    }
    quoteLiteral(v);
    out[k] = v;
  }
  return out;
}

interface Names {
  readonly redshift: boolean;
  readonly schema: string;
  readonly target: string;
  readonly targetName: string;
  readonly ledger: string;
  readonly stageName: string;
  readonly stage: string;
  readonly winners: string;
  readonly columns: string[];
  readonly keys: string[];
  readonly nonKeys: string[];
}

function names(options: UpsertSqlOptions): Names {
  assertNoProblems(StagingUpsertSql.problems(options));
  const table = options.table;
  const schemaName = table.schemaName ?? 'public';
  const schema = quoteIdent(schemaName);
  const stageName = `stage_${table.tableName}`.slice(0, 127);
  return {
    redshift: (options.dialect ?? SqlDialect.REDSHIFT) === SqlDialect.REDSHIFT,
    schema,
    target: qualified(table),
    targetName: quoteLiteral(`${schemaName}.${table.tableName}`),
    ledger: `${schema}.${quoteIdent(options.ledgerTable ?? 'upsert_ledger')}`,
    stageName,
    stage: quoteIdent(stageName),
    winners: quoteIdent(`winners_${table.tableName}`.slice(0, 127)),
    columns: table.columns.map((c) => quoteIdent(c.name)),
    keys: table.keyColumns.map(quoteIdent),
    nonKeys: table.columns.map((c) => c.name).filter((c) => !table.keyColumns.includes(c)).map(quoteIdent),
  };
}

function orderProblems(options: UpsertSqlOptions, p: (n: string) => string): SqlProblem[] {
  const columns = options.table.columns ?? [];
  const order = columns.find((c) => c.name === options.orderColumn);
  if (!order) {
    return [{ prop: p('orderColumn'), value: options.orderColumn, allowed: `one of the columns (${columns.map((c) => c.name).join(', ')})` }];
  }
  if ((options.table.keyColumns ?? []).includes(options.orderColumn)) {
    return [{ prop: p('orderColumn'), value: options.orderColumn, allowed: 'a column outside the key (versions of a row share the key, so a key column cannot order them)' }];
  }
  if (FLOATING_POINT.includes(order.type?.sql)) {
    return [{ prop: p('orderColumn'), value: options.orderColumn, allowed: 'a column that is not REAL or DOUBLE PRECISION (0.0 and -0.0 tie, NaN sorts above every number)' }];
  }
  return [];
}

function keyTypeProblems(table: TableDefinition, p: (n: string) => string): SqlProblem[] {
  return (table.keyColumns ?? []).flatMap((k, i) => {
    const column = (table.columns ?? []).find((c) => c.name === k);
    return column && FLOATING_POINT.includes(column.type?.sql) ? [{
      prop: p(`table.keyColumns[${i}]`),
      value: k,
      allowed: 'a key column that is not REAL or DOUBLE PRECISION: 0.0 and -0.0 are equal but stored differently, so DELETE+INSERT and MERGE would keep different keys (use DECIMAL or an integer)',
    }] : [];
  });
}

function formatProblems(options: UpsertSqlOptions, p: (n: string) => string): SqlProblem[] {
  const problems: SqlProblem[] = [];
  const format = options.format ?? LoadFormat.PARQUET;
  const compression = options.compression ?? LoadCompression.NONE;
  if (format === LoadFormat.PARQUET && compression !== LoadCompression.NONE) {
    problems.push({ prop: p('compression'), value: compression, allowed: 'NONE with Parquet (Parquet files compress internally; COPY rejects GZIP/BZIP2/ZSTD with FORMAT PARQUET)' });
  }
  const strategy = options.strategy ?? UpsertStrategy.DELETE_INSERT;
  const columnNames = (options.table.columns ?? []).map((c) => c.name);
  if (strategy === UpsertStrategy.MERGE && columnNames.every((n) => (options.table.keyColumns ?? []).includes(n))) {
    problems.push({ prop: p('strategy'), value: strategy, allowed: 'DELETE_INSERT when every column is a key column (MERGE needs a column to UPDATE)' });
  }
  return problems;
}

/**
 * COPY into the stage. CSV and JSON carry an explicit column list (file fields map to it in
 * order); Parquet maps file columns by position to the stage, whose columns are the definition's,
 * in order (COPY from columnar formats takes no column list). Both dialects use the same mapping.
 */
function copySql(options: UpsertSqlOptions, n: Names): string {
  const format = options.format ?? LoadFormat.PARQUET;
  const columnList = format === LoadFormat.PARQUET ? '' : ` (${n.columns.join(', ')})`;
  const from = `COPY ${n.stage}${columnList} FROM '${PLACEHOLDERS.manifestUri}'`;
  if (!n.redshift) return `${from} WITH (FORMAT csv, HEADER true)`;
  const compression = options.compression ?? LoadCompression.NONE;
  const compress = compression === LoadCompression.NONE ? '' : ` ${compression}`;
  const formatClause = format === LoadFormat.PARQUET ? 'FORMAT AS PARQUET'
    : format === LoadFormat.CSV ? `FORMAT AS CSV IGNOREHEADER 1 DATEFORMAT 'auto' TIMEFORMAT 'auto'${compress}`
      : `FORMAT AS JSON 'auto ignorecase' DATEFORMAT 'auto' TIMEFORMAT 'auto'${compress}`;
  return `${from} IAM_ROLE '${options.copyRoleArn}' MANIFEST ${formatClause}`;
}

/** `WHERE` part that finds this data in the ledger. */
function inLedger(n: Names): string {
  return `SELECT 1 FROM ${n.ledger} WHERE "target_table" = ${n.targetName} AND "data_id" = '${PLACEHOLDERS.dataId}'`;
}

/**
 * The winning version of every staged key: candidates are the staged rows (none when the ledger
 * already holds this data) and the target's current rows for those keys; the greatest by
 * (order column, then every other non-key column, NULL lowest) wins, and on a complete tie the
 * target's row wins, so nothing changes. Only keys whose winner is staged are kept.
 */
function winnersSql(options: UpsertSqlOptions, n: Names): string {
  const cols = n.columns.join(', ');
  const order = quoteIdent(options.orderColumn);
  const tieBreak = n.nonKeys.filter((c) => c !== order);
  const orderBy = [order, ...tieBreak].map((c) => `${c} DESC NULLS LAST`).concat('"__from_target" DESC').join(', ');
  const keyJoin = n.keys.map((k) => `"t".${k} = "k".${k}`).join(' AND ');
  const candidates = `SELECT ${cols}, 0 AS "__from_target" FROM ${n.stage} WHERE NOT EXISTS (${inLedger(n)}) `
    + `UNION ALL SELECT ${n.columns.map((c) => `"t".${c}`).join(', ')}, 1 AS "__from_target" FROM ${n.target} AS "t" `
    + `INNER JOIN (SELECT DISTINCT ${n.keys.join(', ')} FROM ${n.stage}) AS "k" ON ${keyJoin}`;
  return `CREATE TEMP TABLE ${n.winners} AS SELECT ${cols} FROM (SELECT ${cols}, "__from_target", `
    + `ROW_NUMBER() OVER (PARTITION BY ${n.keys.join(', ')} ORDER BY ${orderBy}) AS "__rank" FROM (${candidates}) AS "candidates") AS "ranked" `
    + 'WHERE "__rank" = 1 AND "__from_target" = 0';
}

function applySql(options: UpsertSqlOptions, n: Names): string[] {
  const on = n.keys.map((k) => `${n.target}.${k} = ${n.winners}.${k}`).join(' AND ');
  if ((options.strategy ?? UpsertStrategy.DELETE_INSERT) === UpsertStrategy.MERGE) {
    return [`MERGE INTO ${n.target} USING ${n.winners} ON ${on} `
      + `WHEN MATCHED THEN UPDATE SET ${n.nonKeys.map((c) => `${c} = ${n.winners}.${c}`).join(', ')} `
      + `WHEN NOT MATCHED THEN INSERT (${n.columns.join(', ')}) VALUES (${n.columns.map((c) => `${n.winners}.${c}`).join(', ')})`];
  }
  return [
    `DELETE FROM ${n.target} USING ${n.winners} WHERE ${on}`,
    `INSERT INTO ${n.target} (${n.columns.join(', ')}) SELECT ${n.columns.join(', ')} FROM ${n.winners}`,
  ];
}

/** One ledger row per (target, data): skipped when present; load_seq counts this target's loads. */
function ledgerSql(n: Names): string {
  const now = n.redshift ? 'GETDATE()' : 'CURRENT_TIMESTAMP';
  const v = PLACEHOLDERS;
  return `INSERT INTO ${n.ledger} ("target_table", "data_id", "manifest_key", "manifest_etag", "manifest_version", "file_count", `
    + '"data_bytes", "rows_staged", "rows_applied", "load_seq", "loaded_at") '
    + `SELECT ${n.targetName}, '${v.dataId}', '${v.manifestKey}', '${v.manifestEtag}', '${v.manifestVersion}', ${v.fileCount}, ${v.dataBytes}, `
    + `"staged"."n", "applied"."n", "next"."seq", ${now} `
    + `FROM (SELECT COUNT(*) AS "n" FROM ${n.stage}) AS "staged" CROSS JOIN (SELECT COUNT(*) AS "n" FROM ${n.winners}) AS "applied" `
    + `CROSS JOIN (SELECT COALESCE(MAX("load_seq"), 0) + 1 AS "seq" FROM ${n.ledger} WHERE "target_table" = ${n.targetName}) AS "next" `
    + `WHERE NOT EXISTS (${inLedger(n)})`;
}
