/** The ticket life cycle on both real databases (SQLite, PostgreSQL). */
import { Accounts } from '../../../hotline/domain/accounts';
import { HotlineDesk, TicketError, type OpenInput } from '../../../hotline/domain/desk';
import { HotlineHours } from '../../../hotline/domain/hours';
import type { Database } from '../../../storage/database';
import { backends } from '../../support/backends';

const input = (conversationId: string, extra: Partial<OpenInput> = {}): OpenInput => ({
  reference: { conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' } },
  channel: 'directline',
  conversationId,
  language: 'vi',
  reason: 'asked',
  mode: 'live',
  subject: 'làm căn cước cho con',
  ...extra,
});

describe.each(backends())('hotline desk on %s', (_name, backend) => {
  let db: Database;
  let desk: HotlineDesk;
  let lan: number;
  let minh: number;

  beforeEach(async () => {
    db = await backend.open(await backend.fresh('desk'));
    desk = new HotlineDesk(db, HotlineHours.parse('always'));
    const accounts = new Accounts(db);
    lan = (await accounts.add('lan', 'mat-khau-dai-1', 'agent', 'Lan')).id;
    minh = (await accounts.add('minh', 'mat-khau-dai-2', 'agent', 'Minh')).id;
  });
  afterEach(async () => {
    desk.close();
    await backend.closeAll();
  });
  afterAll(() => backend.cleanup());

  it('numbers tickets per local day and tells each citizen their place in the queue', async () => {
    const a = await desk.open(input('c1'));
    const b = await desk.open(input('c2'));
    const day = desk.hours.day();
    expect(a.ticket.code).toBe(`1022-${day}-0001`);
    expect(b.ticket.code).toBe(`1022-${day}-0002`);
    expect([a.position, b.position]).toEqual([1, 2]);
    // Asking again from the same conversation gives the same ticket, not a second one.
    expect((await desk.open(input('c1'))).ticket.code).toBe(a.ticket.code);
    await desk.claim(a.ticket.code, lan);
    expect(await desk.position(await desk.get(b.ticket.code))).toBe(1);
  });

  it('puts emergencies and self-harm at the top of the queue, and flags a waiting ticket urgent', async () => {
    const a = await desk.open(input('c1'));
    const b = await desk.open(input('c2'));
    const urgent = await desk.open(input('c3', { reason: 'emergency', subject: 'mẹ tôi khó thở' }));
    expect(urgent.position).toBe(1);
    expect((await desk.list({ status: 'open' })).map((t) => t.code)).toEqual([
      urgent.ticket.code,
      a.ticket.code,
      b.ticket.code,
    ]);
    expect(await desk.position(await desk.get(a.ticket.code))).toBe(2);
    await desk.markUrgent(b.ticket, 'self_harm');
    // Urgent ones first, the longest waiting of them first.
    expect((await desk.list({ status: 'open' })).map((t) => t.code)).toEqual([
      b.ticket.code,
      urgent.ticket.code,
      a.ticket.code,
    ]);
    expect((await desk.get(b.ticket.code)).reason).toBe('self_harm');
  });

  it('lets one agent win a claim; only the holder answers, transfers or resolves', async () => {
    const { ticket } = await desk.open(input('c1'));
    const results = await Promise.allSettled([desk.claim(ticket.code, lan), desk.claim(ticket.code, minh)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const holder = (await desk.get(ticket.code)).agentId as number;
    const other = holder === lan ? minh : lan;
    await expect(desk.agentMessage(ticket.code, other, 'xin chào')).rejects.toMatchObject({ status: 403 });
    await desk.agentMessage(ticket.code, holder, 'Chào anh, tôi có thể giúp gì?');
    await desk.transfer(ticket.code, holder, other);
    await expect(desk.agentMessage(ticket.code, holder, 'còn tôi?')).rejects.toBeInstanceOf(TicketError);
    const done = await desk.resolve(ticket.code, other, 'Hướng dẫn thủ tục hành chính', 'đã hướng dẫn');
    expect(done.status).toBe('resolved');
    await expect(desk.claim(ticket.code, lan)).rejects.toMatchObject({ status: 409 });
    const actions = await db.selectFrom('hotline_audit').select(['action']).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['claim', 'answer', 'transfer', 'resolve']);
  });

  it("answers 409 to every claim but the first, the holder's own double click included", async () => {
    const { ticket } = await desk.open(input('c1'));
    const results = await Promise.allSettled([desk.claim(ticket.code, lan), desk.claim(ticket.code, lan)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    await expect(desk.claim(ticket.code, lan)).rejects.toMatchObject({ status: 409 });
    const claims = await db
      .selectFrom('hotline_audit')
      .select('action')
      .where('action', '=', 'claim')
      .execute();
    expect(claims).toHaveLength(1);
  });

  it("reads a conversation's standing in one look-up: the ticket taking its messages and the one awaiting a rating", async () => {
    expect(await desk.standing('c1')).toEqual({});
    const first = (await desk.open(input('c1'))).ticket;
    await desk.claim(first.code, lan);
    await desk.resolve(first.code, lan, 'Khác', '');
    expect(await desk.standing('c1')).toEqual({
      awaitingRating: expect.objectContaining({ code: first.code }),
    });
    const second = (await desk.open(input('c1'))).ticket;
    const both = await desk.standing('c1');
    expect(both.active?.code).toBe(second.code);
    expect(both.awaitingRating?.code).toBe(first.code);
    const callback = await desk.open(input('c2', { mode: 'callback', callbackPhone: '0912345678' }));
    expect(callback.ticket.status).toBe('waiting');
    expect(await desk.standing('c2')).toEqual({}); // a call-back takes no chat messages
    await desk.rate(both.awaitingRating!, 5);
    expect(await desk.standing('c1')).toEqual({ active: expect.objectContaining({ code: second.code }) });
  });

  it('relays while open, then waits for one rating after the resolve', async () => {
    const { ticket } = await desk.open(input('c1'));
    expect((await desk.activeFor('c1'))?.code).toBe(ticket.code);
    await desk.citizenMessage(ticket, 'số tôi là 0912345678');
    const [m] = await desk.messages(ticket);
    expect(m?.text).toBe('số tôi là *******678'); // masked before it is stored
    await desk.claim(ticket.code, lan);
    await desk.resolve(ticket.code, lan, 'Khác', '');
    expect(await desk.activeFor('c1')).toBeUndefined();
    const pending = await desk.awaitingRating('c1');
    expect(pending?.code).toBe(ticket.code);
    await desk.rate(pending!, 4);
    expect(await desk.awaitingRating('c1')).toBeUndefined();
    expect((await desk.get(ticket.code)).rating).toBe(4);
    const stats = await desk.stats(new Date(Date.now() - 3600_000));
    expect(stats.today).toMatchObject({ opened: 1, resolved: 1 });
    expect(stats.ratings).toEqual({ average: 4, count: 1 });
    expect(stats.perAgent).toEqual([{ agentId: lan, name: 'Lan', handled: 1, rating: 4 }]);
  });

  it('does not relay a call-back ticket until an agent claims it; the citizen may cancel', async () => {
    const { ticket } = await desk.open(input('c9', { mode: 'callback', callbackPhone: '0912345678' }));
    expect(await desk.activeFor('c9')).toBeUndefined();
    await desk.claim(ticket.code, minh);
    expect((await desk.activeFor('c9'))?.code).toBe(ticket.code);
    await desk.cancel(ticket);
    expect((await desk.get(ticket.code)).status).toBe('cancelled');
    expect(await desk.list({ status: 'open' })).toEqual([]);
  });

  it('finds resolved tickets by code, subject or note', async () => {
    const { ticket } = await desk.open(input('c1', { subject: 'hỏi về sổ đỏ' }));
    await desk.claim(ticket.code, lan);
    await desk.resolve(ticket.code, lan, 'Khác', 'đã gửi hướng dẫn đất đai');
    expect((await desk.list({ status: 'resolved', q: 'sổ đỏ' })).map((t) => t.code)).toEqual([ticket.code]);
    expect((await desk.list({ status: 'resolved', q: 'đất đai' })).map((t) => t.code)).toEqual([ticket.code]);
    expect(await desk.list({ status: 'resolved', q: '100%' })).toEqual([]);
  });
});
