export { createProviderStubs, DEFAULT_STUB_CONFIG, PROVIDERS, E164, type Provider, type RecordedRequest, type StubConfig, type StubState } from './app.js';
export { startProviderStubs } from './server.js';
