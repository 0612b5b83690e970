import { GlueLimits, S3Limits, Validate } from '@analytics-patterns/core';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { DataLakeTableProps } from './data-lake-table-props';
import { DateProjectionOptions, IntegerProjectionOptions, PartitionKey, ProjectionType } from './partition-projection';

const PREFIX = '^([A-Za-z0-9!_.*\'()=-]+/)*$';
const known = (v: unknown) => !Token.isUnresolved(v);

/** Checks a table's props against Glue's and Athena's rules; skips what tokens hide. */
export function validateTable(scope: IConstruct, props: DataLakeTableProps, keys: PartitionKey[]): void {
  validateNames(scope, props, keys);
  validateProjections(scope, keys);
  validateTemplate(scope, props, keys);
  validateTableProperties(scope, props);
}

function validateNames(scope: IConstruct, props: DataLakeTableProps, keys: PartitionKey[]): void {
  Validate.resourceName(scope, 'tableName', props.tableName, GlueLimits.TABLE_NAME);
  Validate.pattern(scope, 'prefix', PREFIX, 'empty, or S3 key segments each ending with "/", without a leading "/"', props.prefix);
  if (known(props.prefix)) Validate.number(scope, Buffer.byteLength(props.prefix, 'utf8'), { prop: 'prefix (UTF-8 bytes)', ...S3Limits.KEY_BYTES });
  if (props.description !== undefined && known(props.description)) {
    Validate.number(scope, props.description.length, { prop: 'description.length', ...GlueLimits.DESCRIPTION_CHARS });
  }
  Validate.count(scope, 'columns', GlueLimits.COLUMNS.min, GlueLimits.COLUMNS.max, props.columns);
  props.columns.forEach((c, i) => {
    Validate.resourceName(scope, `columns[${i}].name`, c.name, GlueLimits.COLUMN_NAME);
    if (c.comment !== undefined && known(c.comment)) Validate.number(scope, c.comment.length, { prop: `columns[${i}].comment.length`, ...GlueLimits.COLUMN_COMMENT_CHARS });
  });
  keys.forEach((k, i) => {
    Validate.resourceName(scope, `partitionKeys[${i}].name`, k.name, GlueLimits.COLUMN_NAME);
    Validate.that(scope, k.type === undefined || k.type.isPrimitive, {
      prop: `partitionKeys[${i}].type`, value: k.type?.typeString, allowed: 'a primitive type (partition values are path segments)',
    });
  });
  Validate.unique(scope, 'columns[].name + partitionKeys[].name', [...props.columns.map((c) => c.name), ...keys.map((k) => k.name)]);
}

/** Athena's rules for partition projection: all keys or none, and each type's settings. */
function validateProjections(scope: IConstruct, keys: PartitionKey[]): void {
  const projected = keys.filter((k) => k.projection !== undefined);
  Validate.that(scope, projected.length === 0 || projected.length === keys.length, {
    prop: 'partitionKeys[].projection',
    value: `${projected.length} of ${keys.length} keys projected (${keys.filter((k) => !k.projection).map((k) => k.name).join(', ')} without)`,
    allowed: 'a projection on every partition key or on none (Athena rejects partly projected tables)',
  });
  keys.forEach((k, i) => {
    const p = k.projection;
    const prop = `partitionKeys[${i}].projection`;
    if (p?.type === ProjectionType.ENUM) validateEnum(scope, prop, p.values ?? []);
    else if (p?.type === ProjectionType.INTEGER) validateInteger(scope, prop, p.integerOptions!);
    else if (p?.type === ProjectionType.DATE) validateDate(scope, prop, p.dateOptions!);
  });
}

function validateEnum(scope: IConstruct, prop: string, values: string[]): void {
  const limit = GlueLimits.ENUM_PROJECTION_VALUES;
  Validate.count(scope, `${prop}.values`, limit.min, limit.max, values);
  Validate.that(scope, values.every((v) => !known(v) || (v.length > 0 && !v.includes(','))), {
    prop: `${prop}.values`, value: values, allowed: 'non-empty values without commas (Athena splits the list on commas)',
  });
}

function validateInteger(scope: IConstruct, prop: string, o: IntegerProjectionOptions): void {
  const range = GlueLimits.INTEGER_PROJECTION_VALUE;
  Validate.number(scope, o.min, { prop: `${prop}.min`, ...range });
  Validate.number(scope, o.max, { prop: `${prop}.max`, ...range });
  Validate.that(scope, !known(o.min) || !known(o.max) || o.min <= o.max, {
    prop: `${prop}.min/max`, value: `${o.min},${o.max}`, allowed: 'whole numbers with min <= max',
  });
  Validate.number(scope, o.interval, { prop: `${prop}.interval`, ...GlueLimits.PROJECTION_INTERVAL });
  Validate.number(scope, o.digits, { prop: `${prop}.digits`, ...GlueLimits.INTEGER_PROJECTION_DIGITS });
}

function validateDate(scope: IConstruct, prop: string, o: DateProjectionOptions): void {
  Validate.that(scope, !known(o.format) || o.format.trim().length > 0, {
    prop: `${prop}.format`, value: o.format, allowed: 'a Java DateTimeFormatter pattern such as yyyy/MM/dd',
  });
  for (const [name, value] of [['rangeStart', o.rangeStart], ['rangeEnd', o.rangeEnd]] as Array<[string, string | undefined]>) {
    Validate.that(scope, value === undefined || !known(value) || (value.trim().length > 0 && !value.includes(',')), {
      prop: `${prop}.${name}`, value, allowed: 'a date in the format, or NOW[+-]<n><UNIT>, without commas',
    });
  }
  Validate.number(scope, o.interval, { prop: `${prop}.interval`, ...GlueLimits.PROJECTION_INTERVAL });
}

/** `storage.location.template`: only with projections, an s3:// URI with a placeholder per key. */
function validateTemplate(scope: IConstruct, props: DataLakeTableProps, keys: PartitionKey[]): void {
  const template = props.storageLocationTemplate;
  if (template === undefined) return;
  Validate.that(scope, keys.some((k) => k.projection !== undefined), {
    prop: 'storageLocationTemplate', value: template, allowed: 'only with projected partition keys',
  });
  if (!known(template)) return;
  const missing = keys.filter((k) => !template.includes(`\${${k.name}}`)).map((k) => k.name);
  Validate.that(scope, missing.length === 0, {
    prop: 'storageLocationTemplate',
    value: template,
    allowed: `a template with a placeholder for every partition key (missing: ${missing.map((m) => `\${${m}}`).join(', ')})`,
  });
  Validate.that(scope, template.startsWith('s3://'), { prop: 'storageLocationTemplate', value: template, allowed: 'an s3:// URI' });
}

/** Extra table properties: not the ones the table sets itself, within Glue's parameter sizes. */
function validateTableProperties(scope: IConstruct, props: DataLakeTableProps): void {
  const reserved = ['classification', 'EXTERNAL', 'projection.enabled', 'storage.location.template', 'avro.schema.literal',
    ...Object.keys(props.format.tableProperties)];
  for (const [key, value] of Object.entries(props.tableProperties ?? {})) {
    Validate.that(scope, !reserved.includes(key) && !key.startsWith('projection.'), {
      prop: `tableProperties.${key}`, value, allowed: `a property other than ${reserved.join(', ')} and projection.*`,
    });
    Validate.number(scope, key.length, { prop: `tableProperties.${key} (key length)`, ...GlueLimits.PARAMETER_KEY_CHARS });
    if (known(value)) Validate.number(scope, value.length, { prop: `tableProperties.${key} (value length)`, ...GlueLimits.PARAMETER_VALUE_CHARS });
  }
}
