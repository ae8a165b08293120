/**
 * The supervisor's routes of the hotline console: the dashboard, the inbox
 * of unanswered questions and what a supervisor decides from it. All need a
 * supervisor's session (403 for agents); writes also the CSRF token, and
 * each decision is written to the audit log with who and when.
 *
 *   GET  /hotline/api/stats?from=&to=&channel=[&format=csv&table=days|hours|csat|handoff][&charts=1]
 *   GET  /hotline/api/unanswered?from=&to=&channel=[&format=csv]
 *   POST /hotline/api/unanswered/review   {ids, action: example|draft|outside, entry?, title?}
 *   GET  /hotline/api/top?from=&to=&channel=[&format=csv]
 *   GET  /hotline/api/kb/entries          every entry's id and title (to pick one)
 *   GET  /hotline/api/kb/examples         the examples and drafts supervisors added
 *   GET  /hotline/api/kb/drafts/{id}      a draft as a seeds/examples YAML file
 *   POST /hotline/api/kb/reload           reload the knowledge base with the added examples (422: seeds invalid)
 */
import type { Request, Response, Server } from 'restify';
import { draftExamplesYaml, draftId } from '../../knowledge/draft';
import { KnowledgeError } from '../../knowledge/loader';
import type { Database } from '../../storage/database';
import type { TurnOutcomes } from '../../storage/outcomes';
import type { Handler, RouteKit } from './kit';
import {
  insightStats,
  parsePeriod,
  PeriodError,
  STATS_TABLES,
  statsRows,
  toCsv,
  type Period,
  type StatsTable,
  type Cell,
} from '../domain/insight';
import { insightCharts } from './insightCharts';
import { groupQuestions, topQuestions, unansweredRows, type Words } from '../domain/inbox';

/** The knowledge the assistant answers from now, and how to reload it. */
export interface LiveKnowledgeView {
  words: Words;
  title(id: string): string | undefined;
  entries(): Array<{ id: string; title: string }>;
  /** Rebuild the assistant from the seeds and the examples supervisors added. */
  reload(): Promise<{ examples: number; seconds: number }>;
}

export interface InsightDeps {
  db: Database;
  outcomes: TurnOutcomes;
  /** The zone days and hours are counted in (HOTLINE_TIMEZONE). */
  timeZone: string;
  knowledge: LiveKnowledgeView;
}

const ACTIONS = ['example', 'draft', 'outside'] as const;
type Action = (typeof ACTIONS)[number];

function sendCsv(res: Response, name: string, period: Period, csv: string): void {
  res.writeHead(200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}-${period.from}-${period.to}-${period.channel}.csv"`,
    'cache-control': 'no-store',
  });
  res.end(csv);
}

/** What every supervisor route uses: the kit, a supervisor-only guard and the period asked for. */
interface InsightKit extends RouteKit {
  deps: InsightDeps;
  supervisorOnly(handler: Handler, write?: boolean): ReturnType<RouteKit['authed']>;
  period(req: Request): Period;
  csv(req: Request): boolean;
  query(req: Request): Record<string, unknown>;
  words: Words;
}

function insightKit(kit: RouteKit, deps: InsightDeps): InsightKit {
  const query = (req: Request): Record<string, unknown> => (req.query ?? {}) as Record<string, unknown>;
  /** A supervisor's route; a bad period is 400. */
  const supervisorOnly = (handler: Handler, write = false) =>
    kit.authed(async (req, res, s) => {
      if (s.agent.role !== 'supervisor')
        return kit.fail(res, 403, 'supervisors_only', 'this view is for supervisors');
      try {
        await handler(req, res, s);
      } catch (e) {
        if (e instanceof PeriodError) return kit.fail(res, 400, 'bad_period', e.message);
        throw e;
      }
    }, write);
  return {
    ...kit,
    deps,
    supervisorOnly,
    query,
    period: (req) => parsePeriod(query(req), deps.timeZone),
    csv: (req) => query(req).format === 'csv',
    words: (text) => deps.knowledge.words(text),
  };
}

function mountStats(server: Server, k: InsightKit): void {
  server.get(
    '/hotline/api/stats',
    k.supervisorOnly(async (req, res) => {
      const p = k.period(req);
      const stats = await insightStats(k.deps.db, p, k.deps.timeZone);
      if (k.csv(req)) {
        const table = String(k.query(req).table ?? 'days') as StatsTable;
        if (!STATS_TABLES.includes(table))
          return k.fail(res, 400, 'bad_table', `table: ${STATS_TABLES.join(', ')}`);
        return sendCsv(res, `stats-${table}`, p, toCsv(statsRows(stats, table)));
      }
      // The queue now and the last 24 hours, as the console's side panel has always shown them.
      const since = new Date(Date.now() - 24 * 3600_000);
      const queue = { since: since.toISOString(), ...(await k.desk.stats(since)) };
      const charts = k.query(req).charts === '1' ? { charts: insightCharts(stats) } : {};
      res.send(200, { ...queue, ...stats, ...charts });
    }),
  );
}

type Groups = Awaited<ReturnType<typeof groupQuestions>>;

function unansweredTable(found: Groups): Cell[][] {
  return [
    [
      'rank',
      'count',
      'messages',
      'notFound',
      'clarified',
      'notHelpful',
      'question',
      'examples',
      'candidates',
    ],
    ...found.map((g, i) => [
      i + 1,
      g.count,
      g.messages,
      g.outcomes.notFound,
      g.outcomes.clarified,
      g.outcomes.notHelpful,
      g.text,
      g.examples.join(' | '),
      g.candidates.map((c) => c.id).join(' '),
    ]),
  ];
}

type Weeks = Awaited<ReturnType<typeof topQuestions>>;

function topTable(weeks: Weeks): Cell[][] {
  return [
    ['week', 'entry', 'title', 'count', 'change', 'questions'],
    ...weeks.flatMap((w) =>
      w.entries.map((e) => [
        w.week,
        e.id,
        e.title,
        e.count,
        e.change,
        e.questions.map((q) => `${q.text} (${q.count})`).join(' | '),
      ]),
    ),
  ];
}

/**
 * Apply a supervisor's decision on a group of unanswered messages: add them
 * as examples of an entry, as a draft of a new entry, or mark them outside
 * the service; every decision is audited. Returns the answer's body, or an
 * error as [status, code, message].
 */
async function review(
  k: InsightKit,
  b: Record<string, unknown>,
  agentId: number,
): Promise<Record<string, unknown> | [number, string, string]> {
  const { db, outcomes, knowledge } = k.deps;
  const action = String(b.action ?? '') as Action;
  if (!ACTIONS.includes(action)) return [400, 'bad_action', `action: ${ACTIONS.join(', ')}`];
  const ids = Array.isArray(b.ids)
    ? b.ids.filter((x): x is number => Number.isInteger(x)).slice(0, 5000)
    : [];
  if (ids.length === 0) return [400, 'no_ids', 'ids: the rows of the group'];
  const rows = await db
    .selectFrom('turn_outcomes')
    .select(['id', 'text'])
    .where('id', 'in', ids)
    .where('reviewed', 'is', null)
    .execute();
  if (rows.length === 0) return [409, 'already_reviewed', 'this group was already dealt with'];
  const texts = [...new Set(rows.map((r) => r.text ?? '').filter(Boolean))].slice(0, 20);
  let entry: string | null = null;
  let added = 0;
  if (action === 'example') {
    entry = String(b.entry ?? '');
    if (!knowledge.title(entry)) return [400, 'no_entry', `no entry ${entry}`];
    added = await outcomes.addExamples(entry, texts, 'example', agentId);
  } else if (action === 'draft') {
    entry = draftId(String(b.entry ?? '') || String(b.title ?? '') || (texts[0] ?? ''));
    if (knowledge.title(entry)) return [409, 'entry_exists', `entry ${entry} already exists`];
    added = await outcomes.addExamples(entry, texts, 'draft', agentId);
  }
  const reviewed = await outcomes.review(
    rows.map((r) => r.id),
    action,
  );
  const detail = `${entry ? `${entry}: ` : ''}${reviewed} messages, ${added} new examples; "${(texts[0] ?? '').slice(0, 80)}"`;
  await k.desk.audit(agentId, `kb_${action}`, null, detail);
  return { action, entry, reviewed, added };
}

/** The inbox: unanswered questions grouped, the supervisor's decisions on them, and the top questions. */
function mountInbox(server: Server, k: InsightKit): void {
  const { db, knowledge } = k.deps;
  const title = (id: string) => knowledge.title(id);
  server.get(
    '/hotline/api/unanswered',
    k.supervisorOnly(async (req, res) => {
      const p = k.period(req);
      const found = groupQuestions(await unansweredRows(db, p), k.words, title);
      if (k.csv(req)) return sendCsv(res, 'unanswered', p, toCsv(unansweredTable(found)));
      res.send(200, { from: p.from, to: p.to, channel: p.channel, groups: found });
    }),
  );

  server.post(
    '/hotline/api/unanswered/review',
    k.supervisorOnly(async (req, res, s) => {
      const done = await review(k, k.body(req), s.agent.id);
      if (Array.isArray(done)) return k.fail(res, ...done);
      res.send(200, done);
    }, true),
  );

  server.get(
    '/hotline/api/top',
    k.supervisorOnly(async (req, res) => {
      const p = k.period(req);
      const weeks = await topQuestions(db, p, k.words, title);
      if (k.csv(req)) return sendCsv(res, 'top', p, toCsv(topTable(weeks)));
      res.send(200, { from: p.from, to: p.to, channel: p.channel, weeks });
    }),
  );
}

/** The knowledge base as supervisors improve it: entries, added examples, drafts, reload. */
function mountKnowledge(server: Server, k: InsightKit): void {
  const { outcomes, knowledge } = k.deps;
  server.get(
    '/hotline/api/kb/entries',
    k.supervisorOnly(async (_req, res) => {
      res.send(200, { entries: knowledge.entries() });
    }),
  );

  server.get(
    '/hotline/api/kb/examples',
    k.supervisorOnly(async (_req, res) => {
      res.send(200, { examples: await outcomes.examples() });
    }),
  );

  server.get(
    '/hotline/api/kb/drafts/:id',
    k.supervisorOnly(async (req, res) => {
      const id = String(req.params?.id ?? '').replace(/\.ya?ml$/, '');
      const questions = (await outcomes.examples('draft')).filter((e) => e.entryId === id).map((e) => e.text);
      if (questions.length === 0) return k.fail(res, 404, 'no_draft', `no draft ${id}`);
      res.writeHead(200, {
        'content-type': 'application/yaml; charset=utf-8',
        'content-disposition': `attachment; filename="${id}.yaml"`,
        'cache-control': 'no-store',
      });
      res.end(draftExamplesYaml(id, questions[0] ?? id, questions));
    }),
  );

  server.post(
    '/hotline/api/kb/reload',
    k.supervisorOnly(async (_req, res, s) => {
      let done: { examples: number; seconds: number };
      try {
        done = await knowledge.reload();
      } catch (e) {
        // The seeds on disk no longer load: the assistant keeps answering from what it had.
        if (!(e instanceof KnowledgeError)) throw e;
        return k.fail(res, 422, 'invalid_knowledge_base', e.message);
      }
      await k.desk.audit(s.agent.id, 'kb_reload', null, `${done.examples} supervisor examples`);
      res.send(200, done);
    }, true),
  );
}

export function mountInsight(server: Server, deps: InsightDeps, kit: RouteKit): void {
  const k = insightKit(kit, deps);
  mountStats(server, k);
  mountInbox(server, k);
  mountKnowledge(server, k);
}
