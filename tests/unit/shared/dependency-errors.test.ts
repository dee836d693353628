import { ConnectionException, DriverException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { unavailableDependency } from '../../../src/shared/infra/dependency-errors.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('which errors mean the database is unavailable', () => {
  it.each([
    ['a client abort of its own request (ECONNRESET "aborted")', withCode('aborted', 'ECONNRESET')],
    [
      'a premature close of the request stream',
      withCode('Premature close', 'ERR_STREAM_PREMATURE_CLOSE'),
    ],
    ['a socket error of some other client (EPIPE)', withCode('write EPIPE', 'EPIPE')],
    [
      'an upload wrapping a client abort',
      new Error('upload failed', { cause: withCode('aborted', 'ECONNRESET') }),
    ],
  ])('not %s', (_name, error) => {
    expect(unavailableDependency(error)).toBeUndefined();
  });

  it.each([
    [
      'a driver error with a socket code',
      new DriverException(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')),
    ],
    [
      'a connection exception',
      new ConnectionException(withCode('Connection terminated unexpectedly', 'ECONNRESET')),
    ],
    [
      'a server shutdown (57P01)',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    ['the pool timing out', new Error('timeout exceeded when trying to connect')],
    [
      'a wrapped driver error',
      new Error('query failed', {
        cause: new DriverException(withCode('read ECONNRESET', 'ECONNRESET')),
      }),
    ],
  ])('%s', (_name, error) => {
    expect(unavailableDependency(error)).toBe('database');
  });
});
