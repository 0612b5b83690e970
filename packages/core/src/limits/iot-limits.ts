import { Limit, NameRule } from '../validation/limit';

/** AWS IoT Core limits that constructs check at synth time. */
export class IotLimits {
  /**
   * Name of a topic rule: 1-128 letters, digits and underscores.
   * @see https://docs.aws.amazon.com/iot/latest/apireference/API_TopicRule.html
   */
  public static readonly RULE_NAME: NameRule = {
    pattern: '^[a-zA-Z0-9_]+$',
    description: 'letters, digits and "_"',
    maxLength: 128,
  };

  /**
   * Size of a topic or topic filter, in bytes of UTF-8.
   * @see https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits
   */
  public static readonly TOPIC_BYTES: Limit = { min: 1, max: 256, unit: 'bytes', integer: true };

  /**
   * Forward slashes in a topic or topic filter (so at most 8 levels).
   * @see https://docs.aws.amazon.com/general/latest/gr/iot-core.html#message-broker-limits
   */
  public static readonly TOPIC_SLASHES: Limit = { min: 0, max: 7, unit: 'slashes', integer: true };

  private constructor() {}
}
