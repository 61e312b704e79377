// Shared by the Paved webview charts (bundled with uPlot by esbuild into dist/webview/; never loaded from a CDN).
// uPlot options that follow the VS Code theme: colours come from the theme's CSS variables, read when a chart is drawn.
// @ts-check

/** The value of a VS Code theme colour variable (`--vscode-charts-green`), or the fallback. */
export function themeColor(name, fallback) {
  const value = getComputedStyle(document.body).getPropertyValue(`--vscode-${name}`).trim();
  return value || fallback;
}

/** Axis options in the theme's foreground and grid colours. */
export function themedAxis(extra) {
  const stroke = themeColor('descriptionForeground', '#888');
  const grid = themeColor('editorWidget-border', 'rgba(128,128,128,0.3)');
  return { stroke, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, ...extra };
}

/** The width a chart gets: its container's, within bounds. */
export function chartWidth(el) {
  return Math.max(240, Math.min(640, Math.floor(el.getBoundingClientRect().width || 480)));
}
