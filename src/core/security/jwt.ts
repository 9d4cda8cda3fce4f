// JWT access and refresh tokens in Moonraker's shape (EdDSA, aud "Moonraker",
// token_type "access" | "refresh"), plus `sid` (the login family) and `jti`.
// Verification pins the algorithm, key id, issuer, audience and header fields
// (RFC 8725), and caches verified tokens so the hot path skips the signature.
import { SignJWT, jwtVerify, decodeProtectedHeader } from 'jose';
import { boundedCache } from '../cache.js';
import type { Keyring } from './keyring.js';
import { randomUrlToken } from './crypto.js';

export type TokenType = 'access' | 'refresh';

export interface Claims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  username: string;
  token_type: TokenType;
  sid: string;
  jti: string;
}

const ALLOWED_HEADER = new Set(['alg', 'typ', 'kid']);

export class JwtService {
  /** Tokens whose signature verified (bounded; expiry is checked on every use). */
  private cache = boundedCache<string, Claims>(50_000);

  constructor(private signing: Keyring['signing'], readonly issuer: string) {}

  async sign(username: string, sid: string, type: TokenType, ttlSeconds: number, jti = randomUrlToken(12)): Promise<{ token: string; claims: Claims }> {
    const iat = Math.floor(Date.now() / 1000);
    const claims: Claims = {
      iss: this.issuer, aud: 'Moonraker', iat, exp: iat + ttlSeconds,
      username, token_type: type, sid, jti,
    };
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ kid: this.signing.kid, alg: 'EdDSA', typ: 'JWT' })
      .sign(this.signing.privateKey);
    return { token, claims };
  }

  /** Returns the claims of a token we signed, or undefined. `checkExp: false` accepts expired tokens (Moonraker does so on routes that need no auth). */
  async verify(token: string, type: TokenType, checkExp = true): Promise<Claims | undefined> {
    let claims = this.cache.get(token);
    if (!claims) {
      claims = await this.verifySignature(token);
      if (!claims) return undefined;
      this.cache.set(token, claims);
    }
    if (claims.token_type !== type) return undefined;
    if (checkExp && claims.exp * 1000 <= Date.now()) {
      this.cache.delete(token);
      return undefined;
    }
    return claims;
  }

  private async verifySignature(token: string): Promise<Claims | undefined> {
    if (token.length > 4096) return undefined;
    // One spelling per token: base64url leaves spare bits in the signature's last
    // character, and a decoder ignores them, so without this check several
    // strings would carry the same valid signature.
    const sig = token.slice(token.lastIndexOf('.') + 1);
    if (Buffer.from(sig, 'base64url').toString('base64url') !== sig) return undefined;
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'EdDSA' || header.typ !== 'JWT' || header.kid !== this.signing.kid) return undefined;
      if (Object.keys(header).some((k) => !ALLOWED_HEADER.has(k))) return undefined;
      const { payload } = await jwtVerify(token, this.signing.publicKey, {
        algorithms: ['EdDSA'],
        issuer: this.issuer,
        audience: 'Moonraker',
        typ: 'JWT',
        currentDate: new Date(0), // expiry is checked by verify(), per call
        requiredClaims: ['iat', 'exp', 'sid', 'jti'],
      });
      if (typeof payload.username !== 'string' || typeof payload.sid !== 'string') return undefined;
      if (payload.token_type !== 'access' && payload.token_type !== 'refresh') return undefined;
      if (typeof payload.iat !== 'number' || payload.iat * 1000 > Date.now() + 60_000) return undefined;
      return payload as unknown as Claims;
    } catch {
      return undefined;
    }
  }
}
