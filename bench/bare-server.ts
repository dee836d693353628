import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SLIDING_WINDOW_SCRIPT } from '../src/shared/infra/redis-rate-limiter.ts';
import { defaultListQuery, listStatements, numbered } from './list-sql.ts';

/**
 * The baseline the service is compared with: a bare `node:http` server that answers `/health`
 * with the same JSON, `GET /api/v1/tasks` with the same two statements on a plain `pg` pool, and
 * `GET /api/v1/users/me` with the same round trips as the service (one to Redis for the session
 * status and the rate-limit script, then the user and storage reads in parallel), each after an
 * HS256 check of the bearer token. Statements are named, so each connection plans them once, as
 * the service's are. No framework, no validation, no logging: the least work that gives the same
 * answer. Started by the load bench as its own process.
 */

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'database-url': { type: 'string' },
    'jwt-secret': { type: 'string', default: '' },
    'redis-url': { type: 'string' },
    version: { type: 'string', default: '0.0.0' },
  },
});

const key = Buffer.from(values['jwt-secret'], 'utf8');
const pool = values['database-url']
  ? new pg.Pool({ connectionString: values['database-url'], max: 10 })
  : undefined;
pool?.on('error', () => undefined);
const redis = values['redis-url']
  ? new Redis(values['redis-url'], { enableAutoPipelining: true, lazyConnect: false })
  : undefined;
redis?.on('error', () => undefined);

const USER_SQL =
  'select id, email, full_name, password_hash, role, email_verified, is_active, failed_login_count, locked_until, created_at, updated_at from users where id = $1';
const STORAGE_SQL =
  'select cast(coalesce(sum(size_bytes), 0) as text) as used from attachments where uploaded_by = $1';

/** The service's per-request Redis work: session status and the per-user sliding window. */
redis?.defineCommand('rateLimitSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
type Limited = Redis & {
  rateLimitSlidingWindow(...args: Array<string | number>): Promise<[number, number, string]>;
};
const SESSION_SQL =
  'select id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent, ip from sessions where id = $1';

/**
 * The service's per-request Redis work: session status and the per-user sliding window in one
 * round trip; on a status miss (once a minute per session) the session and user reads and the
 * write-back, as the service's session-status cache does.
 */
async function sessionAndLimit(userId: string, sessionId: string): Promise<boolean> {
  const now = Date.now();
  const key = `session-status:${sessionId}`;
  const [status, [allowed]] = await Promise.all([
    redis!.get(key),
    (redis as Limited).rateLimitSlidingWindow(
      `rl:user:${userId}`,
      now,
      60_000,
      1_000_000,
      `${now}-${Math.random()}`,
    ),
  ]);
  if (allowed !== 1 || status === '0') return false;
  if (status === '1') return true;
  const session = await pool!.query({
    name: 'session-by-id',
    text: SESSION_SQL,
    values: [sessionId],
  });
  const row = session.rows[0] as
    { user_id: string; revoked_at: Date | null; expires_at: Date } | undefined;
  let live =
    row !== undefined &&
    row.user_id === userId &&
    row.revoked_at === null &&
    row.expires_at.getTime() > now;
  if (live) {
    const user = await pool!.query({ name: 'user-by-id', text: USER_SQL, values: [userId] });
    live = (user.rows[0] as { is_active: boolean } | undefined)?.is_active === true;
  }
  // NX on "live", as the service writes it: a revocation written meanwhile is not overwritten.
  if (live) await redis!.set(key, '1', 'EX', 60, 'NX');
  else await redis!.set(key, '0', 'EX', 3600);
  return live;
}

function claimsOf(authorization: string | undefined): { sub: string; sid?: string } | undefined {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    sub?: string;
    sid?: string;
    exp?: number;
  };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return undefined;
  if (typeof claims.sub !== 'string') return undefined;
  return { sub: claims.sub, sid: claims.sid };
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
    const userId = claimsOf(req.headers.authorization)?.sub;
    if (!userId) return send(401, { status: 401 });
    const sql = listStatements(defaultListQuery(userId));
    Promise.all([
      pool.query({ name: 'list-page', ...numbered(sql.page) }),
      pool.query({ name: 'list-count', ...numbered(sql.count) }),
    ]).then(
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
  if (req.url === '/api/v1/users/me' && pool && redis) {
    const claims = claimsOf(req.headers.authorization);
    if (!claims?.sid) return send(401, { status: 401 });
    const { sub, sid } = claims;
    sessionAndLimit(sub, sid)
      .then(async (allowed) => {
        if (!allowed) return send(401, { status: 401 });
        const [user, storage] = await Promise.all([
          pool.query({ name: 'user-by-id', text: USER_SQL, values: [sub] }),
          pool.query({ name: 'storage-used', text: STORAGE_SQL, values: [sub] }),
        ]);
        const row = user.rows[0] as Record<string, unknown> | undefined;
        if (!row) return send(404, { status: 404 });
        send(200, {
          id: row.id,
          email: row.email,
          full_name: row.full_name,
          role: row.role,
          email_verified: row.email_verified,
          created_at: row.created_at,
          storage: { used_bytes: Number((storage.rows[0] as { used: string }).used) },
        });
      })
      .catch(() => send(500, { status: 500 }));
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
  redis?.disconnect();
  process.exit(0);
});
