import { Validate } from '@analytics-patterns/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Props for {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Key that encrypts messages at rest. CloudWatch is allowed to use it (key policy). */
  readonly encryptionKey: kms.IKey;
  /**
   * E-mail addresses subscribed to the topic (each must confirm the subscription).
   * @default - none
   */
  readonly emails?: string[];
}

/**
 * An SNS topic for alarm notifications: encrypted with a customer-managed key that
 * CloudWatch alarms may use, and publishable only over TLS.
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    (props.emails ?? []).forEach((e, i) => Validate.pattern(this, `emails[${i}]`, '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', 'an e-mail address', e));
    this.topic = new sns.Topic(this, 'Topic', { masterKey: props.encryptionKey, enforceSSL: true });
    props.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishEncrypted',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
    }));
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subs.EmailSubscription(email));
    }
  }
}
