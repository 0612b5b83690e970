import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';

/** The cdk-nag 3 rule packs this library is checked against. */
export enum NagPackName {
  /** AWS Solutions (`AwsSolutionsChecks`). */
  AWS_SOLUTIONS = 'AwsSolutions',
  /** NIST 800-53 revision 5 (`NIST80053R5Checks`). */
  NIST_800_53_R5 = 'NIST.800.53.R5',
  /** HIPAA Security (`HIPAASecurityChecks`). */
  HIPAA_SECURITY = 'HIPAA.Security',
  /** PCI DSS 3.2.1 (`PCIDSS321Checks`). */
  PCI_DSS_321 = 'PCI.DSS.321',
}

/** The compliance packs (every pack but AwsSolutions), which share rule names. */
const COMPLIANCE_PACKS = [NagPackName.NIST_800_53_R5, NagPackName.HIPAA_SECURITY, NagPackName.PCI_DSS_321];

const RULE_ID = /^(AwsSolutions|NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321)-[A-Za-z0-9]+(\[.+\])?$/;
const JSII_RTTI = Symbol.for('jsii.rtti');

/**
 * The construct that decided an acknowledgement: the nearest construct, from `scope` up,
 * that belongs to this library (or to the user's code), not to aws-cdk-lib.
 */
function provenance(scope: IConstruct): string {
  const fqnOf = (c: IConstruct): string | undefined => (c.constructor as any)[JSII_RTTI]?.fqn;
  // a class of aws-cdk-lib itself (decorated classes are renamed Role2, Bucket2...; iam.Policy makes a
  // private CfnPolicyConditional), not a subclass of one
  const isCdkClass = (c: IConstruct, fqn: string) => (fqn.startsWith('aws-cdk-lib') || fqn.startsWith('constructs'))
    && new RegExp(`^${fqn.split('.').pop()}(\\d+|Conditional)?$`).test(c.constructor.name);
  let current: IConstruct | undefined = scope;
  while (current) {
    const fqn = fqnOf(current);
    if (fqn === undefined || !isCdkClass(current, fqn)) {
      return `${current.constructor.name} at ${current.node.path || '<root>'}`;
    }
    current = current.node.scope;
  }
  // made by code outside any library construct (an app or a test): name the scope's type
  return `${fqnOf(scope)?.split('.').pop() ?? scope.constructor.name} at ${scope.node.path}`;
}

/** Renders a resolved CloudFormation value the way cdk-nag 3 names it in a finding. */
function renderForNag(value: any): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(renderForNag).join('');
  if (value && typeof value === 'object') {
    if ('Ref' in value) return `<${value.Ref}>`;
    if ('Fn::GetAtt' in value) return `<${[].concat(value['Fn::GetAtt']).join('.')}>`;
    if ('Fn::Join' in value) return (value['Fn::Join'][1] as any[]).map(renderForNag).join(value['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges cdk-nag (v3) findings on one construct, with a reason and its provenance.
 *
 * cdk-nag 3 reads CDK's native `Validations.of(scope).acknowledge()`; the rule id must
 * carry the pack prefix (`AwsSolutions::AwsSolutions-IAM5`) or nothing is acknowledged.
 * These helpers add the prefix, refuse empty or generic reasons, and prefix every reason
 * with the construct that decided it (`[StreamIngestion at Stack/Ingest]`), so a review of
 * the acknowledgements of an app shows who made each one and why it is safe there.
 */
export class NagAcknowledgements {
  /**
   * Acknowledges one finding.
   * @param scope the construct the finding is reported on (or a parent of it)
   * @param rule the rule id with its pack, e.g. `AwsSolutions-KDF1`, `NIST.800.53.R5-IAMNoInlinePolicy`,
   *   optionally with a finding suffix such as `AwsSolutions-IAM5[Action::s3:GetObject*]`
   * @param reason why the rule does not apply to this resource (at least 20 characters)
   */
  public static acknowledge(scope: IConstruct, rule: string, reason: string): void {
    if (!RULE_ID.test(rule)) {
      throw new Error(`[${scope.node.path}] invalid cdk-nag rule id ${JSON.stringify(rule)}. Allowed: <pack>-<Rule>[<finding>] with pack AwsSolutions, NIST.800.53.R5, HIPAA.Security or PCI.DSS.321`);
    }
    if (reason.trim().length < 20) {
      throw new Error(`[${scope.node.path}] acknowledgement of ${rule} needs a specific reason (at least 20 characters), got ${JSON.stringify(reason)}`);
    }
    const pack = RULE_ID.exec(rule)![1];
    Validations.of(scope).acknowledge({ id: `${pack}::${rule}`, reason: `[${provenance(scope)}] ${reason}` });
  }

  /**
   * Acknowledges a rule that NIST 800-53 R5, HIPAA Security and PCI DSS 3.2.1 share
   * (e.g. `IAMNoInlinePolicy`, `S3BucketReplicationEnabled`) in each of those packs.
   * @param rule the rule name without a pack prefix
   */
  public static acknowledgeCompliance(scope: IConstruct, rule: string, reason: string): void {
    for (const pack of COMPLIANCE_PACKS) {
      NagAcknowledgements.acknowledge(scope, `${pack}-${rule}`, reason);
    }
  }

  /**
   * The finding text cdk-nag 3 writes for a resource ARN in an IAM5 finding
   * (`Resource::<Bucket1234.Arn>/logs/*`): logical ids for references, pseudo parameters
   * in angle brackets, joins concatenated.
   */
  public static resourceFinding(scope: IConstruct, arn: string): string {
    return `Resource::${renderForNag(Stack.of(scope).resolve(arn))}`;
  }

  /**
   * Acknowledges the AwsSolutions-IAM5 finding for `s3:*` object ARNs under `prefix` of
   * `bucket` (services that write objects under keys they generate), whether the bucket
   * is created in this stack or imported.
   * @param prefix key prefix the wildcard follows, e.g. `raw/`; empty for the whole bucket
   */
  public static objectsUnder(scope: IConstruct, bucket: s3.IBucket, prefix: string, reason: string): void {
    const finding = NagAcknowledgements.resourceFinding(scope, bucket.arnForObjects(`${prefix}*`));
    NagAcknowledgements.acknowledge(scope, `AwsSolutions-IAM5[${finding}]`, reason);
  }

  /**
   * Acknowledges the AwsSolutions-IAM5 finding of one wildcard action, e.g. `kms:GenerateDataKey*`.
   */
  public static wildcardAction(scope: IConstruct, action: string, reason: string): void {
    NagAcknowledgements.acknowledge(scope, `AwsSolutions-IAM5[Action::${action}]`, reason);
  }

  private constructor() {}
}
