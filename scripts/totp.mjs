// `npm run totp -- <demo user>`: prints the demo user's current one-time code (demo TOTP
// secrets of infra/keycloak/tierline-realm.demo.json; an authenticator app given the same secret
// shows the same code).
import { usePinnedNode } from './lib.mjs';

await usePinnedNode();
const { DEMO_USERS, totp } = await import('../packages/testing/dist/index.js');
const name = process.argv[2];
const user = DEMO_USERS.find((u) => u.username === name);
if (!user) {
  console.error(`usage: npm run totp -- <user>; demo users with a second factor: ${DEMO_USERS.filter((u) => u.totpSecret).map((u) => u.username).join(', ')}`);
  process.exit(2);
}
if (!user.totpSecret) {
  console.error(`${name} has no second factor${user.roles.includes('clinic_staff') ? ' (clinic staff log in with a password only)' : ''}`);
  process.exit(1);
}
const left = 30 - Math.floor(Date.now() / 1000) % 30;
console.log(`${totp(user.totpSecret)}  (valid ${left} s more; secret ${user.totpSecret})`);
