// `npm run down`: stops the Tierline processes, then the infrastructure servers. Data stays in
// .data/ (delete that folder for a clean slate).
import { join } from 'node:path';
import { repo, run } from './lib.mjs';

const { stopApps } = await import('./apps.mjs');
await stopApps();
run(process.execPath, [join(repo, 'infra', 'stack.mjs'), 'down']);
