import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, preloadPage } from './app.tsx';
import { CALLBACK_PATH, createAuth } from './auth.ts';
import { loadConfig } from './config.ts';
import { parseRoute } from './shared/router.tsx';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html lacks #root');
const root = createRoot(container);

async function boot(): Promise<void> {
  const page = preloadPage(parseRoute(window.location));
  const config = await loadConfig();
  const auth = createAuth(config);
  let reason: string | undefined;
  if (window.location.pathname === CALLBACK_PATH) {
    try {
      window.history.replaceState(null, '', await auth.completeSignIn());
    } catch {
      window.history.replaceState(null, '', '/');
      reason = 'Signing in did not complete. Try again.';
    }
  }
  const session = await auth.currentSession();
  await page;
  root.render(
    <StrictMode>
      <App config={config} auth={auth} initial={session ? { session } : { session: null, reason }} />
    </StrictMode>,
  );
}

boot().catch(() => {
  root.render(
    <main className="site-main boot-failure">
      <h1>Spoke is not available</h1>
      <p role="alert">The portal could not start. Reload the page in a moment.</p>
    </main>,
  );
});
