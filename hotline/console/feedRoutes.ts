/**
 * What happened and what is happening at the desk:
 *
 *   GET /hotline/api/audit    supervisors: who claimed, answered, resolved
 *   GET /hotline/api/events   Server-Sent Events of ticket changes the caller may see
 */
import type { Response, Server } from 'restify';
import type { Session } from '../domain/accounts';
import type { DeskEvent, HotlineDesk } from '../domain/desk';
import { isSupervisor, type RouteKit } from './kit';

/** Open event streams, closed together when the server stops. */
export interface FeedStreams {
  close(): void;
}

/** Whether an agent sees this change: supervisors all; agents the queue and their own tickets. */
function visibleTo(s: Session, e: DeskEvent): boolean {
  return (
    isSupervisor(s) ||
    e.type === 'opened' ||
    e.status === 'waiting' ||
    e.agentId === s.agent.id ||
    e.fromAgentId === s.agent.id
  );
}

function openEventStream(res: Response): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: 3000\n\n`);
}

function mountAudit(server: Server, kit: RouteKit, desk: HotlineDesk): void {
  server.get(
    '/hotline/api/audit',
    kit.authed(async (_req, res, s) => {
      if (!isSupervisor(s)) return kit.fail(res, 403, 'supervisors_only', 'the audit log is for supervisors');
      const rows = await desk.db
        .selectFrom('hotline_audit')
        .leftJoin('hotline_agents', 'hotline_agents.id', 'hotline_audit.agent_id')
        .select([
          'hotline_audit.id',
          'action',
          'ticket_code',
          'detail',
          'hotline_audit.created_at',
          'username',
        ])
        .orderBy('hotline_audit.id', 'desc')
        .limit(500)
        .execute();
      res.send(200, { audit: rows });
    }),
  );
}

export function mountFeedRoutes(server: Server, kit: RouteKit, desk: HotlineDesk): FeedStreams {
  const streams = new Set<{ close(): void }>();
  mountAudit(server, kit, desk);
  server.get(
    '/hotline/api/events',
    kit.authed(async (req, res, s) => {
      openEventStream(res);
      const off = desk.onEvent((e) => {
        if (visibleTo(s, e)) res.write(`event: ticket\ndata: ${JSON.stringify(e)}\n\n`);
      });
      const ping = setInterval(() => res.write(`: ping\n\n`), 20_000);
      const stop = (): void => {
        off();
        clearInterval(ping);
      };
      const stream = {
        close: () => {
          stop();
          res.end();
        },
      };
      streams.add(stream);
      req.on('close', () => {
        stop();
        streams.delete(stream);
      });
    }),
  );
  return {
    close: () => {
      for (const s of streams) s.close();
      streams.clear();
    },
  };
}
