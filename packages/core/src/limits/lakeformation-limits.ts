import { Limit } from '../validation/limit';

/**
 * Limits of AWS Lake Formation. Tag keys and values are Unicode patterns (`\p{L}`...): check
 * them with `new RegExp(pattern, 'u')`.
 */
export class LakeFormationLimits {
  /**
   * LF-tag key: 1-128 letters, digits, spaces and `_.:/=+-@%` (Unicode pattern).
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_LFTag.html
   */
  public static readonly TAG_KEY_PATTERN = '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@%]{1,128}$';

  /**
   * LF-tag value: 1-256 letters, digits, spaces and `_.:*\/=+-@%` (Unicode pattern).
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_LFTag.html
   */
  public static readonly TAG_VALUE_PATTERN = '^[\\p{L}\\p{Z}\\p{N}_.:*/=+\\-@%]{1,256}$';

  /**
   * Values of an LF-tag created in one call (as `AWS::LakeFormation::Tag` does): 1-50. Lake
   * Formation allows up to 1,000 values per key, added 50 at a time.
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_CreateLFTag.html
   */
  public static readonly TAG_VALUES: Limit = { min: 1, max: 50, unit: 'values', integer: true };

  /**
   * LF-tags assigned to one resource in one call, and conditions of one LF-tag expression: 1-50.
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_AddLFTagsToResource.html
   */
  public static readonly TAGS_PER_CALL: Limit = { min: 1, max: 50, unit: 'tags', integer: true };

  /**
   * Data cells filter name: 1-255 characters on one line.
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_DataCellsFilter.html
   */
  public static readonly FILTER_NAME_PATTERN = '^[\\u0020-\\uD7FF\\uE000-\\uFFFD\\t]{1,255}$';

  /**
   * Length of a row filter (PartiQL) expression. AWS documents no maximum; 2,048 characters is
   * this library's bound.
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_RowFilter.html
   */
  public static readonly ROW_FILTER_LENGTH: Limit = { min: 1, max: 2048, unit: 'characters', integer: true };

  /**
   * Cross-account sharing version of the data lake settings (`CrossAccountVersion`): 1-4.
   * @see https://docs.aws.amazon.com/lake-formation/latest/dg/cross-account-notes.html
   */
  public static readonly CROSS_ACCOUNT_VERSION: Limit = { min: 1, max: 4, integer: true };

  /**
   * Permissions of one grant: every Lake Formation permission at most once.
   * @see https://docs.aws.amazon.com/lake-formation/latest/APIReference/API_GrantPermissions.html
   */
  public static readonly PERMISSIONS: Limit = { min: 1, max: 20, unit: 'permissions', integer: true };

  private constructor() {}
}
