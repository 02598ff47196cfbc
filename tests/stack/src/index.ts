export * from './stack.js';
export { forwardProxy } from './forward-proxy.js';
