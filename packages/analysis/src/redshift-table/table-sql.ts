/*
 * Internal (not re-exported): identifier rules, quoting and table DDL shared by the
 * warehouse and the upsert generator. Pure TypeScript, no CDK.
 */
import { DistributionStyle, SortStyle, SqlProblem, TableDefinition } from './table-definition';

/**
 * Columns in one Redshift table.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_CREATE_TABLE_usage.html
 */
export const MAX_COLUMNS = 1600;

export { SqlProblem };

/**
 * Identifier rule: lower-case ASCII letters, digits and "_", starting with a letter or "_",
 * 1-127 characters (Redshift's limit is 127 bytes; names fold to lower case unless
 * enable_case_sensitive_identifier is on, so only lower case is accepted). Names starting
 * with "__" are reserved for columns the generator adds.
 * @see https://docs.aws.amazon.com/redshift/latest/dg/r_names.html
 */
export const IDENTIFIER = /^(?!__)[a-z_][a-z0-9_]{0,126}$/;
export const IDENTIFIER_RULE = 'lower-case letters, digits and "_", starting with a letter or "_" (not "__"), at most 127 characters';

/** What a name is used for: schemas and columns have reserved names of their own. */
export type IdentifierKind = 'schema' | 'table' | 'column';

/**
 * Columns every PostgreSQL table has implicitly (so Redshift's too, which derives from it), and
 * Redshift's own hidden row columns: a user column of that name is refused by CREATE TABLE.
 * @see https://www.postgresql.org/docs/current/ddl-system-columns.html
 */
export const SYSTEM_COLUMNS = ['oid', 'tableoid', 'xmin', 'xmax', 'cmin', 'cmax', 'ctid', 'insertxid', 'deletexid'];

/** Why `value` cannot be used as a `kind` name, or undefined when it can. */
export function identifierProblem(prop: string, value: unknown, kind: IdentifierKind = 'table'): SqlProblem | undefined {
  if (typeof value === 'string' && value.includes('${Token[')) {
    return { prop, value, allowed: 'a name known at synth (identifiers are validated and quoted into the SQL text; a token cannot be)' };
  }
  if (typeof value !== 'string' || !IDENTIFIER.test(value)) return { prop, value, allowed: IDENTIFIER_RULE };
  if (kind === 'schema' && (value.startsWith('pg_') || value === 'information_schema')) {
    return { prop, value, allowed: 'a schema name not starting with "pg_" and other than information_schema (reserved for system schemas)' };
  }
  if (kind === 'column' && SYSTEM_COLUMNS.includes(value)) {
    return { prop, value, allowed: `a column name other than the system columns ${SYSTEM_COLUMNS.join(', ')}` };
  }
  return undefined;
}

/** Double-quotes an identifier that passed {@link IDENTIFIER} (throws otherwise: defence in depth). */
export function quoteIdent(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`refusing to quote unvalidated identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** A single-quoted SQL string literal; quotes and backslashes are rejected rather than escaped. */
export function quoteLiteral(value: string): string {
  if (/['\\\u0000]/.test(value)) throw new Error(`refusing to quote a literal containing a quote, backslash or NUL: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

export function qualified(table: TableDefinition): string {
  return `${quoteIdent(table.schemaName ?? 'public')}.${quoteIdent(table.tableName)}`;
}

/** Every rule a table description breaks (empty when valid). `prefix` names the prop, e.g. `table`. */
export function tableProblems(table: TableDefinition, prefix: string): SqlProblem[] {
  const problems: SqlProblem[] = [];
  const add = (p?: SqlProblem) => { if (p) problems.push(p); };
  add(identifierProblem(`${prefix}.schemaName`, table.schemaName ?? 'public', 'schema'));
  add(identifierProblem(`${prefix}.tableName`, table.tableName));
  const columns = table.columns ?? [];
  if (columns.length < 1 || columns.length > MAX_COLUMNS) {
    problems.push({ prop: `${prefix}.columns`, value: columns.length, allowed: `1-${MAX_COLUMNS} columns` });
  }
  const names = new Set<string>();
  columns.forEach((c, i) => {
    add(identifierProblem(`${prefix}.columns[${i}].name`, c.name, 'column'));
    if (names.has(c.name)) problems.push({ prop: `${prefix}.columns[${i}].name`, value: c.name, allowed: 'a name used by no other column' });
    names.add(c.name);
    const typeProblem = c.type?.problem();
    if (typeProblem) problems.push({ prop: `${prefix}.columns[${i}].type`, value: c.type.sql, allowed: typeProblem });
  });
  const keys = table.keyColumns ?? [];
  if (keys.length < 1 || keys.length > columns.length) {
    problems.push({ prop: `${prefix}.keyColumns`, value: keys, allowed: 'at least one column (single or composite key)' });
  }
  const seenKeys = new Set<string>();
  keys.forEach((k, i) => {
    if (!names.has(k)) problems.push({ prop: `${prefix}.keyColumns[${i}]`, value: k, allowed: `one of the columns (${[...names].join(', ')})` });
    if (seenKeys.has(k)) problems.push({ prop: `${prefix}.keyColumns[${i}]`, value: k, allowed: 'a column not already in the key' });
    seenKeys.add(k);
  });
  const style = distStyleOf(table);
  if (table.distKey !== undefined) {
    if (!names.has(table.distKey)) {
      problems.push({ prop: `${prefix}.distKey`, value: table.distKey, allowed: `one column of the table (${[...names].join(', ')})` });
    }
    if (style !== DistributionStyle.KEY) {
      problems.push({ prop: `${prefix}.distKey`, value: table.distKey, allowed: `no DISTKEY with DISTSTYLE ${style} (a DISTKEY column needs DistributionStyle.KEY)` });
    }
  } else if (style === DistributionStyle.KEY) {
    problems.push({ prop: `${prefix}.distKey`, value: undefined, allowed: 'exactly one DISTKEY column with DistributionStyle.KEY (Redshift allows only one)' });
  }
  const sortKeys = table.sortKeys ?? [];
  const interleaved = (table.sortStyle ?? SortStyle.COMPOUND) === SortStyle.INTERLEAVED;
  const maxSort = interleaved ? 8 : 400;
  if (table.sortKeys !== undefined && (sortKeys.length < 1 || sortKeys.length > maxSort)) {
    problems.push({ prop: `${prefix}.sortKeys`, value: sortKeys, allowed: `1-${maxSort} columns for a ${interleaved ? 'INTERLEAVED' : 'COMPOUND'} sort key` });
  }
  const seenSort = new Set<string>();
  sortKeys.forEach((s, i) => {
    if (!names.has(s)) problems.push({ prop: `${prefix}.sortKeys[${i}]`, value: s, allowed: `one of the columns (${[...names].join(', ')})` });
    if (seenSort.has(s)) problems.push({ prop: `${prefix}.sortKeys[${i}]`, value: s, allowed: 'a column not already in the sort key' });
    seenSort.add(s);
  });
  if (table.sortStyle !== undefined && table.sortKeys === undefined) {
    problems.push({ prop: `${prefix}.sortStyle`, value: table.sortStyle, allowed: 'only together with sortKeys' });
  }
  return problems;
}

export function distStyleOf(table: TableDefinition): DistributionStyle {
  return table.distStyle ?? (table.distKey !== undefined ? DistributionStyle.KEY : DistributionStyle.AUTO);
}

/** Throws on the first problem (for the pure generator; constructs report through Validate first). */
export function assertNoProblems(problems: SqlProblem[]): void {
  if (problems.length > 0) {
    const p = problems[0];
    throw new Error(`invalid ${p.prop}: ${JSON.stringify(p.value)}. Allowed: ${p.allowed}.`);
  }
}

/** Column definitions, Redshift with ENCODE, PostgreSQL without. */
export function columnDefinitions(table: TableDefinition, redshift: boolean): string {
  const keys = new Set(table.keyColumns);
  return table.columns.map((c) => {
    const notNull = keys.has(c.name) || c.nullable === false ? ' NOT NULL' : '';
    // column attributes (ENCODE) come before column constraints (NOT NULL) in Redshift's grammar
    const encode = redshift && c.encoding !== undefined && c.encoding !== 'AUTO' ? ` ENCODE ${c.encoding}` : '';
    return `${quoteIdent(c.name)} ${c.type.sql}${encode}${notNull}`;
  }).join(', ');
}

/**
 * `CREATE TABLE IF NOT EXISTS`, with DISTSTYLE/DISTKEY/SORTKEY and the (informational) primary
 * key on Redshift only. PostgreSQL would enforce the key; Redshift does not, so the PostgreSQL
 * dialect leaves it out and the tests see what Redshift would do with duplicate keys.
 */
export function createTableSql(table: TableDefinition, redshift: boolean): string {
  assertNoProblems(tableProblems(table, 'table'));
  const primaryKey = redshift ? `, PRIMARY KEY (${table.keyColumns.map(quoteIdent).join(', ')})` : '';
  let sql = `CREATE TABLE IF NOT EXISTS ${qualified(table)} (${columnDefinitions(table, redshift)}${primaryKey})`;
  if (redshift) {
    sql += ` ${distributionSql(table)}`;
    if (table.sortKeys) {
      sql += ` ${table.sortStyle ?? SortStyle.COMPOUND} SORTKEY (${table.sortKeys.map(quoteIdent).join(', ')})`;
    } else {
      sql += ' SORTKEY AUTO';
    }
    // table-level ENCODE AUTO only applies while no column names its own encoding
    if (table.columns.every((c) => c.encoding === undefined || c.encoding === 'AUTO')) sql += ' ENCODE AUTO';
  }
  return sql;
}

/**
 * A temporary table with the definition's columns in the definition's order (never `LIKE` the
 * target, whose physical column order may have drifted): COPY maps file columns to it by
 * position on Redshift. On Redshift it is distributed like the target, so joins stay local.
 */
export function stageTableSql(table: TableDefinition, name: string, redshift: boolean): string {
  const keys = new Set(table.keyColumns);
  const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${c.type.sql}${keys.has(c.name) || c.nullable === false ? ' NOT NULL' : ''}`);
  const dist = redshift && distStyleOf(table) === DistributionStyle.KEY ? ` ${distributionSql(table)}` : '';
  return `CREATE TEMP TABLE ${quoteIdent(name)} (${columns.join(', ')})${dist}`;
}

function distributionSql(table: TableDefinition): string {
  const style = distStyleOf(table);
  return style === DistributionStyle.KEY ? `DISTSTYLE KEY DISTKEY (${quoteIdent(table.distKey!)})` : `DISTSTYLE ${style}`;
}
