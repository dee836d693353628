import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/infra/logger.ts';
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
});
