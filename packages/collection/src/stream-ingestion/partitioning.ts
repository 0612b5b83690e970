/** Time granularity of Hive-style time partitions (`year=/month=/day=/hour=`). */
export enum TimeGranularity {
  /** `year=YYYY/` */
  YEAR = 'YEAR',
  /** `year=YYYY/month=MM/` */
  MONTH = 'MONTH',
  /** `year=YYYY/month=MM/day=DD/` (the notes: rotate daily when queries cover one day) */
  DAY = 'DAY',
  /** `year=YYYY/month=MM/day=DD/hour=HH/` (Firehose's own default depth) */
  HOUR = 'HOUR',
}

/** A partition key taken from each record by a JQ expression (Firehose dynamic partitioning). */
export interface PartitionField {
  /**
   * Partition column name, used as `<name>=` in the S3 prefix and as the JQ key.
   * Lower-case letters, digits and underscores, starting with a letter (Glue/Athena column rules).
   */
  readonly name: string;
  /**
   * JQ 1.6 expression that extracts the value from the JSON record.
   * @default `.<name>`
   */
  readonly query?: string;
}

/** Partitioned S3 layout of delivered objects. */
export interface PartitioningOptions {
  /**
   * Fields of the record to partition by, in prefix order. When given, Firehose
   * dynamic partitioning is enabled with inline JQ parsing (no Lambda).
   * @default - no record fields: time partitions only, no dynamic partitioning
   */
  readonly fields?: PartitionField[];
  /**
   * Time partitions after the field partitions, from the record's approximate
   * arrival time in Firehose (`!{timestamp:...}`, UTC).
   * @default TimeGranularity.DAY
   */
  readonly timeGranularity?: TimeGranularity;
}

const TIME_PARTS: Array<[TimeGranularity, string, string]> = [
  [TimeGranularity.YEAR, 'year', 'yyyy'],
  [TimeGranularity.MONTH, 'month', 'MM'],
  [TimeGranularity.DAY, 'day', 'dd'],
  [TimeGranularity.HOUR, 'hour', 'HH'],
];

/** The S3 key layout derived from partitioning options (internal). */
export interface PartitionLayout {
  readonly basePrefix: string;
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  readonly jqQuery?: string;
  readonly partitionKeys: string[];
}

/** Builds the Hive-style prefix, the error prefix and the JQ extraction query. */
export function partitionLayout(basePrefix: string, options: PartitioningOptions, errorOutputPrefix?: string): PartitionLayout {
  const fields = options.fields ?? [];
  const granularity = options.timeGranularity ?? TimeGranularity.DAY;
  const depth = TIME_PARTS.findIndex(([g]) => g === granularity) + 1;
  const time = TIME_PARTS.slice(0, depth).map(([, name, fmt]) => `${name}=!{timestamp:${fmt}}/`).join('');
  const fieldPart = fields.map((f) => `${f.name}=!{partitionKeyFromQuery:${f.name}}/`).join('');
  const base = basePrefix === '' ? '' : `${basePrefix.replace(/\/+$/, '')}/`;
  const jqQuery = fields.length > 0 ? `{${fields.map((f) => `${f.name}: ${f.query ?? `.${f.name}`}`).join(', ')}}` : undefined;
  return {
    basePrefix: base,
    prefix: `${base}${fieldPart}${time}`,
    errorOutputPrefix: errorOutputPrefix ?? `errors/${base}!{firehose:error-output-type}/${time}`,
    jqQuery,
    partitionKeys: [...fields.map((f) => f.name), ...TIME_PARTS.slice(0, depth).map(([, name]) => name)],
  };
}
