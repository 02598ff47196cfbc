import { mergeConfig, defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// Only the checker's unit tests: fabricated inputs, no servers. The chaos run itself is `npm run chaos`.
export default mergeConfig(sharedConfig, defineConfig({ test: { include: ['src/**/*.test.ts'] } }));
