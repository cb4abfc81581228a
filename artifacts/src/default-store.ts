import { join } from 'node:path';
import { kilnHome } from '@kiln/engine/home';
import type { ArtifactStore } from './artifact-store';
import { FolderArtifactStore } from './folder-store';
import { s3ConnectionFromEnv } from './s3-connection';
import { S3ArtifactStore } from './s3-store';

/**
 * The store configured for this process: S3/MinIO when `S3_ENDPOINT` is set (`S3_BUCKET`, default
 * `kiln-artifacts`; `S3_ACCESS_KEY`/`S3_SECRET_KEY` or the AWS variables; `S3_REGION`), else the
 * folder `KILN_ARTIFACTS` or `$KILN_HOME/artifacts`.
 */
export function defaultArtifactStore(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  const s3 = s3ConnectionFromEnv(env);
  if (s3) {
    return new S3ArtifactStore({
      ...s3,
      bucket: env.S3_BUCKET ?? 'kiln-artifacts',
      cacheDir: join(kilnHome(), 'cache', 's3'),
    });
  }
  return new FolderArtifactStore(env.KILN_ARTIFACTS ?? join(kilnHome(), 'artifacts'));
}
