/**
 * The hand-off end to end over HTTP: a citizen on the Direct Line web chat
 * asks for a person, an agent logs in to /hotline/api, claims, answers,
 * resolves; the citizen sees each step and rates. Then the rules around it:
 * CSRF, roles, rate-limited login, look-up only from the same conversation,
 * and the call-back offer outside hours.
 */
import type { RunningServer } from '../../../app/server';
import { startTestServer } from '../../support/server';
import { localTime } from '../../../hotline/domain/hours';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked by the assertions
type Json = any;

function boot(env: Record<string, string>): Promise<RunningServer> {
  return startTestServer({
    WEBCHAT_SECRET: 'test-secret-0123456789abcdef',
    WEBCHAT_TOKENS_PER_MINUTE: '100',
    WEBCHAT_MESSAGES_PER_MINUTE: '100',
    HOTLINE_ADMIN_USER: 'giamsat',
    HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
    ...env,
  });
}

class Citizen {
  conversationId = '';
  token = '';
  watermark = '';
  constructor(private readonly server: RunningServer) {}

  private async call(method: string, path: string, body?: unknown): Promise<Json> {
    const res = await fetch(`${this.server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return text ? JSON.parse(text) : undefined;
  }

  async start(): Promise<this> {
    const t = (await (
      await fetch(`${this.server.url}/api/webchat/token`, { method: 'POST' })
    ).json()) as Json;
    this.token = t.token;
    this.conversationId = t.conversationId;
    await this.call('POST', '/v3/directline/conversations', {});
    await this.read();
    return this;
  }

  async say(text: string): Promise<string> {
    await this.call('POST', `/v3/directline/conversations/${this.conversationId}/activities`, {
      type: 'message',
      text,
      from: { id: 'x' },
    });
    return this.read();
  }

  /** The bot's (and agents') message texts since the last read. */
  async read(): Promise<string> {
    const r = await this.call(
      'GET',
      `/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`,
    );
    this.watermark = r.watermark;
    return (r.activities as Json[])
      .filter((a) => a.type === 'message' && a.from.role !== 'user')
      .map((a) => a.text || a.summary || '')
      .join('\n');
  }
}

class Agent {
  cookie = '';
  csrf = '';
  constructor(private readonly server: RunningServer) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    csrf = true,
  ): Promise<{ status: number; json: Json }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', cookie: this.cookie };
    if (csrf && this.csrf) headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.server.url}/hotline/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0] ?? '';
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  async login(username: string, password: string): Promise<number> {
    const r = await this.request('POST', '/login', { username, password });
    if (r.status === 200) this.csrf = r.json.csrf;
    return r.status;
  }
}

describe('hand-off to 1022 within hours', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await boot({ HOTLINE_SCHEDULE: 'always' });
    await server.accounts.add('lan', 'mat-khau-cua-lan', 'agent', 'Lan');
    await server.accounts.add('minh', 'mat-khau-cua-minh', 'agent', 'Minh');
  });
  afterAll(async () => server.close());

  it('goes from the citizen asking to the agent resolving and the citizen rating', async () => {
    const citizen = await new Citizen(server).start();
    const opened = await citizen.say('cho tôi gặp tổng đài viên');
    const code = /1022-\d{8}-\d{4}/.exec(opened)?.[0] as string;
    expect(code).toBeDefined();
    expect(opened).toMatch(/vị trí thứ 1/);
    expect(opened).toMatch(/24\/7/);

    const lan = new Agent(server);
    expect(await lan.login('lan', 'sai-mat-khau-roi')).toBe(401);
    expect(await lan.login('lan', 'mat-khau-cua-lan')).toBe(200);
    expect(lan.cookie).toMatch(/^hotline_session=/);
    const waiting = await lan.request('GET', '/tickets?status=waiting');
    expect(waiting.json.tickets.map((t: Json) => t.code)).toContain(code);

    // Writes without the CSRF token are refused.
    expect((await lan.request('POST', `/tickets/${code}/claim`, {}, false)).status).toBe(403);
    const claim = await lan.request('POST', `/tickets/${code}/claim`, {});
    expect(claim.status).toBe(200);
    expect(claim.json.delivered).toBe(true);
    expect(await citizen.read()).toMatch(/Tổng đài viên Lan đã tiếp nhận/);

    // While the ticket is open the bot stays quiet and the agent gets the message.
    expect(await citizen.say('lệ phí làm căn cước bao nhiêu')).toBe('');
    const detail = await lan.request('GET', `/tickets/${code}`);
    expect(detail.json.messages.map((m: Json) => m.text)).toEqual(['lệ phí làm căn cước bao nhiêu']);
    expect(detail.json.transcript.map((l: Json) => l.text)).toContain('cho tôi gặp tổng đài viên');

    // Another agent cannot answer it.
    const minh = new Agent(server);
    await minh.login('minh', 'mat-khau-cua-minh');
    expect((await minh.request('POST', `/tickets/${code}/messages`, { text: 'chen ngang' })).status).toBe(
      403,
    );
    expect((await minh.request('GET', `/tickets/${code}`)).status).toBe(403);

    const sent = await lan.request('POST', `/tickets/${code}/messages`, {
      text: 'Dạ, <b>miễn phí</b> lần đầu ạ',
    });
    expect(sent.status).toBe(200);
    expect(await citizen.read()).toBe('Tổng đài viên Lan: Dạ, <b>miễn phí</b> lần đầu ạ');

    expect((await lan.request('POST', `/tickets/${code}/resolve`, { note: 'x' })).status).toBe(400);
    // Only a configured category: statistics group tickets by it.
    const invented = await lan.request('POST', `/tickets/${code}/resolve`, {
      category: 'Linh tinh',
      note: 'x',
    });
    expect(invented.status).toBe(400);
    expect(invented.json.error.code).toBe('bad_category');
    expect((await server.desk.get(code)).status).toBe('claimed');
    const resolved = await lan.request('POST', `/tickets/${code}/resolve`, {
      category: 'Hướng dẫn thủ tục hành chính',
      note: 'đã trả lời lệ phí',
    });
    expect(resolved.json.ticket.status).toBe('resolved');
    expect(await citizen.read()).toMatch(/hoàn tất yêu cầu .* từ 1 \(kém\) đến 5/);
    expect(await citizen.say('5')).toMatch(/5\/5/);

    // The bot is back, and the ticket's status is told to this conversation only.
    expect(await citizen.say(`tra cứu ${code}`)).toMatch(/đã xử lý xong/);
    const stranger = await new Citizen(server).start();
    expect(await stranger.say(`tra cứu ${code}`)).toMatch(/không thấy yêu cầu/);

    const supervisor = new Agent(server);
    await supervisor.login('giamsat', 'mat-khau-giam-sat');
    const stats = await supervisor.request('GET', '/stats');
    expect(stats.json.ratings.average).toBe(5);
    expect((await lan.request('GET', '/stats')).status).toBe(403);
    const audit = await supervisor.request('GET', '/audit');
    const actions = audit.json.audit.filter((a: Json) => a.ticket_code === code).map((a: Json) => a.action);
    expect(actions.reverse()).toEqual(['claim', 'answer', 'resolve']);
    const found = await supervisor.request(
      'GET',
      `/tickets?status=resolved&q=${encodeURIComponent('lệ phí')}`,
    );
    expect(found.json.tickets.map((t: Json) => t.code)).toEqual([code]);
  });

  it('streams ticket events to the console over SSE', async () => {
    const agent = new Agent(server);
    await agent.login('lan', 'mat-khau-cua-lan');
    const controller = new AbortController();
    const res = await fetch(`${server.url}/hotline/api/events`, {
      headers: { cookie: agent.cookie },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const citizen = await new Citizen(server).start();
    await citizen.say('tôi muốn phản ánh việc chậm trả hồ sơ');
    let seen = '';
    while (!/"type":"opened"/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(seen).toMatch(/event: ticket/);
    const [ticket] = (await agent.request('GET', '/tickets?status=waiting')).json.tickets.slice(-1);
    expect(ticket.reason).toBe('complaint');
    expect(ticket.subject).toBe('tôi muốn phản ánh việc chậm trả hồ sơ');
  });

  it('lets the citizen end the wait with "kết thúc"', async () => {
    const citizen = await new Citizen(server).start();
    await citizen.say('gặp tổng đài viên');
    expect(await citizen.say('tôi vẫn đang chờ')).toMatch(/vị trí thứ/);
    expect(await citizen.say('kết thúc')).toMatch(/Đã kết thúc yêu cầu/);
    expect(await citizen.say('xin chào')).not.toMatch(/vị trí/);
  });

  it('answers an emergency with the number first and opens an urgent ticket at the top of the queue', async () => {
    const other = await new Citizen(server).start();
    await other.say('cho tôi gặp tổng đài viên');
    const citizen = await new Citizen(server).start();
    const reply = await citizen.say('nhà hàng xóm đang cháy lớn, khói mù mịt, cứu với');
    expect(reply.split('\n')[0]).toContain('114');
    await server.bot.settle();
    const agent = new Agent(server);
    await agent.login('giamsat', 'mat-khau-giam-sat');
    const open = (await agent.request('GET', '/tickets?status=open')).json.tickets as Json[];
    // The emergency came after the other citizen's request (and earlier tests' tickets), and still comes first.
    expect(open[0]?.reason).toBe('emergency');
    expect(open.slice(1).some((t) => t.reason === 'asked')).toBe(true);
  });

  it('offers the hotline after two misses and opens a ticket on "có"', async () => {
    const citizen = await new Citizen(server).start();
    await citizen.say('qwerty zxcv asdf');
    expect(await citizen.say('mnbv lkjh poiu')).toMatch(/gặp tổng đài viên/);
    expect(await citizen.say('có')).toMatch(/1022-\d{8}-\d{4}/);
    const agent = new Agent(server);
    await agent.login('giamsat', 'mat-khau-giam-sat');
    const open = (await agent.request('GET', '/tickets?status=open')).json.tickets;
    expect(open.find((t: Json) => t.reason === 'misses')?.subject).toBe('mnbv lkjh poiu');
  });

  it('offers the hotline after two unhelpful answers and opens a ticket on "đồng ý"', async () => {
    const citizen = await new Citizen(server).start();
    await citizen.say('lam cccd o dau');
    await citizen.say('Chưa hữu ích');
    expect(await citizen.say('Chưa hữu ích')).toMatch(/Bạn có muốn gặp tổng đài viên 1022 không/);
    const opened = await citizen.say('đồng ý');
    const code = /1022-\d{8}-\d{4}/.exec(opened)?.[0] as string;
    expect((await server.desk.get(code)).reason).toBe('unhelpful');
    expect((await server.desk.get(code)).subject).toBe('lam cccd o dau');
  });

  it('serves the console page with a strict content security policy', async () => {
    const res = await fetch(`${server.url}/hotline`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await res.text()).toMatch(/Tổng đài 1022/);
    expect((await fetch(`${server.url}/hotline/api/tickets`)).status).toBe(401);
  });
});

describe('hand-off outside hours', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const today = localTime(new Date(), 'Asia/Ho_Chi_Minh').weekday;
    const other = (today % 7) + 1; // open only on another day
    server = await boot({ HOTLINE_SCHEDULE: `${other} 08:00-09:00` });
  });
  afterAll(async () => server.close());

  it('gives the hours and 1022, and takes a phone number only after consent', async () => {
    const citizen = await new Citizen(server).start();
    const reply = await citizen.say('cho tôi nói chuyện với người thật');
    expect(reply).toMatch(/ngoài giờ tiếp nhận/);
    expect(reply).toMatch(/1022/);
    expect(reply).toMatch(/08:00–09:00/);
    expect(await citizen.say('Để lại số điện thoại')).toMatch(/nhập số điện thoại/);
    expect(await citizen.say('12345')).toMatch(/chưa đúng/);
    const done = await citizen.say('0912 345 678');
    const code = /1022-\d{8}-\d{4}/.exec(done)?.[0] as string;
    expect(done).toMatch(/gọi lại/);
    const ticket = await server.desk.get(code);
    expect(ticket).toMatchObject({ mode: 'callback', callbackPhone: '0912345678', status: 'waiting' });
    // The bot keeps answering while the call back waits, and the transcript masks the number.
    expect(await citizen.say('xin chào')).not.toBe('');
    const lines = await server.db.selectFrom('transcripts').select('text').execute();
    expect(lines.some((l) => l.text.includes('0912 345 678') || l.text.includes('0912345678'))).toBe(false);
    // So does the web chat's own history, which every message of the conversation goes through.
    const history = await server.db.selectFrom('webchat_activities').select('activity').execute();
    expect(history.some((r) => /0912[\s.]?345[\s.]?678/.test(r.activity))).toBe(false);
    expect(history.some((r) => r.activity.includes('*******678'))).toBe(true);
  });

  it('rate-limits logins', async () => {
    const agent = new Agent(server);
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push(await agent.login('khong-ton-tai', 'mat-khau-sai-sai'));
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429]);
  });

  it('takes "không" for an answer', async () => {
    const citizen = await new Citizen(server).start();
    await citizen.say('gặp tổng đài viên');
    expect(await citizen.say('Không, cảm ơn')).toMatch(/gọi 1022/);
  });
});

describe('hand-off to another agent hub (HOTLINE_HANDOFF=event)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await boot({ HOTLINE_SCHEDULE: 'always', HOTLINE_HANDOFF: 'event' });
  });
  afterAll(async () => server.close());

  it('sends handoff.initiate with the transcript and opens no ticket', async () => {
    const citizen = await new Citizen(server).start();
    await citizen.say('lệ phí làm căn cước');
    const watermark = citizen.watermark;
    expect(await citizen.say('gặp tổng đài viên')).toMatch(/đang chuyển bạn tới tổng đài viên/);
    const res = await fetch(
      `${server.url}/v3/directline/conversations/${citizen.conversationId}/activities?watermark=${watermark}`,
      { headers: { authorization: `Bearer ${citizen.token}` } },
    );
    const { activities } = (await res.json()) as Json;
    const event = activities.find((a: Json) => a.type === 'event');
    expect(event.name).toBe('handoff.initiate');
    expect(event.value).toMatchObject({ reason: 'asked' });
    const transcript = event.attachments[0].content.activities.map((a: Json) => a.text);
    expect(transcript).toContain('lệ phí làm căn cước');
    expect(await server.desk.list({ status: 'open' })).toEqual([]);
  });
});
