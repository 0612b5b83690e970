import { Limit, NameRule } from '../validation/limit';

/**
 * Limits of Amazon QuickSight data sources, datasets and SPICE refresh schedules (notes 5).
 */
export class QuickSightLimits {
  /**
   * Display name of a dataset or data source.
   * @see https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CreateDataSet.html
   */
  public static readonly NAME: NameRule = { pattern: '^[\\s\\S]+$', description: 'any characters', minLength: 1, maxLength: 128 };

  /**
   * Principals with permissions on one dataset or data source.
   * @see https://docs.aws.amazon.com/quicksight/latest/APIReference/API_CreateDataSet.html
   */
  public static readonly PERMISSIONS: Limit = { min: 1, max: 64, unit: 'principals', integer: true };

  /**
   * Input columns of a relational table.
   * @see https://docs.aws.amazon.com/quicksight/latest/APIReference/API_RelationalTable.html
   */
  public static readonly INPUT_COLUMNS: Limit = { min: 1, max: 2048, unit: 'columns', integer: true };

  /**
   * Principals of one column-level permission rule.
   * @see https://docs.aws.amazon.com/quicksight/latest/APIReference/API_ColumnLevelPermissionRule.html
   */
  public static readonly COLUMN_RULE_PRINCIPALS: Limit = { min: 1, max: 100, unit: 'principals', integer: true };

  /**
   * A QuickSight user or group ARN (the principals of dataset permissions).
   * @see https://docs.aws.amazon.com/quicksight/latest/APIReference/API_ResourcePermission.html
   */
  public static readonly PRINCIPAL_ARN: NameRule = {
    pattern: '^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\\d{12}:(user|group)/[A-Za-z0-9_.@+=/-]+$',
    description: 'a QuickSight user or group ARN',
  };

  /**
   * Time of day of a SPICE refresh (`TimeOfTheDay`, `HH:MM`, 24 hours).
   * @see https://docs.aws.amazon.com/quicksight/latest/APIReference/API_RefreshFrequency.html
   */
  public static readonly TIME_OF_DAY: NameRule = { pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM (24 h)' };

  /**
   * Glue database, table and column names a dataset names (lower-case in the Data Catalog).
   * @see https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
   */
  public static readonly CATALOG_NAME: NameRule = { pattern: '^[a-z0-9_]+$', description: 'lower-case letters, digits and "_"', minLength: 1, maxLength: 255 };

  private constructor() {}
}
