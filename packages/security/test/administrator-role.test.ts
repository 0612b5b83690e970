import { AccessModel, expectNagClean, expectPropError, Principals, stringParameter, testStack } from '@analytics-patterns/testing';
import { Template } from 'aws-cdk-lib/assertions';
import { AdministratorRole } from '../src';

const ACCOUNT = '123456789012';

describe('AdministratorRole', () => {
  test('without assumers: principals of this account tagged <adminTag>=true only (trust whole); an untagged power user is refused', async () => {
    const stack = testStack();
    const role = new AdministratorRole(stack, 'Admin', { adminTag: 'team:warehouse-admin', description: 'Administers the warehouse' });
    const props = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(role.node.defaultChild as any)].Properties;
    expect(props.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Condition: { StringEquals: { 'aws:PrincipalTag/team:warehouse-admin': 'true' } },
    }]);
    expect(props.Description).toBe('Administers the warehouse');
    expect(role.adminTag).toBe('team:warehouse-admin');
    const access = AccessModel.of(stack);
    await access.expectAllowed({ ...Principals.roleAssumer('Steward'), action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:PrincipalTag/team:warehouse-admin': 'true' } });
    await access.expectDenied(
      { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: role.roleArn },
      { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:PrincipalTag/other-tag': 'true' } },
    );
    expectNagClean(stack);
  });

  test('adminTag is an IAM tag key known at synth: 1-128 allowed characters (both sides); a token is refused with the reason', () => {
    const ok = (tag: string) => () => new AdministratorRole(testStack(), 'Admin', { adminTag: tag });
    expect(ok('a'.repeat(128))).not.toThrow();
    expect(ok('team:lake/admin=yes+@_.-')).not.toThrow();
    expectPropError(ok('a'.repeat(129)), { path: 'TestStack/Admin', prop: 'adminTag', allowed: '1-128 letters, digits, spaces and _.:/=+-@' });
    expectPropError(ok(''), { path: 'TestStack/Admin', prop: 'adminTag', allowed: '1-128 letters' });
    expectPropError(ok('admin*'), { path: 'TestStack/Admin', prop: 'adminTag', value: 'admin*' });
    const stack = testStack();
    expectPropError(() => new AdministratorRole(stack, 'Admin', { adminTag: stringParameter(stack, 'Tag') }), {
      path: 'TestStack/Admin', prop: 'adminTag', allowed: 'a tag key known at synth',
    });
  });
});
