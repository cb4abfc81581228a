// The diamond pipeline of diamond.json, written with the authoring API.
import { pipeline } from '@kiln/engine';
import { command, noop } from '@kiln/nodes';

const p = pipeline('diamond', { params: { msg: { type: 'string', default: 'echo hi' } }, maxParallel: 8 });

const a = p.node('a', command, { params: { command: 'echo a' } });
const b = p.node('b', command, {
  params: { command: p.param('msg') },
  after: [a],
  retry: { maxAttempts: 3 },
  timeoutSeconds: 60,
});
const c = p.node('c', noop, { after: [a] });
p.node('d', noop, { after: [b, c], resources: { gpu: 1 } });

export default p;
