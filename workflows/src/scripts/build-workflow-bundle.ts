// `npm run build`, after tsc: writes dist/workflow-bundle.js, which the worker loads at start-up
// instead of bundling its workflows then (decision 25).
import { fileURLToPath } from 'node:url';
import { WORKFLOW_BUNDLE_FILE, buildWorkflowBundle } from '../bundle.js';

const outFile = fileURLToPath(new URL(`../${WORKFLOW_BUNDLE_FILE}`, import.meta.url));
await buildWorkflowBundle(outFile);
console.log(`workflow bundle: ${outFile}`);
