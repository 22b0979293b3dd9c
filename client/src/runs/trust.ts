/** The workspace-trust gate of every command that executes the user's code. */

/** The command that opens VS Code's workspace trust editor. */
export const MANAGE_TRUST_COMMAND = 'workbench.trust.manage';
export const MANAGE_TRUST_ACTION = 'Manage Workspace Trust';

/** Why running is refused, or null when the workspace is trusted. */
export function runRefusal(isTrusted: boolean): string | null {
  if (isTrusted) return null;
  return (
    'VORTEX runs tasks only in a trusted workspace, because a run executes the code of the DAG file. ' +
    'Trust this folder with "Workspaces: Manage Workspace Trust" (or the Restricted Mode indicator in the status bar), then run again.'
  );
}
