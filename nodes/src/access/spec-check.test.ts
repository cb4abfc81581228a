import { validateSpec, type PipelineSpec } from '@kiln/engine';
import { describe, expect, it } from 'vitest';
import { catalog } from '../catalog';
import { s3Refusal } from './s3-bucket';
import { dataAccessPolicyFromEnv } from './policy';
import { dataAccessProblems } from './spec-check';
import { dataUriKind, dataUriRefusal } from './data-uri';

const policy = dataAccessPolicyFromEnv(
  {
    KILN_DATA_ROOTS: '/srv/data',
    KILN_FETCH_ALLOW: '10.1.0.0/16',
    S3_BUCKET: 'art',
    KILN_S3_BUCKETS: 'raw-data',
  },
  { cwd: '/srv/data', home: '/srv/.kiln' },
);

const spec = (uris: unknown[], params?: PipelineSpec['params']): PipelineSpec => {
  const raw = {
    apiVersion: 'kiln/v1',
    name: 'p',
    ...(params ? { params } : {}),
    nodes: uris.map((uri, i) => ({ id: `in${i}`, type: 'ingest.file', params: { uri } })),
  };
  const checked = validateSpec(raw, catalog);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.spec;
};

describe('dataAccessProblems', () => {
  it('finds data URI params from the node type declaration and names node and path', () => {
    const problems = dataAccessProblems(
      spec([
        '/etc/passwd',
        'sub/ok.csv',
        '../../etc/passwd',
        'http://127.0.0.1:8233/api/v1/namespaces',
        'https://example.com/x.csv',
        'http://10.1.2.3/x.csv',
        's3://secrets/k',
        's3://raw-data/k.csv',
      ]),
      catalog,
      policy,
    );
    expect(problems.map((p) => [p.nodeId, p.path])).toEqual([
      ['in0', 'nodes[0].params.uri'],
      ['in2', 'nodes[2].params.uri'],
      ['in3', 'nodes[3].params.uri'],
      ['in6', 'nodes[6].params.uri'],
    ]);
    expect(problems[0]!.message).toBe(
      "node \"in0\": uri /etc/passwd is refused: /etc/passwd is outside the data roots (/srv/data) or inside Kiln's own state (/srv/.kiln); add its folder to KILN_DATA_ROOTS (folders separated by ':') to allow it",
    );
    expect(problems[2]!.message).toContain('127.0.0.1 is a loopback address');
    expect(problems[3]!.message).toContain(
      'bucket "secrets" is not allowed (allowed: art, raw-data); add it to KILN_S3_BUCKETS',
    );
  });

  it('checks the default of a run parameter a data URI takes, and leaves values given at run time to the node', () => {
    const problems = dataAccessProblems(
      spec([{ $param: 'data' }, { $param: 'other' }], {
        type: 'object',
        properties: { data: { type: 'string', default: 'file:///etc/shadow' }, other: { type: 'string' } },
      }),
      catalog,
      policy,
    );
    expect(problems).toEqual([
      {
        path: 'params.properties.data.default',
        nodeId: 'in0',
        message: expect.stringContaining(
          'node "in0": uri (the default of run parameter "data") file:///etc/shadow is refused: /etc/shadow is outside',
        ),
      },
    ]);
  });
});

describe('data URI kinds and s3', () => {
  it('sends each URI to its reader and refuses other schemes', () => {
    expect(dataUriKind('data.csv')).toBe('local');
    expect(dataUriKind('file:///x')).toBe('local');
    expect(dataUriKind('HTTPS://x')).toBe('http');
    expect(dataUriKind('s3://b/k')).toBe('s3');
    expect(dataUriKind('gopher://x/')).toBeUndefined();
    expect(dataUriRefusal('gopher://127.0.0.1:6379/_FLUSHALL', policy)).toContain('gopher:// is not read');
  });

  it('reads only allowed, well-formed buckets on the configured endpoint', () => {
    expect(s3Refusal('s3://art/sha256/ab', policy)).toBeUndefined();
    expect(s3Refusal('s3://raw-data/a/b.csv', policy)).toBeUndefined();
    expect(s3Refusal('s3://other/a.csv', policy)).toContain('bucket "other" is not allowed');
    expect(s3Refusal('s3://evil.com:9000/a.csv', policy)).toContain('not a valid S3 bucket name');
    expect(s3Refusal('s3://user@host/a.csv', policy)).toContain('not a valid S3 bucket name');
    expect(s3Refusal('s3://bucket-only', policy)).toContain('write s3://bucket/key');
    const defaults = dataAccessPolicyFromEnv({}, { cwd: '/', home: '/h' });
    expect(s3Refusal('s3://kiln-artifacts/x', defaults)).toBeUndefined();
    expect(s3Refusal('s3://raw-data/x', defaults)).toContain('allowed: kiln-artifacts');
    expect(
      s3Refusal(
        's3://anything/x',
        dataAccessPolicyFromEnv({ KILN_S3_BUCKETS: '*' }, { cwd: '/', home: '/h' }),
      ),
    ).toBeUndefined();
  });
});
