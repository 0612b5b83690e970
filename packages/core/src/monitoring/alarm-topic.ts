import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { Validate } from '../validation/validate';

/** Props for {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /**
   * Key that encrypts messages at rest. CloudWatch alarms (and, with `allowEventBridge`,
   * EventBridge rules) of this account and region are allowed to use it in its key policy.
   */
  readonly encryptionKey: kms.IKey;
  /**
   * E-mail addresses subscribed to the topic (each must confirm the subscription).
   * @default - none
   */
  readonly emails?: string[];
}

const EMAIL = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

/**
 * An SNS topic for alarm and failure notifications that the publishers can actually use:
 *
 * - encrypted with a customer-managed key; publishable only over TLS (a topic policy
 *   denies `aws:SecureTransport = false`);
 * - a topic policy statement lets `cloudwatch.amazonaws.com` publish for alarms of this
 *   account and region only (`aws:SourceAccount`, `aws:SourceArn` conditions): a topic
 *   policy replaces SNS's default policy, so without it no alarm would ever arrive;
 * - the key policy lets CloudWatch use the key for those alarms, with the same conditions
 *   (SNS encrypts each message with a data key generated on the publisher's behalf).
 *
 * @see https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
 */
export class AlarmTopic extends Construct {
  /**
   * Lets CloudWatch alarms of `topic`'s account and region publish to it: a topic policy
   * statement and, when the topic is encrypted with a key, a key policy statement, both
   * conditioned on `aws:SourceAccount` and `aws:SourceArn`. For an imported topic or key,
   * whose policies are managed elsewhere, a warning says what their policy must allow.
   */
  public static allowCloudWatchAlarms(topic: sns.ITopic, key?: kms.IKey): void {
    const stack = Stack.of(topic);
    const conditions = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    };
    const principal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    AlarmTopic.once(topic, 'CloudWatchAlarmsAllowed', () => topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions,
    })).statementAdded, 'its topic policy must allow cloudwatch.amazonaws.com to sns:Publish'
      // an imported topic does not say whether (or with which key) it is encrypted
      + (key ?? topic.masterKey ? '' : ' and, if the topic is encrypted, its key policy must allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*'));
    const topicKey = key ?? topic.masterKey;
    if (topicKey) {
      AlarmTopic.once(topicKey, 'CloudWatchAlarmsAllowed', () => topicKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseKey',
        principals: [principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions,
      })).statementAdded, 'its key policy must allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*');
    }
  }

  /**
   * Lets EventBridge rules of `topic`'s account publish to it (topic policy conditioned on
   * `aws:SourceAccount`) and use its key. AWS documents that the KMS requests EventBridge
   * makes for an encrypted topic carry no `aws:SourceAccount`/`aws:SourceArn`, so the key
   * policy statement is scoped by principal and action only.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html#eb-sns-permissions
   */
  public static allowEventBridge(topic: sns.ITopic, key?: kms.IKey): void {
    const principal = new iam.ServicePrincipal('events.amazonaws.com');
    AlarmTopic.once(topic, 'EventBridgeAllowed', () => topic.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRulesToPublish',
      principals: [principal],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(topic).account } },
    })).statementAdded, 'its topic policy must allow events.amazonaws.com to sns:Publish');
    const topicKey = key ?? topic.masterKey;
    if (topicKey) {
      AlarmTopic.once(topicKey, 'EventBridgeAllowed', () => topicKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeToUseKey',
        principals: [principal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      })).statementAdded, 'its key policy must allow events.amazonaws.com kms:Decrypt and kms:GenerateDataKey*');
    }
  }

  /**
   * Grants `grantee` (a state machine role, a Lambda function) what publishing to `topic`
   * takes: `sns:Publish` on the topic and, for an encrypted topic, `kms:GenerateDataKey*`
   * and `kms:Decrypt` on its key through SNS (`kms:ViaService`).
   */
  public static grantPublish(topic: sns.ITopic, grantee: iam.IGrantable, key?: kms.IKey): iam.Grant {
    // not topic.grantPublish: it also grants the topic key with no kms:ViaService condition
    const grant = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
    const topicKey = key ?? topic.masterKey;
    if (topicKey) {
      const added = grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: [topicKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(topic).region}.amazonaws.com` } },
      })).statementAdded;
      if (!added) {
        Annotations.of(topic).addWarningV2('@analytics-patterns/core:PublisherKeyGrant',
          `${grantee.grantPrincipal} has no policy this app can change: it needs kms:Decrypt and kms:GenerateDataKey* on ${topicKey.node.path} to publish to ${topic.node.path}.`);
      }
    }
    return grant;
  }

  /** Runs `add` once per construct `target` and `marker`; warns when the policy could not be changed. */
  private static once(target: IConstruct, marker: string, add: () => boolean, need: string): void {
    if (target.node.tryFindChild(marker)) return;
    if (add()) {
      new Construct(target, marker);
    } else {
      Annotations.of(target).addWarningV2(`@analytics-patterns/core:${marker}`,
        `${target.node.path} is imported, so its policy is managed elsewhere: ${need}, or notifications are dropped.`);
    }
  }

  /** The topic. */
  public readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    (props.emails ?? []).forEach((e, i) => Validate.pattern(this, `emails[${i}]`, EMAIL, 'an e-mail address', e));
    this.encryptionKey = props.encryptionKey;
    this.topic = new sns.Topic(this, 'Topic', { masterKey: props.encryptionKey, enforceSSL: true });
    AlarmTopic.allowCloudWatchAlarms(this.topic, props.encryptionKey);
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subs.EmailSubscription(email));
    }
  }
}
