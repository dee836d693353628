import { describe, expect, it } from 'vitest';
import { createLogger, lazyChild } from '../../../src/shared/infra/logger.ts';
import { captureLogs } from '../../support/test-app.ts';

describe('logger', () => {
  it('redacts secrets wherever they appear', () => {
    const { capture, stream } = captureLogs();
    const logger = createLogger({ level: 'info', destination: stream });
    logger.info(
      {
        headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1' },
        body: { password: 'hunter22', new_password: 'x', refresh_token: 'r1' },
        req: { headers: { authorization: 'Bearer nested' } },
        token: 'top-level-token',
      },
      'something happened',
    );
    logger.flush();
    const line = capture.lines.join('\n');
    for (const secret of [
      'abc.def.ghi',
      'sid=1',
      'hunter22',
      'r1',
      'Bearer nested',
      'top-level-token',
    ]) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[REDACTED]');
    expect(capture.records()[0]).toMatchObject({ level: 'info', msg: 'something happened' });
  });

  it('gives a lazily made child its bindings and the parent redaction, and drops disabled levels', () => {
    const { capture, stream } = captureLogs();
    const parent = createLogger({ level: 'warn', destination: stream });
    const logger = lazyChild(parent, { request_id: 'req-1' });
    logger.info({ note: 'below the level' }, 'dropped');
    logger.warn({ body: { password: 'hunter22' } }, 'kept');
    expect(logger.isLevelEnabled('info')).toBe(false);
    logger.child({ user_id: 'u-1' }).error('from a grandchild');
    logger.flush();
    const records = capture.records();
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ level: 'warn', msg: 'kept', request_id: 'req-1' });
    expect(JSON.stringify(records[0])).not.toContain('hunter22');
    expect(records[1]).toMatchObject({ request_id: 'req-1', user_id: 'u-1', level: 'error' });
  });
});
