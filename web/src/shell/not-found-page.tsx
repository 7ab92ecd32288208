import { PageHeading } from '../shared/components.tsx';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';

export function NotFoundPage() {
  usePageTitle('Page not found');
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        This page does not exist. <Link to={paths.home}>Go to the home page</Link>
      </p>
    </>
  );
}
