import { ArnFormat, CfnParameter, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AccessModel, OTHER_ACCOUNT, Principals, testStack, TemplateResolver } from '../src';

const LOG_GROUP = 'arn:aws:logs:eu-west-1:123456789012:log-group:mine';

function keyForLogs(stack: Stack): kms.Key {
  const key = new kms.Key(stack, 'Key');
  key.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal('logs.eu-west-1.amazonaws.com')],
    actions: ['kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
  }));
  return key;
}

describe('AccessModel', () => {
  test('kms:EncryptionContext conditions are evaluated (they can fail)', async () => {
    const stack = testStack();
    const key = keyForLogs(stack);
    const access = AccessModel.of(stack);
    const service = 'logs.eu-west-1.amazonaws.com';
    await access.expectAllowed({ principal: service, action: 'kms:GenerateDataKey', resource: key.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': LOG_GROUP } });
    await access.expectDenied(
      { principal: service, action: 'kms:GenerateDataKey', resource: key.keyArn, context: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${OTHER_ACCOUNT}:log-group:x` } },
      { principal: service, action: 'kms:GenerateDataKey', resource: key.keyArn },
    );
  });

  test('identity policies of a role come from the template; another role gets nothing; key delegation to the account is honoured', async () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true });
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    bucket.grantRead(reader, 'raw/*');
    key.grantDecrypt(reader);
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: reader.roleArn, action: 's3:GetObject', resource: bucket.arnForObjects('raw/x.json') },
      { principal: reader.roleArn, action: 'kms:Decrypt', resource: key.keyArn },
    );
    await access.expectDenied(
      { principal: reader.roleArn, action: 's3:GetObject', resource: bucket.arnForObjects('curated/x.json') },
      { principal: reader.roleArn, action: 's3:PutObject', resource: bucket.arnForObjects('raw/x.json') },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: bucket.arnForObjects('raw/x.json') },
      { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: bucket.arnForObjects('raw/x.json') },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: bucket.arnForObjects('raw/x.json') },
    );
    await access.expectExplicitlyDenied(
      { principal: reader.roleArn, action: 's3:GetObject', resource: bucket.arnForObjects('raw/x.json'), context: { 'aws:SecureTransport': 'false' } },
    );
  });

  test('S3 access point context keys (not linked to actions in the engine\'s data) are evaluated and can fail', async () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
    const ap = 'arn:aws:s3:eu-west-1:123456789012:accesspoint/team';
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [consumer], actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')], conditions: { StringEquals: { 's3:DataAccessPointArn': ap } },
    }));
    const access = AccessModel.of(stack);
    const get = (context: Record<string, string>) => ({ principal: consumer.roleArn, action: 's3:GetObject', resource: bucket.arnForObjects('a'), context });
    await access.expectAllowed(get({ 's3:DataAccessPointArn': ap }));
    await access.expectDenied(get({ 's3:DataAccessPointArn': `${ap}-other` }), get({}));
  });

  test('queue policies, Lambda permissions and role trust policies are resource policies', async () => {
    const stack = testStack();
    const queue = new sqs.Queue(stack, 'Queue');
    queue.grantSendMessages(new iam.ServicePrincipal('events.amazonaws.com'));
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=()=>{}') });
    fn.addPermission('S3', { principal: new iam.ServicePrincipal('s3.amazonaws.com'), sourceAccount: '123456789012' });
    const access = AccessModel.of(stack);
    await access.expectAllowed(
      { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queue.queueArn },
      { principal: 's3.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn.functionArn, context: { 'aws:SourceAccount': '123456789012' } },
      { principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: fn.role!.roleArn },
    );
    await access.expectDenied(
      { principal: 's3.amazonaws.com', action: 'lambda:InvokeFunction', resource: fn.functionArn, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
      { principal: 'glue.amazonaws.com', action: 'sts:AssumeRole', resource: fn.role!.roleArn },
      { principal: 'sns.amazonaws.com', action: 'sqs:SendMessage', resource: queue.queueArn },
    );
  });

  test('a misspelt action or a resource of the wrong type is an error, not a denial', async () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const access = AccessModel.of(stack);
    await expect(access.evaluate({ principal: Principals.strangerInAccount(), action: 's3:GetObjekt', resource: bucket.arnForObjects('a') })).rejects.toThrow(/invalid request/);
    await expect(access.evaluate({ principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: bucket.bucketArn })).rejects.toThrow(/invalid request/);
    await expect(access.evaluate({
      principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: bucket.arnForObjects('a'), context: { 'sqs:Nonsense': 'x' },
    })).rejects.toThrow(/do not apply/);
  });

  test('AWS managed policies are named when a request is not allowed', async () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'), managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSGlueServiceRole')] });
    const d = await AccessModel.of(stack).evaluate({ principal: role.roleArn, action: 'glue:GetTable', resource: 'arn:aws:glue:eu-west-1:123456789012:table/db/t' });
    expect(d.result).toBe('ImplicitlyDenied');
    expect(d.description).toContain('AWS managed policies not evaluated: arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole');
  });
});

describe('TemplateResolver', () => {
  test('resolves Ref, GetAtt, Join, Sub, Select/Split, If, parameters and pseudo parameters', () => {
    const stack = testStack();
    const group = new logs.LogGroup(stack, 'Group', { logGroupName: 'fixed-name' });
    const p = new CfnParameter(stack, 'Env', { type: 'String', default: 'dev' });
    const r = new TemplateResolver({
      Parameters: { Env: { Type: 'String', Default: 'dev' } },
      Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] } },
      Resources: { G: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'fixed-name' } }, B: { Type: 'AWS::S3::Bucket', Properties: {} } },
    });
    expect(r.resolve({ 'Fn::GetAtt': ['G', 'Arn'] })).toBe('arn:aws:logs:eu-west-1:123456789012:log-group:fixed-name:*');
    expect(r.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}/${Env}' })).toBe('arn:aws:s3:::teststack-b/dev');
    expect(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] })).toBe('b');
    expect(r.resolve({ 'Fn::If': ['IsDev', 'yes', 'no'] })).toBe('yes');
    expect(r.resolve({ 'Fn::Join': ['-', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }]] })).toBe('eu-west-1-123456789012');
    expect(r.resolve({ a: { Ref: 'AWS::NoValue' }, b: 1 })).toEqual({ b: 1 });
    expect(AccessModel.of(stack).resolve(Fn.join('/', [group.logGroupName, p.valueAsString]))).toBe('fixed-name/dev');
  });
});
