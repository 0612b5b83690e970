/** Options of CSV tables. */
export interface CsvFormatOptions {
  /**
   * Field delimiter (one character).
   * @default ','
   */
  readonly delimiter?: string;
  /**
   * Number of header lines Athena skips in each file.
   * @default 1
   */
  readonly skipHeaderLines?: number;
}

/**
 * A file format of a Glue table: its SerDe, input/output formats and
 * classification (notes 2.1).
 *
 * | format  | layout   | compressed / splittable | SerDe |
 * |---------|----------|-------------------------|-------|
 * | Parquet | columnar | yes (Snappy) / yes      | ParquetHiveSerDe |
 * | ORC     | columnar | yes (Zlib/Snappy) / yes | OrcSerde |
 * | Avro    | row      | yes (block) / yes       | AvroSerDe (schema in `avro.schema.literal`) |
 * | CSV     | row      | no (GZIP: not splittable) | LazySimpleSerDe |
 * | JSON    | row      | no (GZIP: not splittable) | OpenX JsonSerDe |
 *
 * The notes say Avro "stores in JSON format": only the *schema* is JSON; records
 * are binary. Columnar formats (Parquet, ORC) let Athena read only the columns a
 * query names, which is what cuts the bytes scanned (and the bill).
 */
export class TableFormat {
  /** Apache Parquet (columnar, Snappy-compressed; what Firehose conversion writes). */
  public static readonly PARQUET = new TableFormat('parquet',
    'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    { 'serialization.format': '1' },
    { 'parquet.compression': 'SNAPPY' }, true);

  /** Apache ORC (columnar). */
  public static readonly ORC = new TableFormat('orc',
    'org.apache.hadoop.hive.ql.io.orc.OrcSerde',
    'org.apache.hadoop.hive.ql.io.orc.OrcInputFormat',
    'org.apache.hadoop.hive.ql.io.orc.OrcOutputFormat',
    { 'serialization.format': '1' },
    { 'orc.compress': 'SNAPPY' }, true);

  /** Apache Avro (row-based, binary records with a JSON schema). */
  public static readonly AVRO = new TableFormat('avro',
    'org.apache.hadoop.hive.serde2.avro.AvroSerDe',
    'org.apache.hadoop.hive.ql.io.avro.AvroContainerInputFormat',
    'org.apache.hadoop.hive.ql.io.avro.AvroContainerOutputFormat',
    {}, {}, true);

  /** JSON lines (one object per line), read with the OpenX JSON SerDe (Firehose's JSON output). */
  public static readonly JSON = new TableFormat('json',
    'org.openx.data.jsonserde.JsonSerDe',
    'org.apache.hadoop.mapred.TextInputFormat',
    'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    {}, {}, false);

  /** CSV with a header line, comma-delimited, typed columns (LazySimpleSerDe). */
  public static readonly CSV = TableFormat.csv();

  /** CSV with another delimiter or header count. */
  public static csv(options: CsvFormatOptions = {}): TableFormat {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1) throw new Error(`invalid CSV delimiter ${JSON.stringify(delimiter)}. Allowed: exactly one character.`);
    const skip = options.skipHeaderLines ?? 1;
    if (!Number.isInteger(skip) || skip < 0) throw new Error(`invalid CSV skipHeaderLines ${skip}. Allowed: a whole number, 0 or more.`);
    return new TableFormat('csv',
      'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
      'org.apache.hadoop.mapred.TextInputFormat',
      'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      { 'field.delim': delimiter, 'serialization.format': delimiter },
      skip > 0 ? { 'skip.header.line.count': String(skip) } : {}, false);
  }

  /** Glue `classification` table property (what crawlers write, what Athena shows). */
  public readonly classification: string;
  /** SerDe class. */
  public readonly serializationLibrary: string;
  /** Hadoop input format class. */
  public readonly inputFormat: string;
  /** Hadoop output format class. */
  public readonly outputFormat: string;
  /** SerDe parameters. */
  public readonly serdeParameters: { [key: string]: string };
  /** Extra table properties of the format. */
  public readonly tableProperties: { [key: string]: string };
  /** Whether the files are compressed by the format itself. */
  public readonly compressed: boolean;

  private constructor(classification: string, serializationLibrary: string, inputFormat: string, outputFormat: string,
    serdeParameters: { [key: string]: string }, tableProperties: { [key: string]: string }, compressed: boolean) {
    this.classification = classification;
    this.serializationLibrary = serializationLibrary;
    this.inputFormat = inputFormat;
    this.outputFormat = outputFormat;
    this.serdeParameters = serdeParameters;
    this.tableProperties = tableProperties;
    this.compressed = compressed;
  }
}
