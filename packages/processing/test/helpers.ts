// Test helpers of the processing package.
import { AccessRequest, taskActions, TaskActions } from '@analytics-patterns/testing';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

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
