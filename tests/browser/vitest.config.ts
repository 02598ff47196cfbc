import { mergeConfig, defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// One browser journey at a time: the files share the demo users' Keycloak logins.
export default mergeConfig(
  sharedConfig,
  defineConfig({ test: { setupFiles: ['./src/setup.ts'], fileParallelism: false, testTimeout: 180_000, hookTimeout: 180_000 } }),
);
