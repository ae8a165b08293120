/**
 * Hotline staff accounts and their sessions. Passwords are bcrypt hashes;
 * a session is a random cookie whose sha256 alone is stored, with its own
 * CSRF token that every write must echo in `X-CSRF-Token`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { isUniqueViolation, type Database } from '../../storage/database';

export type Role = 'agent' | 'supervisor';

export interface Agent {
  id: number;
  username: string;
  name: string;
  role: Role;
}

export interface Session {
  agent: Agent;
  csrf: string;
  expiresAt: number;
}

const BCRYPT_ROUNDS = 10;
const USERNAME = /^[a-z0-9._-]{2,64}$/;

export class AccountError extends Error {}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** A bcrypt hash to compare against when the user does not exist, so timing does not tell. */
let decoyHash: string | undefined;

export class Accounts {
  constructor(
    private readonly db: Database,
    private readonly sessionTtlMs = 12 * 3600_000,
  ) {}

  /** Create an account; the password must be at least 10 characters. */
  async add(username: string, password: string, role: Role = 'agent', name = username): Promise<Agent> {
    const u = username.trim().toLowerCase();
    if (!USERNAME.test(u)) throw new AccountError('username: 2–64 characters of a-z, 0-9, ".", "_" or "-"');
    if (password.length < 10) throw new AccountError('password: at least 10 characters');
    const exists = await this.db
      .selectFrom('hotline_agents')
      .select('id')
      .where('username', '=', u)
      .executeTakeFirst();
    if (exists) throw new AccountError(`username ${u} already exists`);
    const hash = await bcrypt.hash(password, BCRYPT_ROUNDS);
    const row = await this.db
      .insertInto('hotline_agents')
      .values({
        username: u,
        name: name.trim() || u,
        password_hash: hash,
        role,
        created_at: new Date().toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, username: u, name: name.trim() || u, role };
  }

  async setPassword(username: string, password: string): Promise<void> {
    if (password.length < 10) throw new AccountError('password: at least 10 characters');
    const hash = await bcrypt.hash(password, BCRYPT_ROUNDS);
    const r = await this.db
      .updateTable('hotline_agents')
      .set({ password_hash: hash })
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new AccountError(`no account ${username}`);
  }

  /** Seed the first supervisor from the environment when no account of that name exists. */
  async ensureAdmin(username: string, password: string): Promise<boolean> {
    const exists = await this.db
      .selectFrom('hotline_agents')
      .select('id')
      .where('username', '=', username.toLowerCase())
      .executeTakeFirst();
    if (exists) return false;
    try {
      await this.add(username, password, 'supervisor');
      return true;
    } catch (e) {
      // Two replicas starting together: the other one created it first.
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async list(): Promise<Agent[]> {
    const rows = await this.db
      .selectFrom('hotline_agents')
      .select(['id', 'username', 'name', 'role'])
      .where('disabled', '=', 0)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({ ...r, role: r.role as Role }));
  }

  /** Check a password; a new session on success, undefined otherwise. */
  async login(username: string, password: string): Promise<{ token: string; session: Session } | undefined> {
    const row = await this.db
      .selectFrom('hotline_agents')
      .selectAll()
      .where('username', '=', username.trim().toLowerCase())
      .where('disabled', '=', 0)
      .executeTakeFirst();
    decoyHash ??= await bcrypt.hash('decoy-password', BCRYPT_ROUNDS);
    const ok = await bcrypt.compare(password, row?.password_hash ?? decoyHash);
    if (!row || !ok) return undefined;
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = Date.now() + this.sessionTtlMs;
    await this.db
      .insertInto('hotline_sessions')
      .values({
        id_hash: sha256(token),
        agent_id: row.id,
        csrf,
        expires_at: expiresAt,
        created_at: new Date().toISOString(),
      })
      .execute();
    await this.db.deleteFrom('hotline_sessions').where('expires_at', '<', Date.now()).execute();
    return {
      token,
      session: {
        agent: { id: row.id, username: row.username, name: row.name, role: row.role as Role },
        csrf,
        expiresAt,
      },
    };
  }

  async session(token: string | undefined): Promise<Session | undefined> {
    if (!token) return undefined;
    const row = await this.db
      .selectFrom('hotline_sessions')
      .innerJoin('hotline_agents', 'hotline_agents.id', 'hotline_sessions.agent_id')
      .select(['agent_id', 'csrf', 'expires_at', 'username', 'name', 'role', 'disabled'])
      .where('id_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.disabled || row.expires_at < Date.now()) return undefined;
    return {
      agent: { id: row.agent_id, username: row.username, name: row.name, role: row.role as Role },
      csrf: row.csrf,
      expiresAt: row.expires_at,
    };
  }

  async logout(token: string): Promise<void> {
    await this.db.deleteFrom('hotline_sessions').where('id_hash', '=', sha256(token)).execute();
  }
}

/** Constant-time comparison of a CSRF header with the session's token. */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
