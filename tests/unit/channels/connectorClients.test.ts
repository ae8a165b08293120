/**
 * Connector clients are made once per (app id, service URL, audience), and
 * user token clients once per app id, not on every activity; a client that
 * could not be made is not kept.
 */
import type { BotFrameworkAuthentication } from 'botframework-connector';
import { reuseConnectorClients } from '../../../channels/botframework/connectorClients';

const identity = (claims: Record<string, string>) =>
  ({ getClaimValue: (type: string) => claims[type] ?? null }) as never;

function fakeAuth(fail = false): { auth: BotFrameworkAuthentication; made: string[] } {
  const made: string[] = [];
  const factory = {
    create: async (serviceUrl: string, audience?: string) => {
      made.push(`${serviceUrl} ${audience ?? ''}`);
      if (fail) throw new Error('no credentials');
      return { serviceUrl } as never;
    },
  };
  const auth = {
    createConnectorFactory: () => factory,
    authenticateRequest: async () => ({ claimsIdentity: identity({}), connectorFactory: factory }),
    authenticateStreamingRequest: async () => ({ claimsIdentity: identity({}), connectorFactory: factory }),
    createUserTokenClient: async () => {
      made.push('token client');
      return {} as never;
    },
  } as unknown as BotFrameworkAuthentication;
  return { auth, made };
}

describe('reuseConnectorClients', () => {
  it('keeps one client per app id, service URL and audience', async () => {
    const { auth, made } = fakeAuth();
    reuseConnectorClients(auth);
    const a = await auth.createConnectorFactory(identity({})).create('http://127.0.0.1:1/');
    const b = await auth.createConnectorFactory(identity({})).create('http://127.0.0.1:1/');
    expect(b).toBe(a);
    const viaRequest = await auth.authenticateRequest({} as never, '');
    expect(await viaRequest.connectorFactory?.create('http://127.0.0.1:1/')).toBe(a);
    await auth.createConnectorFactory(identity({})).create('http://127.0.0.1:2/');
    await auth.createConnectorFactory(identity({ aud: 'bot-a' })).create('http://127.0.0.1:1/');
    await auth.createConnectorFactory(identity({})).create('http://127.0.0.1:1/', 'other');
    expect(made).toHaveLength(4);
    await auth.createUserTokenClient(identity({}));
    await auth.createUserTokenClient(identity({}));
    await auth.createUserTokenClient(identity({ aud: 'bot-a' }));
    expect(made.filter((m) => m === 'token client')).toHaveLength(2);
  });

  it('forgets a client whose creation failed', async () => {
    const { auth, made } = fakeAuth(true);
    reuseConnectorClients(auth);
    const factory = auth.createConnectorFactory(identity({}));
    await expect(factory.create('http://127.0.0.1:1/')).rejects.toThrow('no credentials');
    await expect(factory.create('http://127.0.0.1:1/')).rejects.toThrow('no credentials');
    expect(made).toHaveLength(2);
  });
});
