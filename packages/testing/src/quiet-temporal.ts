// Vitest setup file: keep the Temporal SDK's own logging (worker state, bundler stats) to
// warnings, so test output shows test results.
import { DefaultLogger, Runtime } from '@temporalio/worker';

Runtime.install({ logger: new DefaultLogger('WARN') });
