/**
 * Bot Framework channels (Azure Bot Service: Teams, the Emulator, Direct
 * Line from Microsoft) at `/api/messages`, through botbuilder's
 * CloudAdapter: it verifies the caller's JWT when MicrosoftAppId is set and
 * replies through the connector at the activity's `serviceUrl`.
 */
import type { IncomingMessage } from 'node:http';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Request as BotRequest,
  type Response as BotResponse,
} from 'botbuilder';
import type { Server } from 'restify';
import { z } from 'zod';
import type { Channel } from '../contract';
import { reuseConnectorClients } from './connectorClients';

const env = z.object({
  MicrosoftAppId: z.string().default(''),
  MicrosoftAppPassword: z.string().default(''),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().default(''),
});

export interface BotFrameworkSettings {
  appId: string;
  appPassword: string;
  appType: string;
  tenantId: string;
}

/** Without credentials anyone could make the bot post to any address: only loopback is allowed then. */
export function isLoopbackUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.replace(/^::ffff:/i, '');
  return a === '::1' || /^127\.\d+\.\d+\.\d+$/.test(a);
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * Without credentials nothing proves who posted an activity, and the bot
 * posts its reply to the activity's `serviceUrl`: anyone who reached the
 * port could make it call services on this host. Only a caller on this
 * machine is accepted then, judged by the socket's peer address (headers
 * are the caller's to invent). A request relayed by a reverse proxy on this
 * machine comes from loopback too but carries forwarding headers: it came
 * from outside and is refused as well.
 */
export function isLocalCaller(req: IncomingMessage): boolean {
  return isLoopbackAddress(req.socket.remoteAddress) && !FORWARDING_HEADERS.some((h) => h in req.headers);
}

/** Why an unauthenticated activity is refused (for the log and the caller), or undefined when it may pass. */
function refusal(
  settings: BotFrameworkSettings,
  req: IncomingMessage,
  body: unknown,
): { log: string; error: string } | undefined {
  if (settings.appId) return undefined;
  if (!isLocalCaller(req))
    return {
      log: 'rejected an activity from another machine while authentication is off',
      error: 'only this machine may post activities unless MicrosoftAppId is configured',
    };
  if (!isLoopbackUrl((body as { serviceUrl?: unknown } | undefined)?.serviceUrl))
    return {
      log: 'rejected activity with a non-loopback serviceUrl while authentication is off',
      error: 'serviceUrl must be on this machine unless MicrosoftAppId is configured',
    };
  return undefined;
}

export const botFrameworkChannel: Channel<typeof env.shape, BotFrameworkSettings> = {
  id: 'botframework',
  env,
  settings: (e) => ({
    appId: e.MicrosoftAppId,
    appPassword: e.MicrosoftAppPassword,
    appType: e.MicrosoftAppType,
    tenantId: e.MicrosoftAppTenantId,
  }),
  async mount(app: Server, deps, settings) {
    const auth = new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: settings.appId,
      MicrosoftAppPassword: settings.appPassword,
      MicrosoftAppType: settings.appType,
      MicrosoftAppTenantId: settings.tenantId,
    });
    // One connector client per (app id, service URL, audience), not one per activity.
    const adapter = new CloudAdapter(reuseConnectorClients(auth));
    adapter.onTurnError = (context, error) => deps.onTurnError(context, error);
    app.post('/api/messages', async (req, res) => {
      const refused = refusal(settings, req, req.body);
      if (refused) {
        deps.log.warn(refused.log, { ip: req.socket.remoteAddress });
        res.send(403, { error: refused.error });
        return;
      }
      await adapter.process(req as unknown as BotRequest, res as unknown as BotResponse, (context) =>
        deps.run(context),
      );
    });
    return { close: () => undefined };
  },
};
