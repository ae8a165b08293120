/**
 * The supervisor's routes over HTTP: what the bot records for each message
 * of a real conversation, supervisors only (agents 403, writes need the CSRF
 * token), the CSV exports, a group marked "needs a new entry" exported as a
 * YAML file the knowledge loader (kb:check) accepts, and "outside the
 * service"; every decision in the audit log.
 */
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledgeBase } from '../../../knowledge/loader';
import type { RunningServer } from '../../../app/server';
import { newSession, say, startConversation } from '../../support/directline';
import { hotlineLogin, type AgentHeaders } from '../../support/hotline';
import { startTestServer } from '../../support/server';
import { waitFor } from '../../support/wait';
import { FIXTURE_SEEDS } from '../../helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON, checked by the assertions
type Json = any;

let server: RunningServer;
let supervisor: AgentHeaders;
let agent: AgentHeaders;

const get = async (path: string, headers: AgentHeaders = supervisor) => {
  const res = await fetch(`${server.url}/hotline/api${path}`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};
const post = async (path: string, body: unknown, headers: AgentHeaders = supervisor) => {
  const res = await fetch(`${server.url}/hotline/api${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
};

beforeAll(async () => {
  server = await startTestServer({
    HOTLINE_SCHEDULE: 'always',
    HOTLINE_ADMIN_USER: 'giamsat',
    HOTLINE_ADMIN_PASSWORD: 'mat-khau-giam-sat',
    WEBCHAT_TOKENS_PER_MINUTE: '100',
  });
  await server.accounts.add('lan', 'mat-khau-cua-lan', 'agent', 'Lan');
  supervisor = await hotlineLogin(server.url, 'giamsat', 'mat-khau-giam-sat');
  agent = await hotlineLogin(server.url, 'lan', 'mat-khau-cua-lan');
});

afterAll(async () => server?.close());

it('records each message, serves supervisors only, and turns inbox groups into drafts or closes them', async () => {
  const s = await newSession(server.url);
  await startConversation(server.url, s);
  for (const text of ['đổi bằng lái xe máy hết hạn ở đâu', 'xin chào']) await say(server.url, s, text);
  await waitFor(async () => {
    await server.bot.settle();
    return (await server.db.selectFrom('turn_outcomes').selectAll().execute()).length === 2;
  }, 'two outcome rows');
  const rows = await server.db.selectFrom('turn_outcomes').selectAll().orderBy('id').execute();
  expect(rows.map((r) => [r.channel, r.conversation_id, r.outcome])).toEqual([
    ['directline', s.conversationId, 'notFound'],
    ['directline', s.conversationId, 'other'],
  ]);
  expect(rows[1]?.text).toBeNull(); // small talk is counted, not kept

  for (const path of ['/stats', '/unanswered', '/top', '/kb/entries', '/kb/examples'])
    expect((await get(path, agent)).status).toBe(403);
  expect((await post('/kb/reload', {}, agent)).status).toBe(403);
  expect((await post('/kb/reload', {}, { ...supervisor, 'x-csrf-token': 'wrong' })).status).toBe(403);
  expect((await get('/stats?from=2026-13-01')).status).toBe(400);
  expect((await get('/stats?format=csv&table=nope')).status).toBe(400);

  const stats = JSON.parse((await get('/stats')).text) as Json;
  expect(stats.totals).toMatchObject({ conversations: 1, messages: 2, notFound: 1, other: 1 });
  expect(stats.open).toBeDefined(); // the queue panel's figures are still there
  const hours = await get('/stats?format=csv&table=hours');
  expect(hours.type).toMatch(/text\/csv/);
  expect(hours.text.split('\r\n')).toHaveLength(26);

  const inbox = JSON.parse((await get('/unanswered')).text) as Json;
  expect(inbox.groups).toHaveLength(1);
  const group = inbox.groups[0];
  expect(group).toMatchObject({ count: 1, text: 'đổi bằng lái xe máy hết hạn ở đâu' });
  const csv = await get('/unanswered?format=csv');
  expect(csv.text.split('\r\n')[1]).toMatch(/^1,1,1,1,0,0,đổi bằng lái xe máy hết hạn ở đâu,/);

  expect(
    (await post('/unanswered/review', { ids: group.ids, action: 'example', entry: 'nope' })).status,
  ).toBe(400);
  const draft = await post('/unanswered/review', {
    ids: group.ids,
    action: 'draft',
    title: 'Đổi giấy phép lái xe',
  });
  expect(draft).toMatchObject({
    status: 200,
    json: { entry: 'doi-giay-phep-lai-xe', reviewed: 1, added: 1 },
  });
  expect((await post('/unanswered/review', { ids: group.ids, action: 'outside' })).status).toBe(409);
  expect(JSON.parse((await get('/unanswered')).text).groups).toEqual([]);

  // The draft is a seeds/examples file the knowledge loader (kb:check) accepts.
  const yaml = await get('/kb/drafts/doi-giay-phep-lai-xe');
  expect(yaml.type).toMatch(/yaml/);
  const seeds = mkdtempSync(join(tmpdir(), 'draft-seeds-'));
  for (const f of ['coverage.yaml', 'intents.yaml', 'synonyms.yaml', 'procedures', 'services', 'lessons'])
    symlinkSync(join(FIXTURE_SEEDS, f), join(seeds, f));
  mkdirSync(join(seeds, 'examples'));
  writeFileSync(join(seeds, 'examples', 'doi-giay-phep-lai-xe.yaml'), yaml.text);
  const kb = loadKnowledgeBase(seeds);
  expect(kb.notHeld).toEqual(['doi-giay-phep-lai-xe']);
  expect(kb.examples.map((e) => e.text)).toEqual(['đổi bằng lái xe máy hết hạn ở đâu']);

  const audit = (await (
    await fetch(`${server.url}/hotline/api/audit`, { headers: supervisor })
  ).json()) as Json;
  const kbActions = audit.audit.filter((a: Json) => a.action.startsWith('kb_'));
  expect(kbActions).toEqual([expect.objectContaining({ action: 'kb_draft', username: 'giamsat' })]);
  expect(kbActions[0].detail).toContain('doi-giay-phep-lai-xe');
});
