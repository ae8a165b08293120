/**
 * A small typed client for the Zalo OA Open API over axios: customer-service
 * messages with the OA access token, the token refresh with the single-use
 * refresh token, and Zalo's error envelope (HTTP 200 with a non-zero
 * `error`) turned into errors that say whether retrying can help.
 */
import axios, { AxiosError, type AxiosInstance } from 'axios';

export interface ZaloButton {
  title: string;
  type: 'oa.query.show' | 'oa.query.hide' | 'oa.open.url' | 'oa.open.phone';
  payload: string | { url: string } | { phone_code: string };
}

export interface CsMessage {
  recipient: { user_id: string };
  message: {
    text?: string;
    attachment?: { type: 'template'; payload: { buttons: ZaloButton[] } };
  };
}

/** What to do about a failed call. */
export type Failure = 'token' | 'transient' | 'permanent';

export class ZaloApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly failure: Failure,
  ) {
    super(`Zalo error ${code}: ${message}`);
    this.name = 'ZaloApiError';
  }
}

/** Zalo's codes, by what they mean for a sender (reference §2.8). */
export function classify(code: number): Failure {
  if ([-216, -220, 216, 401, -401].includes(code)) return 'token';
  if ([-32, -200].includes(code)) return 'transient';
  return 'permanent';
}

/** Codes after which the same message can succeed later without a change (the citizen writes again). */
export const WAIT_FOR_USER = new Set([-230, -232]);

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export interface ZaloClientOptions {
  apiBase: string;
  oauthBase: string;
  appId: string;
  appSecret: string;
  /** Per-request timeout, ms. */
  timeoutMs: number;
}

export class ZaloClient {
  private readonly http: AxiosInstance;

  constructor(private readonly options: ZaloClientOptions) {
    this.http = axios.create({ timeout: options.timeoutMs, validateStatus: () => true });
  }

  /** Send a customer-service message; returns Zalo's message id. */
  async sendCs(accessToken: string, body: CsMessage): Promise<string> {
    const data = await this.call(() =>
      this.http.post(`${this.options.apiBase}/v3.0/oa/message/cs`, body, {
        headers: { access_token: accessToken, 'Content-Type': 'application/json' },
      }),
    );
    return String((data as { data?: { message_id?: unknown } }).data?.message_id ?? '');
  }

  /** Exchange the refresh token for a new pair (the old refresh token dies). */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const form = new URLSearchParams({
      refresh_token: refreshToken,
      app_id: this.options.appId,
      grant_type: 'refresh_token',
    });
    const data = (await this.call(() =>
      this.http.post(`${this.options.oauthBase}/v4/oa/access_token`, form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', secret_key: this.options.appSecret },
      }),
    )) as {
      access_token?: string;
      refresh_token?: string;
      expires_in?: string | number;
      error?: number;
      error_name?: string;
      error_description?: string;
    };
    if (!data.access_token || !data.refresh_token) {
      throw new ZaloApiError(
        Number(data.error ?? -1),
        `token refresh failed: ${data.error_description ?? data.error_name ?? 'no token in answer'}`,
        'permanent',
      );
    }
    return {
      accessToken: data.access_token,
      refreshToken: data.refresh_token,
      expiresAt: Date.now() + Number(data.expires_in ?? 90000) * 1000,
    };
  }

  private async call(request: () => Promise<{ status: number; data: unknown }>): Promise<unknown> {
    let res: { status: number; data: unknown };
    try {
      res = await request();
    } catch (e) {
      const code = (e as AxiosError).code ?? 'network';
      throw new ZaloApiError(0, `network error (${code})`, 'transient');
    }
    if (res.status >= 500) throw new ZaloApiError(res.status, `HTTP ${res.status}`, 'transient');
    if (res.status === 401) throw new ZaloApiError(401, 'HTTP 401', 'token');
    if (res.status >= 400) throw new ZaloApiError(res.status, `HTTP ${res.status}`, 'permanent');
    const data = res.data as { error?: number; message?: string } | undefined;
    const code = typeof data?.error === 'number' ? data.error : 0;
    if (code !== 0 && !(data as { access_token?: string }).access_token) {
      throw new ZaloApiError(code, data?.message ?? 'error', classify(code));
    }
    return data;
  }
}
