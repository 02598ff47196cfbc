// Launcher compiled to dist/server.js (`npm start`); the server itself is server/main.ts.
import './server/main.js';
