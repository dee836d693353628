import { describe, expect, it } from 'vitest';
import {
  eventsProblem,
  MAX_URL_LENGTH,
  PREVIOUS_SECRET_VALIDITY_MS,
  rotateSecret,
  signingSecrets,
  subscribes,
  urlProblem,
  type Webhook,
} from '../../../src/modules/webhooks/domain/webhook.ts';

const NOW = new Date('2026-12-06T10:00:00Z');

const aWebhook = (overrides: Partial<Webhook> = {}): Webhook => ({
  id: 'w-1',
  userId: 'u-1',
  url: 'https://hooks.example.com/in',
  events: ['task.assigned'],
  projectId: null,
  active: true,
  disabledReason: null,
  secret: 'whsec_one',
  previousSecret: null,
  previousSecretExpiresAt: null,
  consecutiveFailures: 0,
  createdAt: NOW,
  updatedAt: NOW,
  ...overrides,
});

describe('webhook URLs', () => {
  it('accepts absolute https URLs, and http only when private addresses are allowed', () => {
    expect(urlProblem('https://hooks.example.com/in?x=1', { allowPrivate: false })).toBeUndefined();
    expect(urlProblem('http://hooks.example.com/in', { allowPrivate: false })).toBe(
      'must use https',
    );
    expect(urlProblem('http://127.0.0.1:8080/in', { allowPrivate: true })).toBeUndefined();
  });

  it('refuses other schemes, credentials, fragments, control characters and long URLs', () => {
    const rules = { allowPrivate: true };
    expect(urlProblem('ftp://example.com/x', rules)).toBe('must use https or http');
    expect(urlProblem('example.com/x', rules)).toBe('must be an absolute URL');
    expect(urlProblem('https://me:pw@example.com/x', rules)).toBe('must not contain credentials');
    expect(urlProblem('https://example.com/x#frag', rules)).toBe('must not contain a fragment');
    expect(urlProblem('https://example.com/\u0007', rules)).toBe(
      'must not contain control characters',
    );
    const long = `https://example.com/${'a'.repeat(MAX_URL_LENGTH)}`;
    expect(urlProblem(long, rules)).toBe(`must be at most ${MAX_URL_LENGTH} characters`);
    expect(urlProblem(long.slice(0, MAX_URL_LENGTH), rules)).toBeUndefined();
  });
});

describe('webhook events', () => {
  it('takes a non-empty list of distinct types, or "*" alone', () => {
    expect(eventsProblem(['task.assigned', 'task.due_soon'])).toBeUndefined();
    expect(eventsProblem(['*'])).toBeUndefined();
    expect(eventsProblem([])).toBe('must name at least one event type, or "*"');
    expect(eventsProblem(['task.assigned', 'task.assigned'])).toBe('must not repeat an event type');
    expect(eventsProblem(['*', 'task.assigned'])).toBe('"*" must be the only entry');
  });

  it('delivers what the list names, everything for "*", and a ping always', () => {
    expect(subscribes(aWebhook(), 'task.assigned')).toBe(true);
    expect(subscribes(aWebhook(), 'task.commented')).toBe(false);
    expect(subscribes(aWebhook({ events: ['*'] }), 'task.commented')).toBe(true);
    expect(subscribes(aWebhook(), 'webhook.ping')).toBe(true);
  });
});

describe('webhook secrets', () => {
  it('keeps the rotated-out secret signing for a day, then only the new one', () => {
    const rotated = rotateSecret(aWebhook(), 'whsec_two', NOW);
    expect(rotated).toMatchObject({
      secret: 'whsec_two',
      previousSecret: 'whsec_one',
      previousSecretExpiresAt: new Date(NOW.getTime() + PREVIOUS_SECRET_VALIDITY_MS),
      updatedAt: NOW,
    });
    expect(signingSecrets(rotated, NOW)).toEqual(['whsec_two', 'whsec_one']);
    const later = new Date(NOW.getTime() + PREVIOUS_SECRET_VALIDITY_MS);
    expect(signingSecrets(rotated, later)).toEqual(['whsec_two']);
  });

  it('drops an older secret when rotating twice within the day', () => {
    const twice = rotateSecret(rotateSecret(aWebhook(), 'whsec_two', NOW), 'whsec_three', NOW);
    expect(signingSecrets(twice, NOW)).toEqual(['whsec_three', 'whsec_two']);
  });
});
