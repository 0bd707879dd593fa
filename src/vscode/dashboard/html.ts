// The dashboard page. No 'vscode' import: the benchmark loads the same page in plain chromium.
// Strict CSP: nothing but our own stylesheet and the one nonce'd script; no inline styles, no remote content.

export function dashboardHtml(opts: { cspSource: string; nonce: string; css: string; js: string }): string {
  const csp = [
    "default-src 'none'",
    `style-src ${opts.cspSource}`,
    `img-src ${opts.cspSource}`,
    `font-src ${opts.cspSource}`,
    `script-src 'nonce-${opts.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${opts.css}">
<title>Innerloop</title>
</head>
<body>
<header><h1>Innerloop</h1><span id="summary" class="summary"></span></header>
<section id="resources" class="resources"><p class="empty">Waiting for the engine…</p></section>
<section class="logs">
  <div class="log-toolbar" role="toolbar" aria-label="Log filters">
    <strong id="log-title" class="log-title">All resources</strong>
    <select id="filter-resource" aria-label="Resource"></select>
    <select id="filter-source" aria-label="Source">
      <option value="all">All sources</option><option value="build">Build</option><option value="runtime">Runtime</option>
    </select>
    <select id="filter-level" aria-label="Level">
      <option value="all">All levels</option><option value="warn">Warnings</option><option value="error">Errors</option>
    </select>
    <input id="filter-text" type="search" placeholder="Filter (text)" aria-label="Filter text">
    <label><input id="filter-regex" type="checkbox"> Regex</label>
    <label><input id="follow" type="checkbox" checked> Follow</label>
    <span id="log-count" class="log-count"></span>
  </div>
  <div id="log-viewport" class="log-viewport" tabindex="0" aria-label="Log lines"></div>
</section>
<script nonce="${opts.nonce}" src="${opts.js}"></script>
</body>
</html>`;
}
