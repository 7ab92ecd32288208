import { PageHeading } from '../components.tsx';
import { usePortal } from '../portal-context.ts';
import { Link, paths } from '../router.tsx';
import { usePageTitle } from '../use-page-title.ts';

const actions = [
  {
    to: paths.newTicket('incident'),
    title: 'Report a problem',
    text: 'Something is broken or not working as it should.',
  },
  {
    to: paths.newTicket('request'),
    title: 'Request something',
    text: 'Ask for access, equipment, software or help.',
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
      <ul className="actions">
        {actions.map((action) => (
          <li key={action.to}>
            <Link to={action.to} className="action">
              <span className="action-title">{action.title}</span>
              <span className="action-text">{action.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
