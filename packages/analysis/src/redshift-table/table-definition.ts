/**
 * How rows of a table are spread over the cluster's slices (notes 4.4, "Data distribution").
 */
export enum DistributionStyle {
  /**
   * Redshift chooses (ALL while the table is small, then EVEN or KEY) and changes it
   * as the table grows. The notes say AUTO "cannot do KEY": out of date, AUTO can pick KEY
   * on its own since 2020. Recommended when unsure.
   */
  AUTO = 'AUTO',
  /** Round-robin: tables that do not join, change often, or have many unique values. */
  EVEN = 'EVEN',
  /**
   * Rows with the same value in the one `distKey` column land on the same slice:
   * large fact tables joined on that column. Only one DISTKEY column per table.
   */
  KEY = 'KEY',
  /**
   * A full copy on every node: static lookup tables used in joins. Not for small
   * (< 500 KB), frequently updated or large (> 10 M rows) tables.
   */
  ALL = 'ALL',
}

/** How the sort key columns order rows. */
export enum SortStyle {
  /** Ordered by the first column, then the next (filters on a prefix of the key). */
  COMPOUND = 'COMPOUND',
  /** Equal weight to each column (filters on any one column); slower loads and VACUUM REINDEX. */
  INTERLEAVED = 'INTERLEAVED',
}

/** Column compression encodings (Redshift only; ignored for PostgreSQL). */
export enum ColumnEncoding {
  /** Let Redshift choose (the default when no encoding is given). */
  AUTO = 'AUTO',
  /** No compression (Redshift's choice for sort key columns). */
  RAW = 'RAW',
  /** AZ64: numeric, date and time types. */
  AZ64 = 'AZ64',
  /** Zstandard: any type, good for text. */
  ZSTD = 'ZSTD',
  /** LZO: text. */
  LZO = 'LZO',
  /** Byte dictionary: few distinct values. */
  BYTEDICT = 'BYTEDICT',
  /** Run length: long runs of the same value. */
  RUNLENGTH = 'RUNLENGTH',
}

/**
 * A column data type shared by Redshift and PostgreSQL (so the same DDL runs in tests).
 */
export class RedshiftColumnType {
  /** SMALLINT (2 bytes). */
  public static smallint(): RedshiftColumnType { return new RedshiftColumnType('SMALLINT'); }
  /** INTEGER (4 bytes). */
  public static integer(): RedshiftColumnType { return new RedshiftColumnType('INTEGER'); }
  /** BIGINT (8 bytes). */
  public static bigint(): RedshiftColumnType { return new RedshiftColumnType('BIGINT'); }
  /** REAL (4-byte float). */
  public static real(): RedshiftColumnType { return new RedshiftColumnType('REAL'); }
  /** DOUBLE PRECISION (8-byte float). */
  public static doublePrecision(): RedshiftColumnType { return new RedshiftColumnType('DOUBLE PRECISION'); }
  /** BOOLEAN. */
  public static boolean(): RedshiftColumnType { return new RedshiftColumnType('BOOLEAN'); }
  /** DATE. */
  public static date(): RedshiftColumnType { return new RedshiftColumnType('DATE'); }
  /** TIMESTAMP (without time zone). */
  public static timestamp(): RedshiftColumnType { return new RedshiftColumnType('TIMESTAMP'); }
  /** TIMESTAMPTZ. */
  public static timestamptz(): RedshiftColumnType { return new RedshiftColumnType('TIMESTAMPTZ'); }
  /**
   * DECIMAL(precision, scale): precision 1-38, scale 0-precision.
   */
  public static decimal(precision: number, scale: number): RedshiftColumnType {
    return new RedshiftColumnType(`DECIMAL(${precision},${scale})`, { precision, scale });
  }
  /** VARCHAR(length): 1-65,535 bytes. */
  public static varchar(length: number): RedshiftColumnType {
    return new RedshiftColumnType(`VARCHAR(${length})`, { length, maxLength: 65535 });
  }
  /** CHAR(length): 1-4,096 bytes. */
  public static char(length: number): RedshiftColumnType {
    return new RedshiftColumnType(`CHAR(${length})`, { length, maxLength: 4096 });
  }

  /** The SQL text of the type. */
  public readonly sql: string;
  private readonly params: { precision?: number; scale?: number; length?: number; maxLength?: number };

  private constructor(sql: string, params: { precision?: number; scale?: number; length?: number; maxLength?: number } = {}) {
    this.sql = sql;
    this.params = params;
  }

  /** What is wrong with the type's parameters, or undefined if they are valid. */
  public problem(): string | undefined {
    const p = this.params;
    if (p.length !== undefined && (!Number.isInteger(p.length) || p.length < 1 || p.length > (p.maxLength ?? 0))) {
      return `a length from 1 to ${p.maxLength}`;
    }
    if (p.precision !== undefined) {
      if (!Number.isInteger(p.precision) || p.precision < 1 || p.precision > 38) return 'a precision from 1 to 38';
      if (!Number.isInteger(p.scale) || p.scale! < 0 || p.scale! > p.precision) return `a scale from 0 to the precision (${p.precision})`;
    }
    return undefined;
  }
}

/** One column of a table. */
export interface TableColumn {
  /** Column name: lower-case letters, digits and "_", starting with a letter or "_", at most 127 characters. */
  readonly name: string;
  /** Data type. */
  readonly type: RedshiftColumnType;
  /**
   * Whether the column accepts NULL. Key columns are always NOT NULL.
   * @default true
   */
  readonly nullable?: boolean;
  /**
   * Compression encoding (Redshift only).
   * @default - ENCODE AUTO (Redshift chooses)
   */
  readonly encoding?: ColumnEncoding;
}

/** A table, described once, from which the DDL and the upsert SQL are generated. */
export interface TableDefinition {
  /**
   * Schema of the table.
   * @default 'public'
   */
  readonly schemaName?: string;
  /** Table name (same rules as column names). */
  readonly tableName: string;
  /** Columns, in load order (the order of the columns in the loaded files). */
  readonly columns: TableColumn[];
  /** Columns that identify a row (single or composite); rows with the same key are replaced. */
  readonly keyColumns: string[];
  /**
   * Distribution style.
   * @default DistributionStyle.AUTO, or DistributionStyle.KEY when `distKey` is given
   */
  readonly distStyle?: DistributionStyle;
  /**
   * The one DISTKEY column (with DistributionStyle.KEY). Choose the column the table is most often joined on.
   * @default - none
   */
  readonly distKey?: string;
  /**
   * Sort key columns (Redshift allows up to 400 compound, 8 interleaved).
   * @default - SORTKEY AUTO
   */
  readonly sortKeys?: string[];
  /**
   * Sort style of `sortKeys`.
   * @default SortStyle.COMPOUND
   */
  readonly sortStyle?: SortStyle;
}

/** A rule broken by a table or upsert description: which prop, what was given, what is allowed. */
export interface SqlProblem {
  /** The prop, e.g. `table.columns[2].name`. */
  readonly prop: string;
  /** The value given. */
  readonly value: any;
  /** What is allowed. */
  readonly allowed: string;
}
