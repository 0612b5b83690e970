// Test helpers of the processing package.
import { NagAcknowledgements } from '@analytics-patterns/core';
import { AccessLogBucket, SecureBucket } from '@analytics-patterns/storage';
import { AccessRequest, taskActions, TaskActions } from '@analytics-patterns/testing';
import { IConstruct } from 'constructs';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/**
 * Test-only, transitional: acknowledges the compliance findings that the storage package's
 * SecureBucket and AccessLogBucket still produce on main (no replication, SSE-S3 access-log bucket). The storage
 * rework (branch rework-security-storage) owns them; remove this once it is merged.
 */
export function acknowledgeSecureBucketFindings(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    if (!(c instanceof SecureBucket) && !(c instanceof AccessLogBucket)) continue;
    NagAcknowledgements.acknowledgeCompliance(c, 'S3BucketReplicationEnabled',
      'Test fixture: replication of SecureBucket is decided by the storage package (rework-security-storage), not by the processing constructs under test.');
    NagAcknowledgements.acknowledgeCompliance(c, 'S3DefaultEncryptionKMS',
      'Test fixture: SecureBucket\'s access-log bucket is SSE-S3 because S3 server access logs cannot be delivered to SSE-KMS buckets (storage package).');
  }
}

/** How a test maps one IAM action of a task to the request AWS makes (resource and context). */
export type TaskRequest = (task: TaskActions, action: string) => Omit<AccessRequest, 'principal' | 'action'> | undefined;

/**
 * The requests every task of `definition` makes as `principal`: one per IAM action of each
 * task (`taskActions` from testing), with the resource `request` gives. Fails when a task's
 * action has no mapping, so a new task cannot slip past the permission tests.
 */
export function taskRequests(definition: any, principal: string, request: TaskRequest): AccessRequest[] {
  const requests: AccessRequest[] = [];
  for (const task of taskActions(definition)) {
    for (const action of task.actions) {
      const r = request(task, action);
      if (!r) throw new Error(`no request mapping for ${action} of state ${task.state}`);
      requests.push({ principal, action, ...r });
    }
  }
  return requests;
}
