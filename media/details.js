// Paved service details webview. Loaded with the page's CSP nonce; talks to the extension only through postMessage.
// @ts-check
(function () {
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target.closest('a[data-ref], a[data-url], a[data-action]') : null;
    if (!target) return;
    event.preventDefault();
    const ref = target.getAttribute('data-ref');
    const url = target.getAttribute('data-url');
    const action = target.getAttribute('data-action');
    const environment = target.getAttribute('data-env');
    if (ref) vscode.postMessage({ type: 'open', ref });
    else if (url) vscode.postMessage({ type: 'link', url });
    else if (action) vscode.postMessage(environment ? { type: action, environment } : { type: action });
  });
})();
