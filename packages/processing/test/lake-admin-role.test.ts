import {
  AccessModel, expectNagClean, expectParameterUsed, expectPropError, listParameter, Principals, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LakeAdminRole, LakeAdminRoleProps } from '../src';
import { ACCOUNT } from './helpers';

const TAGGED = { [`aws:PrincipalTag/${LakeAdminRole.ADMIN_TAG}`]: 'true' };

function build(props?: LakeAdminRoleProps, stack: Stack = testStack()) {
  const role = new LakeAdminRole(stack, 'LakeAdmin', props);
  const template = Template.fromStack(stack);
  const trust = template.toJSON().Resources[stack.getLogicalId(role.node.defaultChild as any)].Properties.AssumeRolePolicyDocument.Statement;
  return { stack, role, template, trust, access: AccessModel.of(stack) };
}

const ACCOUNT_ROOT = { AWS: `arn:aws:iam::${ACCOUNT}:root` };

describe('LakeAdminRole', () => {
  test('by default: only principals of this account tagged analytics-patterns:lake-admin=true (trust statement whole)', async () => {
    const { role, trust, access } = build();
    expect(trust).toEqual([{
      Effect: 'Allow', Action: 'sts:AssumeRole', Principal: ACCOUNT_ROOT, Condition: { StringEquals: { 'aws:PrincipalTag/analytics-patterns:lake-admin': 'true' } },
    }]);
    await access.expectAllowed({ ...Principals.roleAssumer('LakeSteward'), action: 'sts:AssumeRole', resource: role.roleArn, context: TAGGED });
    await access.expectDenied(
      // may assume any role, but nobody tagged it: refused (an account-wide trust would allow it)
      { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: role.roleArn },
      { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: role.roleArn, context: { [`aws:PrincipalTag/${LakeAdminRole.ADMIN_TAG}`]: 'false' } },
      // tagged, but its own policies do not allow sts:AssumeRole
      { principal: Principals.strangerInAccount(), action: 'sts:AssumeRole', resource: role.roleArn, context: TAGGED },
      { ...Principals.otherAccountAdmin(), action: 'sts:AssumeRole', resource: role.roleArn, context: TAGGED },
      { principal: Principals.anonymous, action: 'sts:AssumeRole', resource: role.roleArn },
    );
  });

  test('with assumerArns: exactly those principals, by aws:PrincipalArn (a tag does not let others in)', async () => {
    const named = `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef`;
    const { role, trust, access } = build({ assumerArns: [named], description: 'Administers the sales lake' });
    expect(trust).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: ACCOUNT_ROOT, Condition: { ArnEquals: { 'aws:PrincipalArn': [named] } } }]);
    const developer = Principals.roleAssumer('Developer');
    await access.expectAllowed({ ...Principals.roleAssumer('ignored'), principal: named, action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:PrincipalArn': named } });
    await access.expectDenied(
      { ...developer, action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:PrincipalArn': developer.principal } },
      { ...developer, action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:PrincipalArn': developer.principal, ...TAGGED } },
      { ...Principals.otherAccountAdmin(), action: 'sts:AssumeRole', resource: role.roleArn, context: { 'aws:PrincipalArn': Principals.otherAccountAdmin().principal as string } },
    );
    build({ description: 'Administers the sales lake' }).template.hasResourceProperties('AWS::IAM::Role', { Description: 'Administers the sales lake' });
  });

  test('assumerArns must be IAM role or user ARNs (both sides); tokens pass to the trust policy', () => {
    expect(() => build({ assumerArns: [`arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws-cn:iam::${ACCOUNT}:role/path/admin`] })).not.toThrow();
    expectPropError(() => build({ assumerArns: [`arn:aws:iam::${ACCOUNT}:role/ok`, 'alice'] }), {
      path: 'TestStack/LakeAdmin', prop: 'assumerArns[1]', value: 'alice', allowed: 'an IAM role or user ARN',
    });
    expectPropError(() => build({ assumerArns: [`arn:aws:iam::${ACCOUNT}:group/admins`] }), {
      path: 'TestStack/LakeAdmin', prop: 'assumerArns[0]', allowed: 'an IAM role or user ARN',
    });
    const one = testStack();
    expectParameterUsed(build({ assumerArns: [stringParameter(one, 'Assumer')] }, one).template, 'Assumer', /AssumeRolePolicyDocument/);
    const many = testStack();
    expectParameterUsed(build({ assumerArns: listParameter(many, 'Assumers') }, many).template, 'Assumers', /AssumeRolePolicyDocument/);
  });

  test('cdk-nag clean (four packs)', () => {
    expectNagClean(build().stack);
  });
});
