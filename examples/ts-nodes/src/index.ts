// The node package's entry: every export is a node definition (`kiln worker --nodes` refuses anything else).
export { ratio } from './ratio';
export { profile } from './profile';
