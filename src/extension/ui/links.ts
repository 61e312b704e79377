import * as vscode from 'vscode';
import { safeUrl } from './safeText';

/**
 * Opens a platform-supplied link in the browser — the one way the extension opens external links — only when it is
 * http(s) or mailto; anything else is refused with a warning naming it. True when opened.
 */
export async function openExternalLink(raw: string | undefined, what: string): Promise<boolean> {
  const url = raw === undefined ? undefined : safeUrl(raw);
  if (!url) {
    void vscode.window.showWarningMessage(`Paved did not open ${what}: ${JSON.stringify(raw ?? '')} is not an http(s) address.`);
    return false;
  }
  return vscode.env.openExternal(vscode.Uri.parse(url));
}

/**
 * Opens a running service's own address (the caller has checked it with its stricter rule: https, or http on this
 * machine), through a port forward when the window is remote. Still only http(s): false otherwise.
 */
export async function openServiceAddress(url: string): Promise<boolean> {
  const safe = safeUrl(url);
  if (!safe) return false;
  return vscode.env.openExternal(await vscode.env.asExternalUri(vscode.Uri.parse(safe)));
}
