/** Amazon CloudWatch limits that constructs respect when they build alarms. */
export class CloudWatchLimits {
  /**
   * Metrics an alarm on a metric math expression may reference (a hard limit); beyond it an
   * alarm uses a Metrics Insights query, which aggregates any number of metrics of a namespace.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html
   */
  public static readonly ALARM_MATH_METRICS = 10;

  private constructor() {}
}
