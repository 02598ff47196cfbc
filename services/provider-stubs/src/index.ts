export { createProviderStubs, DEFAULT_STUB_CONFIG, PROVIDERS, E164, SMS_OUTCOMES, twilioSignature, type Provider, type RecordedRequest, type StatusCallbackRecord, type StubConfig, type StubState } from './app.js';
export { startProviderStubs } from './server.js';
