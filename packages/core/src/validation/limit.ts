/**
 * One documented AWS limit: a closed range, optionally of whole numbers, in a unit.
 *
 * Limit tables (`KinesisLimits`, `FirehoseLimits`, ...) are classes of static
 * readonly `Limit`s, each with a `@see` link to the AWS page the numbers come from,
 * so a limit is written once and a check reads `Validate.number(this, value,
 * { prop: 'retentionPeriod', ...KinesisLimits.RETENTION_HOURS })`.
 */
export interface Limit {
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. */
  readonly max: number;
  /**
   * Unit shown in messages, e.g. `seconds`, `MiB`, `shards`.
   * @default - no unit
   */
  readonly unit?: string;
  /**
   * Whether only whole numbers are allowed.
   * @default false
   */
  readonly integer?: boolean;
}

/** A rule for a resource name or identifier. */
export interface NameRule {
  /** Regular expression (source text) the whole name must match. */
  readonly pattern: string;
  /** What the pattern allows, in words, for the error message. */
  readonly description: string;
  /**
   * Shortest length.
   * @default 1
   */
  readonly minLength?: number;
  /**
   * Longest length.
   * @default - only the pattern limits it
   */
  readonly maxLength?: number;
  /**
   * Prefixes the service reserves (compared case-insensitively).
   * @default - none
   */
  readonly reservedPrefixes?: string[];
  /**
   * Suffixes the service reserves (compared case-insensitively).
   * @default - none
   */
  readonly reservedSuffixes?: string[];
  /**
   * Whole names the service reserves (compared case-insensitively).
   * @default - none
   */
  readonly reservedWords?: string[];
}
