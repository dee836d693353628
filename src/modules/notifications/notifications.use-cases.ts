import { FireReminder } from './application/fire-reminder.ts';
import { IssueWsTicket } from './application/issue-ws-ticket.ts';
import { ListNotifications } from './application/list-notifications.ts';
import { MarkAllNotificationsRead } from './application/mark-all-notifications-read.ts';
import { MarkNotificationRead } from './application/mark-notification-read.ts';
import type { NotificationsPorts } from './application/ports.ts';
import { OpenLiveFeed } from './application/open-live-feed.ts';
import { ReadLiveFeed } from './application/read-live-feed.ts';
import { ReconcileReminders } from './application/reconcile-reminders.ts';
import { RelayOutbox } from './application/relay-outbox.ts';
import { StoreAlert } from './application/store-alert.ts';

export type NotificationsUseCases = ReturnType<typeof createUseCases>;

export function createUseCases(ports: NotificationsPorts) {
  return {
    listNotifications: new ListNotifications(ports),
    markNotificationRead: new MarkNotificationRead(ports),
    markAllNotificationsRead: new MarkAllNotificationsRead(ports),
    relayOutbox: new RelayOutbox(ports),
    issueWsTicket: new IssueWsTicket(ports),
    openLiveFeed: new OpenLiveFeed(ports),
    readLiveFeed: new ReadLiveFeed(ports),
    fireReminder: new FireReminder(ports),
    reconcileReminders: new ReconcileReminders(ports),
    storeAlert: new StoreAlert(ports),
  };
}
