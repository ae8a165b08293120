/**
 * The shape every pluggable part of the server has (each channel, the
 * hotline): the environment variables it reads, its settings from them (or
 * why it is off), the tables it adds, and how it mounts its routes. The
 * composition root (`app/`) assembles the configuration from the parts'
 * schemas and mounts the enabled ones; nothing else knows the list.
 * Shaped like Botkit's `botbuilder-adapter-*` packages: one folder, one
 * object, no reaching into its neighbours.
 */
import type { Migration } from 'kysely';
import type { Server } from 'restify';
import type { z } from 'zod';

/** A part that does not run, and why (said once in the log at start). */
export interface Off {
  off: string;
}

export function isOff(value: unknown): value is Off {
  return typeof value === 'object' && value !== null && 'off' in value;
}

/** Settings every part may read: the server's own, validated with the rest. */
export interface SharedSettings {
  /** Public base URL behind a proxy (PUBLIC_URL); derived from the listening address when empty. */
  publicUrl?: string;
  /** Take the client address from X-Forwarded-For (TRUST_PROXY). */
  trustProxy: boolean;
  /** Longest message text a channel accepts (WEBCHAT_MAX_MESSAGE_CHARS, for every channel). */
  maxMessageChars: number;
}

export interface Part<Env extends z.ZodRawShape, Settings, Deps, Mounted> {
  /** The channel id of its activities (`webchat`, `zalo`), or the part's name. */
  readonly id: string;
  /** The environment variables it reads, validated with every other part's at start. */
  readonly env: z.ZodObject<Env>;
  /** Its settings from the validated environment, or why it is off. */
  settings(env: z.infer<z.ZodObject<Env>>, shared: SharedSettings): Settings | Off;
  /** Tables of its own, applied in name order with everyone else's (never edit one that shipped). */
  readonly migrations?: Record<string, Migration>;
  /** Mount its routes on the server; resolves when they answer. */
  mount(app: Server, deps: Deps, settings: Settings): Promise<Mounted>;
}
