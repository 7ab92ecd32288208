/**
 * The demo people of local mode. The local identity provider signs them in and the seed
 * puts them in their groups. The password only guards a loopback-only demo.
 */
export interface DemoUser {
  /** Stable subject, as Cognito's `sub`. */
  readonly sub: string;
  readonly username: string;
  readonly email: string;
  readonly name: string;
  /** Cognito groups (`cognito:groups`): agents, approvers, admins; employees have none. */
  readonly groups: readonly string[];
}

export const DEMO_PASSWORD = 'spoke-demo';

export const demoUsers: readonly DemoUser[] = [
  {
    sub: '7b0c1e9a-0000-4000-8000-000000000001',
    username: 'employee',
    email: 'emma.employee@example.com',
    name: 'Emma Employee',
    groups: [],
  },
  {
    sub: '7b0c1e9a-0000-4000-8000-000000000002',
    username: 'agent',
    email: 'alex.agent@example.com',
    name: 'Alex Agent',
    groups: ['agents'],
  },
  {
    sub: '7b0c1e9a-0000-4000-8000-000000000003',
    username: 'approver',
    email: 'avery.approver@example.com',
    name: 'Avery Approver',
    groups: ['approvers'],
  },
  {
    sub: '7b0c1e9a-0000-4000-8000-000000000005',
    username: 'approver2',
    email: 'blake.approver@example.com',
    name: 'Blake Approver',
    groups: ['approvers'],
  },
  {
    sub: '7b0c1e9a-0000-4000-8000-000000000006',
    username: 'manager',
    email: 'morgan.manager@example.com',
    name: 'Morgan Manager',
    groups: ['approvers', 'agents'],
  },
  {
    sub: '7b0c1e9a-0000-4000-8000-000000000004',
    username: 'admin',
    email: 'ada.admin@example.com',
    name: 'Ada Admin',
    groups: ['admins', 'agents'],
  },
];
