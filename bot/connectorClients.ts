/**
 * CloudAdapter asks its authentication for a new connector factory, and the
 * factory builds a new ConnectorClient (credentials, an HTTP pipeline of a
 * dozen policies), on every activity, even when the reply goes back in the
 * HTTP response (`expectReplies`) and the client is never used. A client
 * depends only on the bot's app id, the channel's service URL and the
 * audience, and is reusable (its credentials renew their own tokens), so
 * the clients are kept, as BotFrameworkAdapter kept them, per
 * (app id, service URL, audience).
 */
import type { BotFrameworkAuthentication, ConnectorClient, ConnectorFactory } from 'botframework-connector';

/** The claims that name the bot's app id (as botframework-connector reads them). */
const APP_ID_CLAIMS = ['aud', 'appid'];

export function reuseConnectorClients<T extends BotFrameworkAuthentication>(auth: T, limit = 1000): T {
  const clients = new Map<string, Promise<ConnectorClient>>();
  const createFactory = auth.createConnectorFactory.bind(auth);
  auth.createConnectorFactory = (identity): ConnectorFactory => {
    const factory = createFactory(identity);
    const appId = APP_ID_CLAIMS.map((type) => identity.getClaimValue(type)).find((v) => v) ?? '';
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> => {
        const key = JSON.stringify([appId, serviceUrl, audience ?? '']);
        let client = clients.get(key);
        if (!client) {
          if (clients.size >= limit) clients.delete(clients.keys().next().value as string);
          client = factory.create(serviceUrl, audience);
          clients.set(key, client);
          client.catch(() => clients.delete(key));
        }
        return client;
      },
    };
  };
  return auth;
}
