/**
 * CloudAdapter makes a new ConnectorClient (credentials, an HTTP pipeline
 * of a dozen policies) and a new UserTokenClient on every activity, even
 * when the reply goes back in the HTTP response (`expectReplies`) and
 * neither is used. A connector client depends only on the bot's app id,
 * the channel's service URL and the audience, a user token client only on
 * the app id, and both are reusable (their credentials renew their own
 * tokens), so they are kept, as BotFrameworkAdapter kept its clients:
 * connector clients per (app id, service URL, audience), token clients per
 * app id.
 */
import type {
  AuthenticateRequestResult,
  BotFrameworkAuthentication,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  UserTokenClient,
} from 'botframework-connector';

/** The claims that name the bot's app id (as botframework-connector reads them). */
const APP_ID_CLAIMS = ['aud', 'appid'];

function appIdOf(identity: ClaimsIdentity): string {
  return APP_ID_CLAIMS.map((type) => identity.getClaimValue(type)).find((v) => v) ?? '';
}

/** `make(key)` once per key (at most `limit` kept); a failed promise is not kept. */
function memo<T>(limit: number): (key: string, make: () => Promise<T>) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (key, make) => {
    let value = kept.get(key);
    if (!value) {
      if (kept.size >= limit) kept.delete(kept.keys().next().value as string);
      value = make();
      kept.set(key, value);
      value.catch(() => kept.delete(key));
    }
    return value;
  };
}

export function reuseConnectorClients<T extends BotFrameworkAuthentication>(auth: T, limit = 1000): T {
  const clients = memo<ConnectorClient>(limit);
  const tokenClients = memo<UserTokenClient>(limit);
  const reusing = (factory: ConnectorFactory, identity: ClaimsIdentity): ConnectorFactory => {
    const appId = appIdOf(identity);
    return {
      create: (serviceUrl: string, audience?: string): Promise<ConnectorClient> =>
        clients(JSON.stringify([appId, serviceUrl, audience ?? '']), () =>
          factory.create(serviceUrl, audience),
        ),
    };
  };
  const withReuse = (result: AuthenticateRequestResult): AuthenticateRequestResult =>
    result.connectorFactory
      ? { ...result, connectorFactory: reusing(result.connectorFactory, result.claimsIdentity) }
      : result;

  const createFactory = auth.createConnectorFactory.bind(auth);
  auth.createConnectorFactory = (identity) => reusing(createFactory(identity), identity);
  const authenticate = auth.authenticateRequest.bind(auth);
  auth.authenticateRequest = async (activity, header) => withReuse(await authenticate(activity, header));
  const authenticateStreaming = auth.authenticateStreamingRequest.bind(auth);
  auth.authenticateStreamingRequest = async (header, channel) =>
    withReuse(await authenticateStreaming(header, channel));
  const createTokenClient = auth.createUserTokenClient.bind(auth);
  auth.createUserTokenClient = (identity) =>
    tokenClients(appIdOf(identity), () => createTokenClient(identity));
  return auth;
}
