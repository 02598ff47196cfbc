// Builds the browser app into dist/public, which the portal server (dist/server.js) serves.
// `npm run dev:app` serves the app with hot reload and forwards API and config requests to a
// running portal server, so the browser still sees one origin.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const portal = process.env.PORTAL_DEV_TARGET ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: 'src',
  plugins: [react()],
  build: {
    outDir: '../dist/public',
    emptyOutDir: true,
    // Never inline assets as data: URLs into scripts/styles beyond images; keeps the CSP simple.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    proxy: { '/api': portal, '/config.json': portal },
  },
});
