// What the browser tests (demo_page_test.js, docs_pages_test.js) share:
// exiting with a reason, BRIDGE_URL, starting Chromium, watching a page for
// errors, waiting on it and keeping screenshots.
'use strict';

const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');

// fail(msg, code = 1): prints "NAME: FAIL: msg" and exits with code.
function makeFail(name) {
  return (msg, code = 1) => {
    console.error(`${name}: FAIL: ${msg}`);
    process.exit(code);
  };
}

// BRIDGE_URL without trailing slashes; exits 2 when it is not set.
function bridgeUrlFromEnv(fail) {
  const url = (process.env.BRIDGE_URL || '').replace(/\/+$/, '');
  if (!url) fail('BRIDGE_URL is not set (e.g. http://127.0.0.1:8000)', 2);
  return url;
}

// Checks at once (exit 2) that playwright-core (web/node_modules) and the
// browser ($CHROMIUM, default /usr/bin/chromium) are there, so a missing tool
// is bad usage rather than a failed test. Returns launch(), which starts it.
function chromiumLauncher(fail) {
  const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
  let chromium;
  try {
    ({ chromium } = require(require.resolve('playwright-core', { paths: [path.join(root, 'web')] })));
  } catch (e) {
    fail('playwright-core is not installed: run `npm install` in web/ (scripts/lib/web.sh does)', 2);
  }
  if (!fs.existsSync(executablePath)) fail(`no browser at ${executablePath}: apt-get install chromium`, 2);
  return () => chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// Passes report() every page error, console error, failed request and HTTP
// error of `page`. With `origin`, console errors from and failed requests to
// other hosts are left out: the caller reports such requests itself, once.
// `clip` shortens the error texts.
function watchPage(page, report, { origin, clip = (text) => text } = {}) {
  const ours = (url) => origin === undefined || new URL(url).origin === origin;
  page.on('pageerror', (e) => report(`page error: ${clip(e.message)}`));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const from = m.location().url;
    if (/^https?:/.test(from) && !ours(from)) return;
    report(`console error: ${clip(m.text())}`);
  });
  page.on('requestfailed', (r) => {
    if (ours(r.url())) report(`request failed: ${r.url()}: ${r.failure() ? r.failure().errorText : '?'}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) report(`HTTP ${r.status()} for ${r.url()}`);
  });
}

// Waits until `fn` (run in the page, with `arg`) is true: false when
// `deadline` passes first. Polls in short slices so that the first of
// `problems` (errors seen meanwhile) ends the wait at once.
async function pollPage(page, problems, deadline, what, fn, arg) {
  for (;;) {
    if (problems.length) throw new Error(`while waiting for ${what}: ${problems[0]}`);
    const left = deadline - Date.now();
    if (left <= 0) return false;
    try {
      await page.waitForFunction(fn, arg, { timeout: Math.min(left, 500), polling: 100 });
      return true;
    } catch (e) {
      if (!/Timeout/i.test(e.message)) throw e;
    }
  }
}

// Two animation frames: the page has painted its latest update.
function painted(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

async function saveScreenshot(page, file, fullPage) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage });
}

// After a failure: true when the screenshot could be saved (the page may be gone).
async function saveFailureScreenshot(page, file, fullPage) {
  if (!page) return false;
  try {
    await saveScreenshot(page, file, fullPage);
    return true;
  } catch (_) {
    return false;
  }
}

// `message` and up to 10 of the distinct problems the page showed.
function withProblems(message, problems) {
  const seen = [...new Set(problems)];
  if (!seen.length) return message;
  return `${message}\n  seen in the page:\n  ${seen.slice(0, 10).join('\n  ')}` +
         (seen.length > 10 ? `\n  ... and ${seen.length - 10} more` : '');
}

module.exports = {
  makeFail,
  bridgeUrlFromEnv,
  chromiumLauncher,
  watchPage,
  pollPage,
  painted,
  saveScreenshot,
  saveFailureScreenshot,
  withProblems,
};
