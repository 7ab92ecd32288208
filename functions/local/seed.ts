import { createTransport } from 'nodemailer';
import { apiServices } from '#config/composition-root.ts';
import { apiEnv, parseEnv } from '#config/env.ts';
import { addMember, createGroup, saveRoutingConfig } from '#core/group/group-service.ts';
import { addArticle, openTicket, updateTicket } from '#core/ticket/ticket-service.ts';
import { type DemoUser, demoUsers } from './demo-users.ts';
import { seedChangeDemo } from './seed-changes.ts';
import { seedProblemDemo } from './seed-problems.ts';

export interface SeedOptions {
  /** The API function's environment: the seed writes through the same core and adapters it does. */
  readonly env: Readonly<Record<string, string>>;
  readonly smtpPort: number;
  readonly supportAddress: string;
}

const user = (username: string) => {
  const found = demoUsers.find((u) => u.username === username) as DemoUser;
  return { id: found.sub, email: found.email, name: found.name, groups: [...found.groups] };
};

/**
 * Demo data for a first start, made through the same core the API uses: three assignment
 * groups with members, routing rules, tickets in several states, and one mail through the
 * SMTP intake, so every screen and both channels have something to show.
 */
export async function seedDemoData(options: SeedOptions): Promise<void> {
  const deps = apiServices(parseEnv(apiEnv, { ...options.env }));
  const admin = { ...user('admin'), groups: ['admins', 'agents'] };
  const groupDeps = { groups: deps.groupStore, clock: deps.clock };
  const groups = [
    { id: 'service-desk', name: 'Service Desk', description: 'First line: everything that arrives' },
    { id: 'network', name: 'Network', description: 'VPN, Wi-Fi, firewalls' },
    { id: 'workplace', name: 'Workplace', description: 'Laptops, phones, printers' },
  ];
  for (const group of groups) await createGroup(groupDeps, admin, group);
  // The demo agent works every queue, so whatever the README's "Try it" walk reports
  // (routed by the rules below) reaches someone who can answer it.
  const agent = user('agent');
  for (const group of groups)
    await addMember(groupDeps, admin, group.id, { email: agent.email, name: agent.name });
  for (const group of groups)
    await addMember(groupDeps, admin, group.id, { email: admin.email, name: admin.name });
  await saveRoutingConfig(groupDeps, admin, {
    version: 0,
    defaultGroup: 'service-desk',
    rules: [
      {
        id: 'network',
        name: 'Network trouble',
        conditions: { keywords: ['vpn', 'wifi', 'wi-fi', 'network'] },
        actions: { group: 'network' },
      },
      {
        id: 'hardware',
        name: 'Devices',
        conditions: { keywords: ['laptop', 'phone', 'printer', 'monitor'] },
        actions: { group: 'workplace' },
      },
    ],
  });

  const emma = user('employee');
  const laptop = await openTicket(
    deps,
    emma,
    {
      shortDescription: 'Laptop does not wake from sleep',
      description: 'Since the update on Monday the screen stays black after closing the lid.',
      impact: 3,
      urgency: 2,
    },
    { channel: 'portal' },
  );
  await addArticle(deps, agent, laptop.ticket.id, {
    type: 'note',
    body: 'Known issue with the BIOS update; firmware 1.4.2 fixes it.',
  });
  await addArticle(deps, agent, laptop.ticket.id, {
    type: 'reply',
    body: 'Thanks Emma, we will update the firmware remotely tonight.',
  });
  await openTicket(
    deps,
    emma,
    {
      kind: 'request',
      shortDescription: 'New phone for field work',
      description: 'My phone no longer gets security updates.',
    },
    { channel: 'portal' },
  );
  const vpn = await openTicket(
    deps,
    emma,
    { shortDescription: 'VPN disconnects every hour', impact: 2, urgency: 2 },
    { channel: 'portal' },
  );
  await updateTicket(deps, admin, vpn.ticket.id, {
    version: vpn.ticket.version,
    state: 'resolved',
    resolutionCode: 'solved',
    resolutionNotes: 'Session timeout raised to 8 hours on the VPN concentrator.',
  });

  await seedChangeDemo(deps.change, { admin, agent: user('agent'), users: demoUsers });
  await seedProblemDemo(
    deps.problems,
    { admin, agent: user('agent'), users: demoUsers, laptopIncidentId: laptop.ticket.id },
    deps.groupStore,
  );

  const transport = createTransport({
    host: '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: `${emma.name} <${emma.email}>`,
    to: options.supportAddress,
    subject: 'Printer on floor 3 prints blank pages',
    text: 'Hello,\n\nthe printer next to the kitchen on floor 3 only prints blank pages since this morning.\n\nEmma',
  });
  transport.close();
}
