import { Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AlarmTopic } from './alarm-topic';

/** One alarm of a construct. */
export interface AlarmDefinition {
  /** The metric watched. */
  readonly metric: cloudwatch.IMetric;
  /** The threshold (a number, or a token such as a CfnParameter value). */
  readonly threshold: number;
  /** How the metric is compared with the threshold. */
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** What the alarm means and what to do, in one or two sentences. */
  readonly description: string;
  /**
   * Periods evaluated.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * Breaching periods (of `evaluationPeriods`) that set ALARM.
   * @default - all of them
   */
  readonly datapointsToAlarm?: number;
  /**
   * How missing data is treated.
   * @default TreatMissingData.NOT_BREACHING (no traffic is not a failure)
   */
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

/** Props for {@link ConstructAlarms}. */
export interface ConstructAlarmsProps {
  /**
   * Topic that receives every ALARM and OK transition. When it is a topic of this app,
   * CloudWatch is allowed to publish to it and to use its key.
   * @default - an {@link AlarmTopic} created in the owner, encrypted with `encryptionKey`
   */
  readonly topic?: sns.ITopic;
  /** Key of the topic created when no `topic` is given. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The alarms of one construct, built one way: every alarm notifies a topic on ALARM and
 * OK (the construct's `alarmTopic`, or one it creates), missing data is not breaching
 * unless said otherwise, and thresholds are never computed from unresolved values.
 * An alarm that notifies nobody is not monitoring.
 */
export class ConstructAlarms {
  private readonly owner: Construct;
  private readonly props: ConstructAlarmsProps;
  private readonly created: cloudwatch.Alarm[] = [];
  private resolvedTopic?: sns.ITopic;
  private action?: cw_actions.SnsAction;

  constructor(owner: Construct, props: ConstructAlarmsProps) {
    this.owner = owner;
    this.props = props;
  }

  /** The topic every alarm notifies (created on first use when none was given). */
  public get topic(): sns.ITopic {
    if (!this.resolvedTopic) {
      if (this.props.topic) {
        AlarmTopic.allowCloudWatchAlarms(this.props.topic);
        this.resolvedTopic = this.props.topic;
      } else {
        this.resolvedTopic = new AlarmTopic(this.owner, 'AlarmTopic', { encryptionKey: this.props.encryptionKey }).topic;
      }
    }
    return this.resolvedTopic;
  }

  /** Every alarm added so far. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.created];
  }

  /**
   * Adds an alarm (construct id `id` in the owner) that notifies the topic.
   * @throws when the threshold is not a finite number (e.g. arithmetic on a token)
   */
  public add(id: string, definition: AlarmDefinition): cloudwatch.Alarm {
    const t = definition.threshold;
    if (!Token.isUnresolved(t) && (!Number.isFinite(t) || Math.abs(t) > 1e15)) {
      throw new Error(`[${this.owner.node.path}] alarm ${id}: threshold ${t} is not a usable number (was it computed from an unresolved token?)`);
    }
    const alarm = new cloudwatch.Alarm(this.owner, id, {
      metric: definition.metric,
      alarmDescription: definition.description,
      threshold: t,
      comparisonOperator: definition.comparisonOperator,
      evaluationPeriods: definition.evaluationPeriods ?? 1,
      datapointsToAlarm: definition.datapointsToAlarm,
      treatMissingData: definition.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.action ??= new cw_actions.SnsAction(this.topic);
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.created.push(alarm);
    return alarm;
  }
}
