import { type FormEvent, useState } from 'react';

/** Asks for an API token and checks it before keeping it. */
export function SignIn({ onSignedIn }: { onSignedIn(token: string): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await fetch('/api/v1/node-types', { headers: { authorization: `Bearer ${token.trim()}` } });
      if (res.status === 401 || res.status === 403) throw new Error('That token was not accepted.');
      if (!res.ok) throw new Error(`The API answered HTTP ${res.status}.`);
      onSignedIn(token.trim());
    } catch (err) {
      setError(err instanceof TypeError ? 'The API cannot be reached.' : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title" className="card">
        <h1 id="signin-title">
          <span aria-hidden="true">◆</span> Kiln studio
        </h1>
        <p className="muted">
          Sign in with an API token (<code>kiln up</code> prints the admin token on first start).
        </p>
        <label>
          API token
          <input
            type="password"
            autoComplete="current-password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            required
          />
        </label>
        {error && (
          <p role="alert" className="error-text">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
