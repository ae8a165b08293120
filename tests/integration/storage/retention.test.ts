/** Retention deletes citizens' old text on both databases and keeps what is recent. */
import { Accounts } from '../../../hotline/domain/accounts';
import { HotlineDesk } from '../../../hotline/domain/desk';
import { HotlineHours } from '../../../hotline/domain/hours';
import { clientAddress } from '../../../core/clientAddress';
import { TurnOutcomes } from '../../../storage/outcomes';
import { Records } from '../../../storage/records';
import { purgeOlderThan } from '../../../storage/retention';
import { backends } from '../../support/backends';
import type { IncomingMessage } from 'node:http';

describe.each(backends())('retention on %s', (_name, backend) => {
  afterEach(() => backend.closeAll());
  afterAll(() => backend.cleanup());

  it('deletes what is older than the setting and keeps the rest', async () => {
    const db = await backend.open(await backend.fresh('retention'));
    const records = new Records(db);
    await records.addTranscript({ conversationId: 'old', channel: 'directline', role: 'user', text: 'cũ' });
    await records.addTranscript({ conversationId: 'new', channel: 'directline', role: 'user', text: 'mới' });
    const outcomes = new TurnOutcomes(db);
    for (const conversationId of ['old', 'new'])
      await outcomes.record({ channel: 'zalo', conversationId, outcome: 'notFound', text: 'sổ hồng' });
    await outcomes.addExamples('dang-ky-tam-tru', ['khai báo ở nhờ'], 'example', null);
    await db
      .insertInto('zalo_events')
      .values({ event_key: 'e-old', received_at: new Date().toISOString() })
      .execute();
    await db
      .insertInto('bot_state')
      .values({
        key: 'directline/conversations/old',
        data: '{}',
        etag: '1',
        updated_at: new Date().toISOString(),
      })
      .execute();
    const desk = new HotlineDesk(db, HotlineHours.parse('always'));
    const lan = await new Accounts(db).add('lan', 'mat-khau-cua-lan');
    const { ticket } = await desk.open({
      reference: {},
      channel: 'directline',
      conversationId: 'old',
      language: 'vi',
      reason: 'asked',
      mode: 'callback',
      subject: 'hỏi về sổ đỏ',
      callbackPhone: '0912345678',
    });
    await desk.claim(ticket.code, lan.id);
    await desk.agentMessage(ticket.code, lan.id, 'Dạ, anh nộp ở xã ạ.');
    await desk.resolve(ticket.code, lan.id, 'Khác', 'đã gọi lại');
    // Age the 'old' conversation's records by 200 days.
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    await db
      .updateTable('transcripts')
      .set({ created_at: old })
      .where('conversation_id', '=', 'old')
      .execute();
    await db.updateTable('zalo_events').set({ received_at: old }).execute();
    await db
      .updateTable('turn_outcomes')
      .set({ created_at: old })
      .where('conversation_id', '=', 'old')
      .execute();
    await db.updateTable('kb_examples').set({ created_at: old }).execute();
    await db.updateTable('bot_state').set({ updated_at: old }).execute();
    await db.updateTable('tickets').set({ resolved_at: old }).execute();

    const deleted = await purgeOlderThan(db, 180);
    expect(deleted).toMatchObject({
      transcripts: 1,
      zaloEvents: 1,
      botState: 1,
      ticketMessages: 1,
      ticketsCleared: 1,
      turnOutcomes: 1,
    });
    const left = await db.selectFrom('turn_outcomes').select('conversation_id').execute();
    expect(left.map((r) => r.conversation_id)).toEqual(['new']);
    expect((await outcomes.examples()).map((e) => e.text)).toEqual(['khai báo ở nhờ']);
    expect((await records.transcript('new')).map((l) => l.text)).toEqual(['mới']);
    expect(await records.transcript('old')).toEqual([]);
    const kept = await desk.get(ticket.code);
    expect(kept).toMatchObject({
      status: 'resolved',
      category: 'Khác',
      subject: '',
      callbackPhone: null,
      note: null,
    });
    expect(await desk.messages(kept)).toEqual([]);
    // Running it again finds nothing more.
    expect(Object.values(await purgeOlderThan(db, 180)).every((n) => n === 0)).toBe(true);
    desk.close();
  });
});

describe('the client address', () => {
  const req = (forwarded?: string): IncomingMessage =>
    ({
      headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
      socket: { remoteAddress: '10.0.0.5' },
    }) as never;

  it('is the socket address unless the proxy is trusted, then the entry the proxy added', () => {
    expect(clientAddress(req('1.2.3.4'), false)).toBe('10.0.0.5');
    expect(clientAddress(req('6.6.6.6, 203.0.113.7'), true)).toBe('203.0.113.7');
    expect(clientAddress(req(), true)).toBe('10.0.0.5');
  });
});
