import { Token } from 'aws-cdk-lib';

/** Throws when a type parameter is a token: the type string and the Avro schema are built from it at synth. */
function requireKnown(type: string, ...values: number[]): void {
  if (values.some((v) => Token.isUnresolved(v))) {
    throw new Error(`invalid ${type}: a token. Allowed: numbers known at synth (the type string and the Avro schema are built from them).`);
  }
}

/** One column of a Glue table (or a field of a struct column). */
export interface Column {
  /**
   * Column name: lower-case letters, digits and "_", starting with a letter or "_"
   * (Athena and Glue lower-case names; upper case would not match at query time).
   */
  readonly name: string;
  /** Hive/Athena data type. */
  readonly type: ColumnType;
  /**
   * Description shown in the catalog.
   * @default - none
   */
  readonly comment?: string;
}

/**
 * A Hive data type as Glue, Athena, Firehose record conversion and Spark read it.
 *
 * Primitive types are static members; parameterised and complex types are built
 * with the static methods. `typeString` is what lands in the catalog; the Avro
 * schema of an Avro table is derived from the same object.
 */
export class ColumnType {
  /** `boolean` */
  public static readonly BOOLEAN = new ColumnType('boolean', 'boolean');
  /** `tinyint` (8-bit) */
  public static readonly TINYINT = new ColumnType('tinyint', 'int');
  /** `smallint` (16-bit) */
  public static readonly SMALLINT = new ColumnType('smallint', 'int');
  /** `int` (32-bit) */
  public static readonly INT = new ColumnType('int', 'int');
  /** `bigint` (64-bit) */
  public static readonly BIGINT = new ColumnType('bigint', 'long');
  /** `float` (32-bit IEEE 754) */
  public static readonly FLOAT = new ColumnType('float', 'float');
  /** `double` (64-bit IEEE 754) */
  public static readonly DOUBLE = new ColumnType('double', 'double');
  /** `string` */
  public static readonly STRING = new ColumnType('string', 'string');
  /** `binary` */
  public static readonly BINARY = new ColumnType('binary', 'bytes');
  /** `date` */
  public static readonly DATE = new ColumnType('date', { type: 'int', logicalType: 'date' });
  /** `timestamp` */
  public static readonly TIMESTAMP = new ColumnType('timestamp', { type: 'long', logicalType: 'timestamp-millis' });

  /**
   * `decimal(precision, scale)`: precision 1-38, scale 0-precision.
   */
  public static decimal(precision: number, scale: number = 0): ColumnType {
    requireKnown('decimal', precision, scale);
    if (!Number.isInteger(precision) || precision < 1 || precision > 38 || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`invalid decimal(${precision},${scale}). Allowed: precision 1-38, scale 0-precision.`);
    }
    return new ColumnType(`decimal(${precision},${scale})`, { type: 'bytes', logicalType: 'decimal', precision, scale });
  }

  /** `varchar(length)`: length 1-65535. */
  public static varchar(length: number): ColumnType {
    requireKnown('varchar', length);
    if (!Number.isInteger(length) || length < 1 || length > 65535) {
      throw new Error(`invalid varchar(${length}). Allowed: length 1-65535.`);
    }
    return new ColumnType(`varchar(${length})`, 'string');
  }

  /** `char(length)`: length 1-255. */
  public static char(length: number): ColumnType {
    requireKnown('char', length);
    if (!Number.isInteger(length) || length < 1 || length > 255) {
      throw new Error(`invalid char(${length}). Allowed: length 1-255.`);
    }
    return new ColumnType(`char(${length})`, 'string');
  }

  /** `array<element>` */
  public static array(element: ColumnType): ColumnType {
    return new ColumnType(`array<${element.typeString}>`, { type: 'array', items: nullable(element.avroType) }, false);
  }

  /** `map<string,value>` (Avro maps have string keys; other formats accept any primitive key). */
  public static map(keyType: ColumnType, valueType: ColumnType): ColumnType {
    if (!keyType.isPrimitive) throw new Error(`invalid map key type ${keyType.typeString}. Allowed: a primitive type.`);
    return new ColumnType(`map<${keyType.typeString},${valueType.typeString}>`, { type: 'map', values: nullable(valueType.avroType) }, false);
  }

  /** `struct<name:type,...>` */
  public static struct(fields: Column[]): ColumnType {
    if (fields.length === 0) throw new Error('invalid struct: at least one field is needed.');
    const typeString = `struct<${fields.map((f) => `${f.name}:${f.type.typeString}`).join(',')}>`;
    return new ColumnType(typeString, {
      type: 'record',
      name: `struct_${fields.map((f) => f.name).join('_')}`.slice(0, 100),
      fields: fields.map((f) => ({ name: f.name, type: nullable(f.type.avroType), default: null })),
    }, false);
  }

  /** The Hive type as written in the catalog, e.g. `decimal(10,2)` or `array<string>`. */
  public readonly typeString: string;
  /** Whether this is a primitive (non-array/map/struct) type. */
  public readonly isPrimitive: boolean;
  /** The equivalent Avro type (JSON value), used for the schema of Avro tables. */
  public readonly avroType: any;

  private constructor(typeString: string, avroType: any, isPrimitive: boolean = true) {
    this.typeString = typeString;
    this.avroType = avroType;
    this.isPrimitive = isPrimitive;
  }
}

/** Avro union with null, so missing values are readable (Hive columns are nullable). */
function nullable(avroType: any): any {
  return ['null', avroType];
}
