import { useEffect, useState } from 'react';
import { getToken, setToken } from './api/client';
import { kilnApi } from './api/client';
import { CatalogProvider } from './ui/catalog-context';
import { navigate, useRoute } from './ui/router';
import { SignIn } from './pages/SignIn';
import { PipelineList } from './pages/PipelineList';
import { Editor } from './editor/Editor';
import { VersionHistory } from './editor/VersionHistory';
import { RunView } from './runs/RunView';
import { RunsList } from './runs/RunsList';
import { Schedules } from './pages/Schedules';
import { Webhooks } from './pages/Webhooks';
import { Tokens } from './pages/Tokens';
import { ModelList, ModelView } from './pages/Models';
import { DeploymentList, DeploymentView } from './pages/Deployments';

type Theme = 'light' | 'dark';

export function App() {
  const [token, setTokenState] = useState(getToken());
  const [theme, setTheme] = useState<Theme>(
    () =>
      (localStorage.getItem('kiln.theme') as Theme | null) ??
      (window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'),
  );
  const route = useRoute();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('kiln.theme', theme);
  }, [theme]);
  useEffect(() => {
    const out = () => {
      setToken(null);
      setTokenState(null);
    };
    window.addEventListener('kiln:unauthorized', out);
    return () => window.removeEventListener('kiln:unauthorized', out);
  }, []);

  if (!token)
    return (
      <SignIn
        onSignedIn={(t) => {
          setToken(t);
          setTokenState(t);
        }}
      />
    );

  const [section, id, sub] = route;
  // The editor needs the node types and the pipeline: ask for both at once.
  if (section === 'pipelines' && id && id !== 'new' && !sub) kilnApi.prefetchPipeline(id);
  let page;
  if (section === 'pipelines' && id && sub === 'history')
    page = <VersionHistory key={id} pipelineId={id} theme={theme} />;
  else if (section === 'pipelines' && id)
    page = <Editor key={id} pipelineId={id === 'new' ? undefined : id} theme={theme} />;
  else if (section === 'runs' && id) page = <RunView key={id} runId={id} theme={theme} />;
  else if (section === 'runs') page = <RunsList />;
  else if (section === 'schedules') page = <Schedules />;
  else if (section === 'webhooks') page = <Webhooks />;
  else if (section === 'tokens') page = <Tokens />;
  else if (section === 'models' && id)
    page = <ModelView key={id} name={id} {...(sub && /^\d+$/.test(sub) ? { version: Number(sub) } : {})} />;
  else if (section === 'models') page = <ModelList />;
  else if (section === 'deployments' && id) page = <DeploymentView key={id} name={id} />;
  else if (section === 'deployments') page = <DeploymentList />;
  else page = <PipelineList />;

  const link = (path: string, label: string, active: boolean) => (
    <a href={`#/${path}`} aria-current={active ? 'page' : undefined}>
      {label}
    </a>
  );
  return (
    <CatalogProvider>
      <div className="app">
        <header className="topbar">
          <a className="brand" href="#/" aria-label="Kiln studio home">
            <span aria-hidden="true">◆</span> Kiln
          </a>
          <nav aria-label="Main">
            {link('', 'Pipelines', !section || section === 'pipelines')}
            {link('runs', 'Runs', section === 'runs')}
            {link('models', 'Models', section === 'models')}
            {link('deployments', 'Deployments', section === 'deployments')}
            {link('schedules', 'Schedules', section === 'schedules')}
            {link('webhooks', 'Webhooks', section === 'webhooks')}
            {link('tokens', 'Tokens', section === 'tokens')}
          </nav>
          <span className="spacer" />
          <button
            type="button"
            aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
          <button
            type="button"
            onClick={() => {
              setToken(null);
              setTokenState(null);
              navigate('');
            }}
          >
            Sign out
          </button>
        </header>
        <main className="page">{page}</main>
      </div>
    </CatalogProvider>
  );
}
