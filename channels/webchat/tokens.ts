/**
 * Direct Line tokens: signed (HMAC-SHA256), expiring, and bound to one
 * conversation and one user, so a token for conversation A can neither read
 * nor post to conversation B, and no secret ever reaches the browser.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  /** Conversation id. */
  c: string;
  /** User id the conversation belongs to. */
  u: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class TokenIssuer {
  constructor(
    private readonly secret: string,
    readonly ttlSeconds: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  issue(conversationId: string, userId: string): { token: string; expires_in: number } {
    const claims: TokenClaims = {
      c: conversationId,
      u: userId,
      exp: Math.floor(this.now() / 1000) + this.ttlSeconds,
    };
    const body = b64(JSON.stringify(claims));
    return { token: `${body}.${this.sign(body)}`, expires_in: this.ttlSeconds };
  }

  /**
   * The claims of a valid token, unexpired or expired less than
   * `graceSeconds` ago (only the token route gives grace: a returning browser
   * resumes its conversation); undefined otherwise.
   */
  verify(token: string | undefined, graceSeconds = 0): TokenClaims | undefined {
    if (!token) return undefined;
    const [body, sig] = token.split('.');
    if (!body || !sig) return undefined;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      if (typeof claims.c !== 'string' || typeof claims.u !== 'string' || typeof claims.exp !== 'number')
        return undefined;
      if ((claims.exp + graceSeconds) * 1000 <= this.now()) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url');
  }
}

/** The bearer token of an Authorization header. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
