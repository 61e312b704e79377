/**
 * Text and links that come from a platform, made safe for where the editor shows them (no vscode import: plain
 * functions, unit-tested). Markdown gets every markup character escaped; a link is opened only when it is http(s) or
 * mailto (no command:, file:, javascript: or vscode: links from catalog or scaffolder data).
 */

/** Escapes Markdown markup (also `<`, `&` and link brackets), so platform text renders as the text it is. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`);
}

/** The URL if it is http(s) (or mailto), else undefined: no javascript:, data:, command: links from catalog data. */
export function safeUrl(raw: string): string | undefined {
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** A golden path's tooltip (Markdown): title, version and owner escaped; the description as plain text. */
export function templateTooltip(t: { title: string; version: string; description: string; owner: string }): string {
  return `**${escapeMarkdown(t.title)}** v${escapeMarkdown(t.version)}\n\n${escapeMarkdown(t.description)}\n\nOwner: ${escapeMarkdown(t.owner)}`;
}
