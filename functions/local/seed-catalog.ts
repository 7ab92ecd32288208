import {
  type CatalogDeps,
  type CreateItemInput,
  createItem,
  putCategory,
  setManager,
} from '#core/catalog/catalog-service.ts';
import { addMember, createGroup, type GroupDeps } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';

/**
 * The demo catalog: the seed's everyday IT work as items — onboarding and offboarding (ordered
 * by people managers), laptops and phones (the manager approves; an expensive laptop needs the
 * cost approver too), a lost phone (urgent, no approval), password reset, software and VPN
 * access, shared mailboxes, and "ask IT a question". Fulfilled by the seeded groups.
 */
export const demoCategories = [
  { id: 'people', name: 'Joining and leaving', description: 'New employees and leavers', order: 10 },
  {
    id: 'devices',
    name: 'Laptops and phones',
    description: 'New, replaced, lost or stolen devices',
    order: 20,
  },
  {
    id: 'access',
    name: 'Accounts and access',
    description: 'Passwords, software, VPN, mailboxes',
    order: 30,
  },
  { id: 'help', name: 'Questions', description: 'Anything else for IT', order: 40 },
];

const phoneModels = [
  { value: 'iphone-15', label: 'iPhone 15' },
  { value: 'pixel-9', label: 'Pixel 9' },
];

export const demoItems: CreateItemInput[] = [
  {
    id: 'new-employee',
    name: 'New employee onboarding',
    description: 'Everything a new starter needs on day one: laptop, phone, accounts, mail groups and badge.',
    icon: 'person-add',
    category: 'people',
    orderGroups: ['people-managers'],
    form: [
      { id: 'full_name', label: 'Full name', type: 'text', required: true },
      {
        id: 'start_date',
        label: 'Start date',
        type: 'date',
        required: true,
        help: 'Everything is ready on this day.',
      },
      { id: 'manager', label: 'Manager', type: 'person', required: true },
      {
        id: 'role',
        label: 'Role',
        type: 'choice',
        required: true,
        options: [
          { value: 'office', label: 'Office' },
          { value: 'field', label: 'Field' },
          { value: 'engineering', label: 'Engineering' },
        ],
      },
      { id: 'needs_phone', label: 'Needs a phone', type: 'yes_no', required: true },
      {
        id: 'phone_model',
        label: 'Phone',
        type: 'choice',
        required: true,
        options: phoneModels,
        showWhen: { field: 'needs_phone', in: [true] },
      },
      { id: 'mail_groups', label: 'Mail groups', type: 'long_text', help: 'One per line.' },
    ],
    approval: { policy: 'none' },
    plan: {
      stages: [
        {
          tasks: [
            {
              title: 'Laptop from stock',
              group: 'workplace',
              instructions: 'Image a laptop from stock for the role and enrol it.',
            },
            {
              title: 'Phone',
              group: 'workplace',
              instructions: 'If a phone was asked for: from stock, enrolled in MDM.',
            },
            {
              title: 'Accounts and mail groups',
              group: 'service-desk',
              instructions: 'Create the accounts; add the mail groups listed.',
            },
            { title: 'Badge', group: 'service-desk', instructions: 'Order the badge for the start date.' },
          ],
        },
        {
          tasks: [
            {
              title: 'Hand over on the start date',
              group: 'service-desk',
              instructions: 'Meet the starter; hand over laptop, phone and badge.',
            },
          ],
        },
      ],
    },
  },
  {
    id: 'offboarding',
    name: 'Offboarding',
    description: 'A leaver: access disabled on the last day, devices reclaimed.',
    icon: 'person-remove',
    category: 'people',
    orderGroups: ['people-managers'],
    form: [
      { id: 'leaver', label: 'Leaver', type: 'person', required: true },
      { id: 'last_day', label: 'Last day', type: 'date', required: true },
      {
        id: 'reclaim',
        label: 'Reclaim',
        type: 'multi_choice',
        options: [
          { value: 'laptop', label: 'Laptop' },
          { value: 'phone', label: 'Phone' },
          { value: 'badge', label: 'Badge' },
        ],
      },
    ],
    approval: { policy: 'none' },
    plan: {
      stages: [
        {
          tasks: [
            {
              title: 'Disable access at the end of the last day',
              group: 'service-desk',
              instructions: 'Disable accounts, revoke VPN and badge.',
            },
            {
              title: 'Reclaim devices',
              group: 'workplace',
              instructions: 'Collect and wipe the devices listed.',
            },
          ],
        },
      ],
    },
  },
  {
    id: 'laptop',
    name: 'New or replacement laptop',
    description: 'A standard laptop; a developer laptop costs more and needs the cost approver too.',
    icon: 'laptop',
    category: 'devices',
    cost: { amount: 1400, currency: 'EUR' },
    form: [
      {
        id: 'reason',
        label: 'Why',
        type: 'choice',
        required: true,
        options: [
          { value: 'new', label: 'I have none' },
          { value: 'replacement', label: 'Replaces my old one' },
          { value: 'broken', label: 'Mine is broken' },
        ],
      },
      {
        id: 'old_asset',
        label: 'Old laptop (asset tag)',
        type: 'asset',
        required: true,
        showWhen: { field: 'reason', in: ['replacement', 'broken'] },
      },
      { id: 'needed_by', label: 'Needed by', type: 'date' },
    ],
    approval: { policy: 'manager', costThreshold: { above: 2000, group: 'change-managers' } },
    plan: {
      stages: [
        {
          tasks: [
            { title: 'Prepare laptop', group: 'workplace', instructions: 'From stock; image and enrol.' },
          ],
        },
        {
          tasks: [
            {
              title: 'Hand over and collect the old one',
              group: 'service-desk',
              instructions: 'Wipe the old laptop if any.',
            },
          ],
        },
      ],
    },
  },
  {
    id: 'mobile-phone',
    name: 'New mobile phone',
    description: 'A company phone with mail and MDM set up.',
    icon: 'phone',
    category: 'devices',
    cost: { amount: 600, currency: 'EUR' },
    form: [
      { id: 'model', label: 'Model', type: 'choice', required: true, options: phoneModels },
      { id: 'keep_number', label: 'Keep my number', type: 'yes_no', required: true },
      {
        id: 'number',
        label: 'Number to keep',
        type: 'text',
        required: true,
        showWhen: { field: 'keep_number', in: [true] },
      },
    ],
    approval: { policy: 'manager' },
    plan: {
      stages: [
        {
          tasks: [
            {
              title: 'Phone from stock',
              group: 'workplace',
              instructions: 'Pick the model from stock; enrol in MDM.',
            },
            {
              title: 'Mail and SIM',
              group: 'service-desk',
              instructions: 'Set up mail; order or port the SIM.',
            },
          ],
        },
      ],
    },
  },
  {
    id: 'lost-phone',
    name: 'Lost or stolen phone',
    description: 'Urgent: the line is blocked and the phone wiped at once.',
    icon: 'lock',
    category: 'devices',
    form: [
      { id: 'number', label: 'Phone number', type: 'text', required: true },
      { id: 'when', label: 'When was it lost', type: 'date', required: true },
      { id: 'stolen', label: 'Stolen (police report)', type: 'yes_no', required: true },
      { id: 'report', label: 'Police report', type: 'attachment', showWhen: { field: 'stolen', in: [true] } },
    ],
    approval: { policy: 'none' },
    plan: {
      stages: [
        {
          tasks: [
            {
              title: 'Block the line and wipe the phone',
              group: 'workplace',
              instructions: 'Urgent: block the SIM with the carrier, remote-wipe through MDM.',
            },
          ],
        },
      ],
    },
  },
  {
    id: 'password-reset',
    name: 'Password reset or account unlock',
    description: 'For company directory accounts. Spoke accounts: use "Forgot password" on the sign-in page.',
    icon: 'key',
    category: 'access',
    form: [
      {
        id: 'system',
        label: 'Account',
        type: 'choice',
        required: true,
        options: [
          { value: 'directory', label: 'Company directory (Windows, mail)' },
          { value: 'erp', label: 'ERP' },
        ],
      },
      { id: 'unlock_only', label: 'Only unlock, keep the password', type: 'yes_no', required: true },
      {
        id: 'callback',
        label: 'Phone number to call you back on',
        type: 'text',
        required: true,
        help: 'We verify who you are by calling this number; we never mail a password.',
      },
    ],
    approval: { policy: 'none' },
    plan: {
      stages: [
        {
          tasks: [
            {
              title: 'Verify identity by callback, then reset',
              group: 'service-desk',
              instructions:
                'Call back on the directory number (not only the one given). Close this task only once the caller is verified.',
            },
          ],
        },
        {
          tasks: [
            {
              title: 'Reset or unlock the directory account',
              group: 'service-desk',
              instructions:
                'Done by the directory-password-reset hook (an SSM Automation runbook or IAM Identity Center) when configured: it sets a one-time password sent by SMS to the directory number, never by mail. By hand: the same, told on the verified call.',
              automation: {
                hook: 'directory-password-reset',
                input: { delivery: 'sms-to-directory-number' },
              },
            },
          ],
        },
      ],
    },
  },
  {
    id: 'software-access',
    name: 'Software or system access',
    description: 'Access to a business system, approved by its owner.',
    icon: 'software',
    category: 'access',
    form: [
      { id: 'system', label: 'System', type: 'text', required: true },
      { id: 'role', label: 'Role needed', type: 'text', required: true },
      { id: 'why', label: 'Why', type: 'long_text', required: true },
    ],
    approval: { policy: 'group', group: 'system-owners' },
    plan: {
      stages: [
        {
          tasks: [
            { title: 'Grant the access', group: 'service-desk', instructions: 'Grant the role asked for.' },
          ],
        },
      ],
    },
  },
  {
    id: 'vpn-access',
    name: 'VPN access',
    description: 'Work from outside the office.',
    icon: 'vpn',
    category: 'access',
    form: [{ id: 'until', label: 'Needed until', type: 'date', help: 'Leave empty for permanent access.' }],
    approval: { policy: 'manager' },
    plan: {
      stages: [
        {
          tasks: [
            {
              title: 'Grant VPN access',
              group: 'network',
              instructions: 'Add to the VPN group (done by the directory-groups hook when it is configured).',
              automation: { hook: 'directory-groups', input: { action: 'add', group: 'vpn-users' } },
            },
          ],
        },
      ],
    },
  },
  {
    id: 'shared-mailbox',
    name: 'Shared mailbox or distribution list',
    description: 'A new shared mailbox or list, or changes to its members.',
    icon: 'mail',
    category: 'access',
    form: [
      {
        id: 'kind',
        label: 'Kind',
        type: 'choice',
        required: true,
        options: [
          { value: 'mailbox', label: 'Shared mailbox' },
          { value: 'list', label: 'Distribution list' },
        ],
      },
      { id: 'address', label: 'Address', type: 'text', required: true },
      { id: 'members', label: 'Members', type: 'long_text', help: 'One address per line.' },
    ],
    approval: { policy: 'none' },
    plan: {
      stages: [{ tasks: [{ title: 'Create or change it', group: 'service-desk', instructions: '' }] }],
    },
  },
  {
    id: 'ask-it',
    name: 'Ask IT a question',
    description: 'Not broken, nothing to order: just a question.',
    icon: 'question',
    category: 'help',
    form: [{ id: 'question', label: 'Your question', type: 'long_text', required: true }],
    approval: { policy: 'none' },
    plan: {
      stages: [{ tasks: [{ title: 'Answer the question', group: 'service-desk', instructions: '' }] }],
    },
  },
];

/** Seeds the demo catalog: its groups, the people directory (Emma's manager is Morgan), categories and items. */
export async function seedCatalogDemo(
  deps: CatalogDeps,
  groupDeps: GroupDeps,
  people: { readonly admin: Actor; readonly employee: Actor; readonly manager: Actor },
): Promise<void> {
  const { admin, employee, manager } = people;
  for (const group of [
    { id: 'people-managers', name: 'People managers', description: 'Order onboarding and offboarding' },
    { id: 'system-owners', name: 'System owners', description: 'Approve access to their systems' },
  ]) {
    await createGroup(groupDeps, admin, group);
    await addMember(groupDeps, admin, group.id, {
      email: manager.email,
      ...(manager.name ? { name: manager.name } : {}),
    });
  }
  await setManager(deps, admin, employee.email, { manager: manager.email });
  for (const category of demoCategories) await putCategory(deps, admin, category);
  for (const item of demoItems) await createItem(deps, admin, item);
}
