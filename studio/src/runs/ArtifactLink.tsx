import { useState } from 'react';
import { getToken } from '../api/client';
import { formatBytes } from '../models/shaping';
import { type ArtifactRef, artifactFileName } from './outputs';

/**
 * A stored artifact as a link that downloads it from `GET /api/v1/artifacts/:digest` (with the
 * token, which a plain link cannot send), named after the output; the digest is its title.
 */
export function ArtifactLink({ name, artifact }: { name: string; artifact: ArtifactRef }) {
  const [error, setError] = useState<string>();
  const download = async () => {
    setError(undefined);
    try {
      const res = await fetch(`/api/v1/artifacts/${encodeURIComponent(artifact.digest)}`, {
        headers: { authorization: `Bearer ${getToken() ?? ''}` },
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const blob = new Blob([await res.blob()], { type: artifact.mediaType });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = artifactFileName(name, artifact);
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      setError(`Download failed: ${(err as Error).message}`);
    }
  };
  return (
    <span className="artifact-link">
      <button
        type="button"
        className="link mono"
        onClick={() => void download()}
        title={`Download ${artifact.digest}`}
        aria-label={`Download ${name} (${artifact.digest})`}
      >
        {artifact.digest.slice(0, 19)}…
      </button>{' '}
      <span className="muted small">
        {artifact.mediaType}
        {typeof artifact.size === 'number' && ` · ${formatBytes(artifact.size)}`}
      </span>
      {error && (
        <span role="alert" className="error-text small">
          {' '}
          {error}
        </span>
      )}
    </span>
  );
}
