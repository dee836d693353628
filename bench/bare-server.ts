import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { defaultListQuery, listStatements, numbered } from './list-sql.ts';

/**
 * The baseline the service is compared with: a bare `node:http` server that answers `/health`
 * with the same JSON and `GET /api/v1/tasks` with the same two statements on a plain `pg` pool,
 * after an HS256 check of the bearer token. No framework, no validation, no logging: the least
 * work that gives the same answer. Started by the load bench as its own process.
 */

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'database-url': { type: 'string' },
    'jwt-secret': { type: 'string', default: '' },
    version: { type: 'string', default: '0.0.0' },
  },
});

const key = Buffer.from(values['jwt-secret'], 'utf8');
const pool = values['database-url']
  ? new pg.Pool({ connectionString: values['database-url'], max: 10 })
  : undefined;
pool?.on('error', () => undefined);

function subjectOf(authorization: string | undefined): string | undefined {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    sub?: string;
    exp?: number;
  };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
  return claims.sub;
}

const server = createServer((req, res) => {
  const send = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
  if (req.url === '/health') {
    send(200, { status: 'ok', version: values.version, time: new Date().toISOString() });
    return;
  }
  if (req.url?.startsWith('/api/v1/tasks') && pool) {
    const userId = subjectOf(req.headers.authorization);
    if (!userId) return send(401, { status: 401 });
    const sql = listStatements(defaultListQuery(userId));
    Promise.all([pool.query(numbered(sql.page)), pool.query(numbered(sql.count))]).then(
      ([page, count]) =>
        send(200, {
          items: page.rows.slice(0, 20),
          total: (count.rows[0] as { total: number }).total,
          page: 1,
          limit: 20,
        }),
      () => send(500, { status: 500 }),
    );
    return;
  }
  send(404, { status: 404 });
});
server.keepAliveTimeout = 5_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' ? address?.port : address}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  void pool?.end();
  process.exit(0);
});
