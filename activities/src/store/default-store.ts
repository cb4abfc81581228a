import { join } from 'node:path';
import { kilnHome } from '@kiln/engine/temporal';
import type { ArtifactStore } from './artifact-store';
import { FolderArtifactStore } from './folder-store';
import { S3ArtifactStore } from './s3-store';

/**
 * The store configured for this process: S3/MinIO when `S3_ENDPOINT` is set (`S3_BUCKET`, default
 * `kiln-artifacts`; `S3_ACCESS_KEY`/`S3_SECRET_KEY` or the AWS variables; `S3_REGION`), else the
 * folder `KILN_ARTIFACTS` or `$KILN_HOME/artifacts`.
 */
export function defaultArtifactStore(env: NodeJS.ProcessEnv = process.env): ArtifactStore {
  if (env.S3_ENDPOINT) {
    const accessKey = env.S3_ACCESS_KEY ?? env.AWS_ACCESS_KEY_ID;
    const secretKey = env.S3_SECRET_KEY ?? env.AWS_SECRET_ACCESS_KEY;
    if (!accessKey || !secretKey) throw new Error('S3_ENDPOINT is set but S3_ACCESS_KEY/S3_SECRET_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are not');
    return new S3ArtifactStore({
      endpoint: env.S3_ENDPOINT,
      bucket: env.S3_BUCKET ?? 'kiln-artifacts',
      accessKey,
      secretKey,
      ...(env.S3_REGION ? { region: env.S3_REGION } : {}),
      cacheDir: join(kilnHome(), 'cache', 's3'),
    });
  }
  return new FolderArtifactStore(env.KILN_ARTIFACTS ?? join(kilnHome(), 'artifacts'));
}
