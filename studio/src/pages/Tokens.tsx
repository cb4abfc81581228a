import { type FormEvent, useState } from 'react';
import { type ApiToken, kilnApi } from '../api/client';
import { Loaded, useAsync } from '../ui/async';
import { DataTable, ListPage } from '../ui/ListPage';

// `worker`: a node worker's credential, which may only register the node types it serves.
const ROLES = ['viewer', 'editor', 'admin', 'worker'] as const;

/** API tokens (admins only): create one (shown once), list and revoke. */
export function Tokens() {
  const state = useAsync(() => kilnApi.tokens(), []);
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('editor');
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const t = await kilnApi.createToken(name.trim(), role);
      setCreated({ name: t.name, token: t.token });
      setCopied(false);
      setName('');
      state.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const revoke = async (t: ApiToken) => {
    if (!window.confirm(`Revoke token "${t.name}"? Clients using it are signed out.`)) return;
    try {
      await kilnApi.revokeToken(t.id);
      state.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <ListPage id="tokens" title="API tokens" error={error}>
      <form className="card form-grid" aria-label="New token" onSubmit={(e) => void create(e)}>
        <label>
          Token name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
        <label>
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {created && (
        <div role="region" aria-label="New token value" className="card">
          <p>
            Token <strong>{created.name}</strong>: copy it now, it is not shown again.
          </p>
          <code className="mono">{created.token}</code>{' '}
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(created.token).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? 'Copied' : 'Copy token'}
          </button>{' '}
          <button type="button" aria-label="Dismiss token" onClick={() => setCreated(undefined)}>
            ×
          </button>
        </div>
      )}
      <Loaded state={state} what="tokens">
        {(tokens) => (
          <DataTable
            label="Tokens"
            rows={tokens}
            rowKey={(t) => t.id}
            empty="No tokens yet."
            columns={[
              { header: 'Name', cell: (t) => t.name },
              { header: 'Role', cell: (t) => t.role },
              { header: 'Created', cell: (t) => new Date(t.createdAt).toLocaleString() },
              { header: 'By', cell: (t) => t.createdBy ?? '—' },
              {
                header: 'Actions',
                cell: (t) =>
                  t.revokedAt ? (
                    <span className="muted small">revoked</span>
                  ) : (
                    <button type="button" aria-label={`Revoke ${t.name}`} onClick={() => void revoke(t)}>
                      Revoke
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
    </ListPage>
  );
}
