/**
 * The HTTP server every part mounts its routes on (restify), with what all
 * routes share: HEAD served as GET, the query and body parsers with the
 * body limit, and one answer for a handler's unexpected failure.
 */
import restify, { type Server } from 'restify';
import type { Logger } from '../core/log';
import { isDatabaseUnavailable } from '../storage/database';

/**
 * A handler that fails with an unexpected error (the database went away) is
 * answered with a short body that names no server or address: 503 with
 * Retry-After when the database is unreachable, 500 otherwise. The full
 * error goes to the log.
 */
function answerFailures(server: Server, log: Logger): void {
  server.on('restifyError', (req, res, err: Error & { statusCode?: unknown }, callback: () => void) => {
    if (typeof err?.statusCode === 'number') return callback();
    const down = isDatabaseUnavailable(err);
    log.error('request failed', {
      method: req.method,
      path: req.path(),
      error: err?.message,
      database: down,
    });
    if (!res.headersSent) {
      if (down) res.header('Retry-After', '5');
      res.send(down ? 503 : 500, {
        error: down
          ? {
              code: 'ServiceUnavailable',
              message: 'The service is briefly unavailable; try again in a few seconds',
            }
          : { code: 'InternalError', message: 'Something went wrong; try again' },
      });
    }
    return callback();
  });
}

export function createHttpServer(maxBodyBytes: number, log: Logger): Server {
  const server = restify.createServer({ name: 'tro-ly-ao-dich-vu-cong' });
  // HEAD wherever GET is served (probes, monitors and link checkers use it): routed as GET.
  // Node sends no body for a request that arrived as HEAD, whatever the handler writes.
  server.pre((req, _res, next) => {
    if (req.method === 'HEAD') req.method = 'GET';
    next();
  });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: maxBodyBytes, mapParams: false }));
  answerFailures(server, log);
  return server;
}
