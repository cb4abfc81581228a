// `node --import <this file>`: appends the URL of every module the process loads through the ESM
// loader to the file named by KILN_MODULE_TRACE (one a line), to check what a command loads.
import { register } from 'node:module';

register('./module-trace-hooks.mjs', import.meta.url);
