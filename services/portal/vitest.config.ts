import { mergeConfig, defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default mergeConfig(sharedConfig, defineConfig({ test: { include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'] } }));
