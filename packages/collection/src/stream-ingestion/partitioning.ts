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

/**
 * The JQ program Firehose runs on each record to extract the partition keys:
 * `{device: (.device), region: (.geo.region // "none")}`. Each field's query is wrapped in
 * parentheses: in a JQ object construction a value is a single term, so an unparenthesized
 * query using `//`, `+`, `,`, `and`, `or` or a comparison would be a syntax error (or, for `,`,
 * a different program).
 */
export function metadataExtractionQuery(fields: PartitionField[]): string {
  return `{${fields.map((f) => `${f.name}: (${f.query ?? `.${f.name}`})`).join(', ')}}`;
}

/**
 * Builds the Hive-style prefix, the error prefix and the JQ extraction query. With
 * `timePartitions: false` (destinations other than S3, whose S3 part holds backups or staged
 * files) the prefix is the base prefix alone, and Firehose adds its own `YYYY/MM/dd/HH/` folders.
 */
export function partitionLayout(
  basePrefix: string, options: PartitioningOptions, errorOutputPrefix?: string, timePartitions = true,
): PartitionLayout {
  const fields = options.fields ?? [];
  const granularity = options.timeGranularity ?? TimeGranularity.DAY;
  const depth = timePartitions ? TIME_PARTS.findIndex(([g]) => g === granularity) + 1 : 0;
  const time = TIME_PARTS.slice(0, depth).map(([, name, fmt]) => `${name}=!{timestamp:${fmt}}/`).join('');
  const fieldPart = fields.map((f) => `${f.name}=!{partitionKeyFromQuery:${f.name}}/`).join('');
  const base = basePrefix === '' ? '' : `${basePrefix.replace(/\/+$/, '')}/`;
  const jqQuery = fields.length > 0 ? metadataExtractionQuery(fields) : undefined;
  return {
    basePrefix: base,
    prefix: `${base}${fieldPart}${time}`,
    errorOutputPrefix: errorOutputPrefix ?? `errors/${base}!{firehose:error-output-type}/${time}`,
    jqQuery,
    partitionKeys: [...fields.map((f) => f.name), ...TIME_PARTS.slice(0, depth).map(([, name]) => name)],
  };
}

/**
 * The fixed text of an S3 prefix before its first Firehose expression (`!{...}`): the part of
 * the key space the delivery role needs to write to.
 */
export function literalPrefix(prefix: string): string {
  const i = prefix.indexOf('!{');
  return i < 0 ? prefix : prefix.slice(0, i);
}
