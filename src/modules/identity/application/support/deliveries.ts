import type { IdentityPorts, MailMessage } from '../ports.ts';

type Ports = Pick<IdentityPorts, 'mailer' | 'failures'>;

/**
 * Sends a mail whose loss the user can repair themselves (resend the verification, ask for a new
 * reset link), so a mail outage reports the failure instead of failing the request.
 */
export async function sendBestEffort(
  ports: Ports,
  message: MailMessage,
  context: { operation: string; userId: string },
): Promise<void> {
  try {
    await ports.mailer.send(message);
  } catch (error) {
    ports.failures.report(error, context);
  }
}
