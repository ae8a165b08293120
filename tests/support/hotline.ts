/** A hotline agent over the JSON API, for tests that drive the console without a browser. */

export interface AgentHeaders extends Record<string, string> {
  cookie: string;
  'x-csrf-token': string;
}

/** Log in at `base` and return the headers every later request needs (session cookie + CSRF token). */
export async function hotlineLogin(base: string, username: string, password: string): Promise<AgentHeaders> {
  const res = await fetch(`${base}/hotline/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username}: ${res.status} ${await res.text()}`);
  const { csrf } = (await res.json()) as { csrf: string };
  return {
    'content-type': 'application/json',
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '',
    'x-csrf-token': csrf,
  };
}

/** POST to a ticket's action (`/claim`, `/messages`, `/resolve`, `/transfer`). */
export function ticketAction(
  base: string,
  headers: AgentHeaders,
  code: string,
  action: string,
  body: unknown = {},
) {
  return fetch(`${base}/hotline/api/tickets/${code}${action}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}
