import { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';

/**
 * Tokens that must be refused: the same claims as a real one, but re-signed with a key the
 * realm never published, given another issuer or audience, expired, or unsigned (alg none).
 */
export async function forgeFrom(realToken: string, change: 'other-key' | 'other-issuer' | 'other-audience' | 'expired' | 'alg-none') {
  const claims = decodeJwt(realToken);
  const header = decodeProtectedHeader(realToken);
  if (change === 'alg-none') {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${enc({ alg: 'none', typ: 'JWT' })}.${enc(claims)}.`;
  }
  const { privateKey } = await generateKeyPair('RS256');
  const now = Math.floor(Date.now() / 1000);
  const edited = { ...claims };
  if (change === 'other-issuer') edited.iss = 'http://evil.example/realms/tierline';
  if (change === 'other-audience') edited.aud = ['some-other-service'];
  if (change === 'expired') {
    edited.iat = now - 3600;
    edited.exp = now - 1800;
  }
  // Keep the realm's key id so the verifier looks up a real key and the signature fails.
  return new SignJWT(edited).setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(header.kid ? { kid: header.kid } : {}) }).sign(privateKey);
}
