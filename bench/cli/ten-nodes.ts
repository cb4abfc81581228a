// The same ten-node pipeline as ten-nodes.json, as a TypeScript module (`kiln validate` loads it through swc).
import spec from './ten-nodes.json' with { type: 'json' };

export default spec;
