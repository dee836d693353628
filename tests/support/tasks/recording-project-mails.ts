import type { InvitationMail, ProjectMails } from '../../../src/modules/tasks/application/ports.ts';

export class RecordingProjectMails implements ProjectMails {
  readonly invitations: InvitationMail[] = [];

  invitation(mail: InvitationMail): Promise<void> {
    this.invitations.push({ ...mail });
    return Promise.resolve();
  }
}
