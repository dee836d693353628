import { describe, expect, it } from 'vitest';
import { CryptoSecretTokens } from '../../../src/modules/identity/adapters/security/crypto-secret-tokens.ts';

const tokens = new CryptoSecretTokens();

describe('CryptoSecretTokens', () => {
  it('generates URL-safe tokens of 256 bits', () => {
    const token = tokens.generate();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('never repeats a token', () => {
    const generated = new Set(Array.from({ length: 1000 }, () => tokens.generate()));
    expect(generated.size).toBe(1000);
  });

  it('hashes a token to the same SHA-256 hex every time, and different tokens differently', () => {
    const token = tokens.generate();
    expect(tokens.hash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.hash(token)).toBe(tokens.hash(token));
    expect(tokens.hash(token)).not.toBe(tokens.hash(tokens.generate()));
    expect(tokens.hash('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});
