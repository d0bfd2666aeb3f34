#!/usr/bin/env node
// The API documentation pages in headless Chromium against a running
// fx-bridge: Swagger UI (/docs) and ReDoc (/redoc) load their scripts from
// /static/ and render the API of /openapi.json - its title and version, one
// entry for every operation (method and path, among them GET /ticks/ and
// GET /ws/ohlc/{resolution}/{symbol}), and in Swagger UI, those two opened,
// their parameters and responses - with no page error, console error, failed
// request, HTTP error or request to another host. Saves a screenshot of each
// page, also on failure; checks both pages even when the first fails.
// What a page must show is read from /openapi.json, so the test follows the
// document.
//
//   BRIDGE_URL=http://127.0.0.1:8000 node tests/web/docs_pages_test.js [DOCS_SCREENSHOT [REDOC_SCREENSHOT]]
//
// Environment:
//   BRIDGE_URL        fx-bridge base URL (required)
//   DOCS_SCREENSHOT   Swagger UI PNG when no argument is given (default ./docs_page.png)
//   REDOC_SCREENSHOT  ReDoc PNG when no second argument is given (default ./redoc_page.png)
//   DOCS_TIMEOUT_MS   how long each page may take to render (default 30000)
//   CHROMIUM          browser binary (default /usr/bin/chromium, Debian's package chromium)
// Exit status: 0 passed, 1 failed (the reasons are printed), 2 bad usage.
'use strict';

const path = require('path');
const {
  makeFail, bridgeUrlFromEnv, chromiumLauncher, watchPage, pollPage, painted,
  saveScreenshot, saveFailureScreenshot, withProblems,
} = require('./common');

const NAME = 'docs_pages';
const fail = makeFail(NAME);

const bridgeUrl = bridgeUrlFromEnv(fail);
let origin;
try {
  origin = new URL(bridgeUrl).origin;
} catch (e) {
  fail(`BRIDGE_URL is not a URL: ${bridgeUrl}`, 2);
}
if (process.argv.length > 4) fail('usage: docs_pages_test.js [DOCS_SCREENSHOT [REDOC_SCREENSHOT]]', 2);
const docsShot = path.resolve(process.argv[2] || process.env.DOCS_SCREENSHOT || 'docs_page.png');
const redocShot = path.resolve(process.argv[3] || process.env.REDOC_SCREENSHOT || 'redoc_page.png');
const timeoutMs = Number(process.env.DOCS_TIMEOUT_MS || 30000);

// Operations the pages must show whatever else /openapi.json holds.
const REQUIRED = [
  { method: 'get', path: '/ticks/' },
  { method: 'get', path: '/ws/ohlc/{resolution}/{symbol}' },
];
// Requests to other hosts that the page bundles make by themselves and that
// fx-bridge cannot turn off; they are answered here (never from the network)
// and are no failure. Any other request leaving fx-bridge is one: the pages
// must work offline, their assets come from /static/.
const COSMETIC = {
  // ReDoc 2.x always shows Redocly's logo under its menu
  'https://cdn.redoc.ly/redoc/logo-mini.svg': {
    contentType: 'image/svg+xml',
    body: '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
  },
};
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

const launchChromium = chromiumLauncher(fail);

// The document the pages render, and what they must show of it.
async function loadSpec() {
  let resp, text;
  try {
    resp = await fetch(`${bridgeUrl}/openapi.json`, { signal: AbortSignal.timeout(timeoutMs) });
    text = await resp.text();
  } catch (e) {
    throw new Error(`GET /openapi.json: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms`
                                                                    : e.cause ? e.cause.message : e.message}`);
  }
  if (resp.status !== 200) throw new Error(`GET /openapi.json answered ${resp.status}`);
  let spec;
  try {
    spec = JSON.parse(text);
  } catch (e) {
    throw new Error(`/openapi.json is not JSON: ${e.message}`);
  }
  if (!spec.info || typeof spec.info.title !== 'string' || !spec.info.title || !spec.paths)
    throw new Error('/openapi.json has no info.title or no paths');
  const deref = (p) => {
    const m = p && typeof p.$ref === 'string' && /^#\/components\/parameters\/(.+)$/.exec(p.$ref);
    return m ? ((spec.components || {}).parameters || {})[m[1]] || p : p;
  };
  const ops = [];
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters || []), ...(op.parameters || [])].map(deref);
      ops.push({
        method, path: p, key: `${method.toUpperCase()} ${p}`,
        operationId: op.operationId, summary: op.summary,
        params: [...new Set(params.map((x) => x && x.name).filter(Boolean))],
        responses: Object.keys(op.responses || {}),
      });
    }
  }
  for (const r of REQUIRED) {
    if (!ops.some((o) => o.method === r.method && o.path === r.path))
      throw new Error(`/openapi.json has no ${r.method.toUpperCase()} ${r.path}`);
  }
  return { title: spec.info.title, version: String(spec.info.version || ''), ops };
}

// A message for the list of problems: its first three lines (no long stacks).
function short(text) {
  const lines = String(text).split('\n');
  return lines.slice(0, 3).join('\n    ') + (lines.length > 3 ? ' ...' : '');
}

function diff(what, want, got) {
  const missing = want.filter((x) => !got.includes(x));
  const extra = got.filter((x) => !want.includes(x));
  if (!missing.length && !extra.length) return null;
  return `${what}: ` + [missing.length ? `missing ${missing.join(', ')}` : '',
                        extra.length ? `not in /openapi.json: ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
}

// Opens `pagePath` in a fresh context, runs `check(page, waitFor)` and saves
// `screenshot` (the whole page, or the first screen when not `fullPage`), also
// on failure. Returns a summary; throws what went wrong.
async function checkPage(browser, label, pagePath, screenshot, fullPage, check) {
  const problems = []; // page errors, console errors, failed requests, other hosts
  const cosmetic = [];
  let watching = true;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  let page;
  try {
    await context.route((u) => /^https?:$/.test(u.protocol) && u.origin !== origin, (route) => {
      const url = route.request().url();
      const canned = COSMETIC[url];
      if (canned) {
        cosmetic.push(url);
        return route.fulfill({ status: 200, contentType: canned.contentType, body: canned.body });
      }
      if (watching) problems.push(`request to another host: ${url} (serve it from /static/)`);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    watchPage(page, (problem) => watching && problems.push(problem), { origin, clip: short });

    const url = `${bridgeUrl}${pagePath}`;
    console.log(`${NAME}: opening ${url}`);
    const deadline = Date.now() + timeoutMs;
    const resp = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    if (!resp || resp.status() !== 200)
      throw new Error(`GET ${pagePath} answered ${resp ? resp.status() : 'nothing'}: fx-bridge does not serve the ${label} page`);

    // Waits until `fn` (run in the page, with `arg`) is true, within the
    // page's deadline; stops at the first error the page shows. On time-out
    // the message has `state()` (run in the page), what the page shows.
    async function waitFor(what, fn, arg, state) {
      if (await pollPage(page, problems, deadline, what, fn, arg)) return;
      const seen = await page.evaluate(state || (() => document.body.innerText.slice(0, 300)), arg);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the page shows: ${JSON.stringify(seen)}`);
    }

    const summary = await check(page, waitFor);
    // Let the page paint its latest update, then keep the picture.
    await painted(page);
    if (problems.length) throw new Error(problems.join('\n  '));
    watching = false;
    await saveScreenshot(page, screenshot, fullPage);
    return `${summary}${cosmetic.length ? `; answered ${[...new Set(cosmetic)].join(', ')} offline` : ''}; screenshot ${screenshot}`;
  } catch (e) {
    watching = false;
    if (await saveFailureScreenshot(page, screenshot, fullPage))
      console.error(`${NAME}: screenshot of the ${label} failure: ${screenshot}`);
    throw new Error(withProblems(e.message, problems));
  } finally {
    await context.close();
  }
}

// Swagger UI: title and version, one operation block per operation (method
// and path), the required operations opened show their parameters and
// responses, and no errors listed.
async function checkSwagger(page, waitFor, spec) {
  const state = () => {
    const info = document.querySelector('#swagger-ui .info');
    return {
      info: info ? info.textContent.replace(/\s+/g, ' ').trim().slice(0, 200) : null,
      operations: document.querySelectorAll('#swagger-ui .opblock').length,
      errors: [...document.querySelectorAll('#swagger-ui .errors-wrapper, #swagger-ui .loading-container')]
        .map((e) => e.textContent.replace(/\s+/g, ' ').trim().slice(0, 300)),
    };
  };
  if (!(await page.evaluate(() => typeof window.SwaggerUIBundle === 'function')))
    throw new Error('/docs has no SwaggerUIBundle: /static/swagger-ui-dist/swagger-ui-bundle.js did not load');
  // The errors Swagger UI lists (fetching or resolving the document).
  const errors = () => page.evaluate(() => [...document.querySelectorAll('#swagger-ui .errors-wrapper .error-wrapper')]
    .map((e) => {
      const h = e.querySelector('h4'), m = e.querySelector('.message');
      return (h && m ? `${h.textContent.trim()}: ${m.textContent.trim()}` : e.textContent.trim()).replace(/\s+/g, ' ').slice(0, 400);
    }));
  await waitFor(`the API title "${spec.title}" in the Swagger UI header`,
    (title) => {
      const h = document.querySelector('#swagger-ui .info .title');
      return (!!h && h.textContent.includes(title)) || !!document.querySelector('#swagger-ui .errors-wrapper');
    }, spec.title, state);
  let shownErrors = await errors();
  if (shownErrors.length) throw new Error(`Swagger UI reports errors: ${shownErrors.join(' | ')}`);
  await waitFor(`${spec.ops.length} operations (.opblock) in Swagger UI`,
    ({ n }) => document.querySelectorAll('#swagger-ui .opblock').length >= n,
    { n: spec.ops.length, keys: spec.ops.map((o) => o.key) }, ({ keys }) => {
      const shown = [...document.querySelectorAll('#swagger-ui .opblock')].map((o) => {
        const m = o.querySelector('.opblock-summary-method'), p = o.querySelector('.opblock-summary-path');
        return `${m ? m.textContent.trim().toUpperCase() : '?'} ${p ? p.getAttribute('data-path') : '?'}`;
      });
      return { operations: shown.length, missing: keys.filter((k) => !shown.includes(k)) };
    });

  const shown = await page.evaluate(() => ({
    title: document.querySelector('#swagger-ui .info .title').textContent.replace(/\s+/g, ' ').trim(),
    ops: [...document.querySelectorAll('#swagger-ui .opblock')].map((o) => {
      const m = o.querySelector('.opblock-summary-method');
      const p = o.querySelector('.opblock-summary-path');
      return `${m ? m.textContent.trim().toUpperCase() : '?'} ${p ? p.getAttribute('data-path') : '?'}`;
    }),
  }));
  if (spec.version && !shown.title.includes(spec.version))
    throw new Error(`Swagger UI header "${shown.title}" lacks the API version ${spec.version}`);
  const bad = diff('Swagger UI operation list', spec.ops.map((o) => o.key), shown.ops);
  if (bad) throw new Error(bad);

  // Open the required operations: their parameters and responses are
  // rendered, and resolving their references raised no error.
  for (const r of REQUIRED) {
    const op = spec.ops.find((o) => o.method === r.method && o.path === r.path);
    const block = page.locator(`#swagger-ui .opblock.opblock-${r.method}`)
      .filter({ has: page.locator(`.opblock-summary-path[data-path="${r.path}"]`) });
    await block.locator('.opblock-summary-control').first().click();
    await waitFor(`${op.key} opened in Swagger UI with its parameters (${op.params.join(', ') || 'none'}) ` +
                  `and responses (${op.responses.join(', ')})`,
      ({ method, p, names, codes }) => {
        const b = [...document.querySelectorAll(`#swagger-ui .opblock.opblock-${method}.is-open`)]
          .find((x) => { const s = x.querySelector('.opblock-summary-path'); return s && s.getAttribute('data-path') === p; });
        if (!b || !b.querySelector('.opblock-body')) return false;
        const got = [...b.querySelectorAll('.parameters .parameter__name')]
          .map((n) => n.firstChild ? n.firstChild.textContent.trim() : '');
        const status = [...b.querySelectorAll('.responses-table .response-col_status')].map((n) => n.textContent.trim());
        return names.every((n) => got.includes(n)) && codes.every((c) => status.includes(c));
      }, { method: r.method, p: r.path, names: op.params, codes: op.responses }, ({ method, p }) => {
        const b = [...document.querySelectorAll(`#swagger-ui .opblock.opblock-${method}`)]
          .find((x) => { const s = x.querySelector('.opblock-summary-path'); return s && s.getAttribute('data-path') === p; });
        return b ? b.textContent.replace(/\s+/g, ' ').trim().slice(0, 400) : 'no such operation block';
      });
  }
  shownErrors = await errors();
  if (shownErrors.length) throw new Error(`Swagger UI reports errors: ${shownErrors.join(' | ')}`);
  return `/docs: "${shown.title}", ${shown.ops.length} operations, parameters and responses of ` +
         `${REQUIRED.map((r) => `${r.method.toUpperCase()} ${r.path}`).join(' and ')} shown`;
}

// ReDoc: "title (version)" heading, one menu entry and one section (heading =
// summary) per operation, every operation's method and path. ReDoc abbreviates
// some methods (DELETE is "del"): their type attribute has the method.
async function checkRedoc(page, waitFor, spec) {
  const heading = spec.version ? `${spec.title} (${spec.version})` : spec.title;
  const state = () => ({
    h1: [...document.querySelectorAll('h1')].map((h) => h.textContent.trim()),
    menuOperations: document.querySelectorAll('[role=menuitem] .operation-type').length,
    text: document.body.innerText.replace(/\s+/g, ' ').trim().slice(0, 300),
  });
  if (!(await page.evaluate(() => typeof window.Redoc === 'object' && window.Redoc !== null)))
    throw new Error('/redoc has no window.Redoc: /static/redoc/bundles/redoc.standalone.js did not load');
  await waitFor(`the heading "${heading}" in ReDoc`,
    (h) => [...document.querySelectorAll('h1')].some((e) => e.textContent.trim() === h) ||
           /Something went wrong/i.test(document.body.innerText), heading, state);
  const err = await page.evaluate(() => {
    const m = /Something went wrong[^]*/i.exec(document.body.innerText);
    return m ? m[0].replace(/\s+/g, ' ').slice(0, 400) : null;
  });
  if (err) throw new Error(`ReDoc could not render /openapi.json: ${err}`);
  await waitFor(`${spec.ops.length} operations in the ReDoc menu`,
    ({ n }) => document.querySelectorAll('[role=menuitem] .operation-type').length >= n,
    { n: spec.ops.length, keys: spec.ops.map((o) => o.key) }, ({ keys }) => {
      const shown = [...document.querySelectorAll('.http-verb')].map((v) =>
        `${(v.getAttribute('type') || '?').toUpperCase()} ${v.nextElementSibling ? v.nextElementSibling.textContent.trim() : '?'}`);
      return {
        menuOperations: document.querySelectorAll('[role=menuitem] .operation-type').length,
        missing: keys.filter((k) => !shown.includes(k)),
      };
    });

  const shown = await page.evaluate(() => ({
    menu: [...document.querySelectorAll('[role=menuitem]')].filter((li) => li.querySelector(':scope > label .operation-type')).length,
    headings: [...document.querySelectorAll('.api-content h2')].map((h) => h.textContent.trim()),
    endpoints: [...document.querySelectorAll('.http-verb')]
      .map((v) => `${(v.getAttribute('type') || '?').toUpperCase()} ${v.nextElementSibling ? v.nextElementSibling.textContent.trim() : '?'}`),
  }));
  if (shown.menu !== spec.ops.length)
    throw new Error(`the ReDoc menu lists ${shown.menu} operations, /openapi.json has ${spec.ops.length}`);
  const wantHeadings = spec.ops.filter((o) => o.summary).map((o) => o.summary.trim());
  const missing = wantHeadings.filter((s) => !shown.headings.includes(s));
  if (missing.length) throw new Error(`ReDoc lacks the operation sections ${missing.map((s) => JSON.stringify(s)).join(', ')}`);
  for (const r of REQUIRED) {
    const key = `${r.method.toUpperCase()} ${r.path}`;
    if (!shown.endpoints.includes(key)) throw new Error(`ReDoc shows no endpoint ${key}`);
  }
  const e = diff('ReDoc endpoints', [...new Set(spec.ops.map((o) => o.key))].sort(), [...new Set(shown.endpoints)].sort());
  if (e) throw new Error(e);
  return `/redoc: "${heading}", ${shown.menu} operations in the menu, ${wantHeadings.length} sections`;
}

async function main() {
  const spec = await loadSpec();
  const browser = await launchChromium();
  const failures = [];
  try {
    // Swagger UI's whole page is the operation list; ReDoc's is some 16000
    // pixels high, its first screen has the title, the menu and an operation.
    for (const [label, pagePath, shot, fullPage, check] of [
      ['Swagger UI', '/docs', docsShot, true, checkSwagger],
      ['ReDoc', '/redoc', redocShot, false, checkRedoc],
    ]) {
      try {
        const done = await checkPage(browser, label, pagePath, shot, fullPage, (page, waitFor) => check(page, waitFor, spec));
        console.log(`${NAME}: ok: ${done}`);
      } catch (e) {
        failures.push(`${label} (${pagePath}): ${e.message}`);
      }
    }
  } finally {
    await browser.close();
  }
  if (failures.length) throw new Error(failures.join(`\n${NAME}: FAIL: `));
}

main().then(
  () => process.exit(0),
  (e) => fail(e.message),
);
