import { createHash, randomBytes } from 'node:crypto';
import type { SecretTokens } from '../../application/ports.ts';

/** 256 bits: unguessable, so a fast unsalted hash is enough to keep stored copies useless. */
const TOKEN_BYTES = 32;

export class CryptoSecretTokens implements SecretTokens {
  generate(): string {
    return randomBytes(TOKEN_BYTES).toString('base64url');
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
