import { AdminListProjects } from './application/admin-list-projects.ts';
import { ArchiveProject } from './application/archive-project.ts';
import { ChangeMemberRole } from './application/change-member-role.ts';
import { CreateProject } from './application/create-project.ts';
import { DeleteProject } from './application/delete-project.ts';
import { GetProject } from './application/get-project.ts';
import { ListMembers } from './application/list-members.ts';
import { ListProjects } from './application/list-projects.ts';
import { RemoveMember } from './application/remove-member.ts';
import { TransferProject } from './application/transfer-project.ts';
import { UpdateProject } from './application/update-project.ts';
import { AcceptInvitation } from './application/accept-invitation.ts';
import { AddComment } from './application/add-comment.ts';
import { AddTaskCategory } from './application/add-task-category.ts';
import { AssignTask } from './application/assign-task.ts';
import { CreateCategory } from './application/create-category.ts';
import { CreateInbox } from './application/create-inbox.ts';
import { CreateInvitation } from './application/create-invitation.ts';
import { DeclineInvitation } from './application/decline-invitation.ts';
import { CreateTask } from './application/create-task.ts';
import { DeleteAttachment } from './application/delete-attachment.ts';
import { DeleteCategory } from './application/delete-category.ts';
import { DeleteComment } from './application/delete-comment.ts';
import { DeleteTask } from './application/delete-task.ts';
import { DownloadAttachment } from './application/download-attachment.ts';
import { GetStorageUsage } from './application/get-storage-usage.ts';
import { GetTask } from './application/get-task.ts';
import { ListAttachments } from './application/list-attachments.ts';
import { ListCategories } from './application/list-categories.ts';
import { ListComments } from './application/list-comments.ts';
import { ListMyInvitations } from './application/list-my-invitations.ts';
import { ListProjectInvitations } from './application/list-project-invitations.ts';
import { ListTasks } from './application/list-tasks.ts';
import type { TasksPorts } from './application/ports.ts';
import { RemoveTaskCategory } from './application/remove-task-category.ts';
import { RevokeInvitation } from './application/revoke-invitation.ts';
import { UnassignTask } from './application/unassign-task.ts';
import { UpdateCategory } from './application/update-category.ts';
import { UpdateComment } from './application/update-comment.ts';
import { UpdateTask } from './application/update-task.ts';
import { UploadAttachment } from './application/upload-attachment.ts';
import { WhoCanSeeTask } from './application/who-can-see-task.ts';

export type TasksUseCases = ReturnType<typeof createUseCases>;

/** One instance of every tasks use case over the given ports. */
export function createUseCases(ports: TasksPorts) {
  return {
    createInbox: new CreateInbox(ports),
    createTask: new CreateTask(ports),
    listTasks: new ListTasks(ports),
    getTask: new GetTask(ports),
    updateTask: new UpdateTask(ports),
    deleteTask: new DeleteTask(ports),
    assignTask: new AssignTask(ports),
    unassignTask: new UnassignTask(ports),
    addTaskCategory: new AddTaskCategory(ports),
    removeTaskCategory: new RemoveTaskCategory(ports),
    createCategory: new CreateCategory(ports),
    listCategories: new ListCategories(ports),
    updateCategory: new UpdateCategory(ports),
    deleteCategory: new DeleteCategory(ports),
    addComment: new AddComment(ports),
    listComments: new ListComments(ports),
    updateComment: new UpdateComment(ports),
    deleteComment: new DeleteComment(ports),
    uploadAttachment: new UploadAttachment(ports),
    listAttachments: new ListAttachments(ports),
    downloadAttachment: new DownloadAttachment(ports),
    deleteAttachment: new DeleteAttachment(ports),
    getStorageUsage: new GetStorageUsage(ports),
    createProject: new CreateProject(ports),
    listProjects: new ListProjects(ports),
    getProject: new GetProject(ports),
    updateProject: new UpdateProject(ports),
    deleteProject: new DeleteProject(ports),
    archiveProject: new ArchiveProject(ports),
    transferProject: new TransferProject(ports),
    listMembers: new ListMembers(ports),
    changeMemberRole: new ChangeMemberRole(ports),
    removeMember: new RemoveMember(ports),
    adminListProjects: new AdminListProjects(ports),
    createInvitation: new CreateInvitation(ports),
    listProjectInvitations: new ListProjectInvitations(ports),
    revokeInvitation: new RevokeInvitation(ports),
    listMyInvitations: new ListMyInvitations(ports),
    acceptInvitation: new AcceptInvitation(ports),
    declineInvitation: new DeclineInvitation(ports),
    whoCanSeeTask: new WhoCanSeeTask(ports),
  };
}
