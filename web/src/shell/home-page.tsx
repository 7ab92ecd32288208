import { OutageBanner } from '../cmdb/outage-banner.tsx';
import { PageHeading } from '../shared/components.tsx';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { TicketSearch } from '../tickets/ticket-search.tsx';

const actions = [
  {
    to: paths.newTicket('incident'),
    title: 'Something is broken',
    text: 'Something is broken or not working as it should.',
  },
  {
    to: paths.newTicket('request'),
    title: 'Request something',
    text: 'Ask for access, equipment, software or help.',
  },
  {
    to: paths.catalog,
    title: 'Order from IT',
    text: 'Laptops, phones, accounts and access: pick from the catalog and follow every step.',
  },
  { to: paths.myTickets, title: 'My tickets', text: 'Follow what you reported and requested.' },
];

export function HomePage() {
  const { session } = usePortal();
  usePageTitle('Home');
  const firstName = session.name.split(' ')[0] || session.name;
  return (
    <>
      <PageHeading>How can we help{firstName ? `, ${firstName}` : ''}?</PageHeading>
      <OutageBanner />
      <TicketSearch />
      <ul className="actions">
        {actions.map((action) => (
          <li key={action.to}>
            <Link to={action.to} className="action">
              <span className="action-title">{action.title}</span>
              <span className="action-text">{action.text}</span>
            </Link>
          </li>
        ))}
        {isAgent(session) && (
          <li>
            <Link to={paths.queue()} className="action">
              <span className="action-title">Work queues</span>
              <span className="action-text">Your work, your groups' queues and unassigned tickets.</span>
            </Link>
          </li>
        )}
      </ul>
    </>
  );
}
