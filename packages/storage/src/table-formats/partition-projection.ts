import { Token } from 'aws-cdk-lib';
import { Column, ColumnType } from './column-type';

/** A number as table-property text; a token stays a token (never its encoded double). */
function text(n: number): string {
  return Token.isUnresolved(n) ? Token.asString(n) : String(n);
}

/** How Athena computes the values of a projected partition column. */
export enum ProjectionType {
  /** A fixed list of values (`enum`). */
  ENUM = 'enum',
  /** A range of whole numbers (`integer`). */
  INTEGER = 'integer',
  /** A range of dates (`date`). */
  DATE = 'date',
  /** Values the query supplies in its WHERE clause (`injected`). */
  INJECTED = 'injected',
}

/** Unit of a date projection interval. */
export enum DateIntervalUnit {
  /** Years */
  YEARS = 'YEARS',
  /** Months */
  MONTHS = 'MONTHS',
  /** Weeks */
  WEEKS = 'WEEKS',
  /** Days */
  DAYS = 'DAYS',
  /** Hours */
  HOURS = 'HOURS',
  /** Minutes */
  MINUTES = 'MINUTES',
  /** Seconds */
  SECONDS = 'SECONDS',
}

/** Options of an integer projection. */
export interface IntegerProjectionOptions {
  /** Smallest value. */
  readonly min: number;
  /** Largest value. */
  readonly max: number;
  /**
   * Step between values.
   * @default 1
   */
  readonly interval?: number;
  /**
   * Left-pad values with zeros to this many digits (e.g. 2 for `month=01`).
   * @default - no padding
   */
  readonly digits?: number;
}

/** Options of a date projection. */
export interface DateProjectionOptions {
  /** First date, in `format`, or a relative date such as `NOW-3YEARS`. */
  readonly rangeStart: string;
  /**
   * Last date, in `format`, or a relative date.
   * @default 'NOW'
   */
  readonly rangeEnd?: string;
  /** Java DateTimeFormatter pattern of the values in the S3 keys, e.g. `yyyy/MM/dd` or `yyyy-MM-dd-HH`. */
  readonly format: string;
  /**
   * Step between values.
   * @default 1
   */
  readonly interval?: number;
  /**
   * Unit of the step.
   * @default DateIntervalUnit.DAYS
   */
  readonly intervalUnit?: DateIntervalUnit;
}

/**
 * Athena partition projection of one partition column: Athena computes the
 * partitions from these table properties instead of calling the Glue catalog's
 * GetPartitions, so new partitions are queryable at once, without a crawler run or
 * `MSCK REPAIR TABLE`. Athena then ignores partitions registered in the catalog;
 * other engines (Glue ETL, EMR, Redshift Spectrum) still need registered partitions.
 */
export class PartitionProjection {
  /** Values from a fixed list (best kept to a few dozen). */
  public static enumValues(values: string[]): PartitionProjection {
    return new PartitionProjection(ProjectionType.ENUM, { values });
  }

  /** Whole numbers from `min` to `max`. */
  public static integer(options: IntegerProjectionOptions): PartitionProjection {
    return new PartitionProjection(ProjectionType.INTEGER, { integer: options });
  }

  /** Dates in a range. */
  public static date(options: DateProjectionOptions): PartitionProjection {
    return new PartitionProjection(ProjectionType.DATE, { date: options });
  }

  /** Values injected by each query (the query must filter the column with `=` or `IN`). */
  public static injected(): PartitionProjection {
    return new PartitionProjection(ProjectionType.INJECTED, {});
  }

  /** Projection type. */
  public readonly type: ProjectionType;
  /** Values of an enum projection. */
  public readonly values?: string[];
  /** Options of an integer projection. */
  public readonly integerOptions?: IntegerProjectionOptions;
  /** Options of a date projection. */
  public readonly dateOptions?: DateProjectionOptions;

  private constructor(type: ProjectionType, options: { values?: string[]; integer?: IntegerProjectionOptions; date?: DateProjectionOptions }) {
    this.type = type;
    this.values = options.values;
    this.integerOptions = options.integer;
    this.dateOptions = options.date;
  }

  /** The `projection.<column>.*` table properties of this projection. */
  public tableProperties(column: string): { [key: string]: string } {
    const p = `projection.${column}`;
    const props: { [key: string]: string } = { [`${p}.type`]: this.type };
    if (this.values) props[`${p}.values`] = this.values.join(',');
    if (this.integerOptions) {
      const o = this.integerOptions;
      props[`${p}.range`] = `${text(o.min)},${text(o.max)}`;
      if (o.interval !== undefined) props[`${p}.interval`] = text(o.interval);
      if (o.digits !== undefined) props[`${p}.digits`] = text(o.digits);
    }
    if (this.dateOptions) {
      const o = this.dateOptions;
      props[`${p}.range`] = `${o.rangeStart},${o.rangeEnd ?? 'NOW'}`;
      props[`${p}.format`] = o.format;
      props[`${p}.interval`] = text(o.interval ?? 1);
      props[`${p}.interval.unit`] = o.intervalUnit ?? DateIntervalUnit.DAYS;
    }
    return props;
  }
}

/** A partition column of a Glue table. */
export interface PartitionKey {
  /** Column name (same rules as other columns); the `<name>=` segment of Hive-style keys. */
  readonly name: string;
  /**
   * Data type.
   * @default ColumnType.STRING
   */
  readonly type?: ColumnType;
  /**
   * Description shown in the catalog.
   * @default - none
   */
  readonly comment?: string;
  /**
   * Athena partition projection of this column. Either every partition key has
   * one, or none has (Athena rejects tables with partly projected partitions).
   * @default - no projection (partitions are registered by a crawler or MSCK REPAIR TABLE)
   */
  readonly projection?: PartitionProjection;
}

/** Depth of Hive-style time partitions (`year=/month=/day=/hour=`). */
export enum TimePartitionDepth {
  /** `year=YYYY/` */
  YEAR = 1,
  /** `year=YYYY/month=MM/` */
  MONTH = 2,
  /** `year=YYYY/month=MM/day=DD/` */
  DAY = 3,
  /** `year=YYYY/month=MM/day=DD/hour=HH/` */
  HOUR = 4,
}

/** Ready-made partition keys. */
export class PartitionKeys {
  /**
   * `year`, `month`, `day`, `hour` string keys (zero-padded, as Firehose writes
   * `!{timestamp:MM}`) with integer projections, matching the time partitions of
   * StreamIngestion.
   *
   * @param depth how many levels
   * @param firstYear first year of the projection range
   * @param lastYear last year of the projection range
   */
  public static time(depth: TimePartitionDepth, firstYear: number, lastYear: number): PartitionKey[] {
    const all: PartitionKey[] = [
      { name: 'year', projection: PartitionProjection.integer({ min: firstYear, max: lastYear }) },
      { name: 'month', projection: PartitionProjection.integer({ min: 1, max: 12, digits: 2 }) },
      { name: 'day', projection: PartitionProjection.integer({ min: 1, max: 31, digits: 2 }) },
      { name: 'hour', projection: PartitionProjection.integer({ min: 0, max: 23, digits: 2 }) },
    ];
    return all.slice(0, depth);
  }

  /** The partition keys as plain columns (for validation of grants against a schema). */
  public static asColumns(keys: PartitionKey[]): Column[] {
    return keys.map((k) => ({ name: k.name, type: k.type ?? ColumnType.STRING, comment: k.comment }));
  }

  private constructor() {}
}
