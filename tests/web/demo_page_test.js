#!/usr/bin/env node
// The demo page (/ws-test) in headless Chromium against a running fx-bridge:
// live ticks reach the tick list, candles reach the chart (history + live
// frames), /ws/stats is shown, switching to hour candles works, the tick
// socket, dropped once, reconnects with ?since= the last seq it got and goes
// on with the next seq, and the page logs no error. Saves a screenshot, also
// on failure.
//
//   BRIDGE_URL=http://127.0.0.1:8000 node tests/web/demo_page_test.js [SCREENSHOT]
//
// Environment:
//   BRIDGE_URL       fx-bridge base URL (required)
//   DEMO_SYMBOL      symbol that receives ticks (default EURUSD)
//   DEMO_SCREENSHOT  PNG path when no argument is given (default ./demo_page.png)
//   DEMO_TIMEOUT_MS  how long the page may take to show ticks and candles (default 30000)
//   DEMO_PATH        page path (default /ws-test; /demo is the alias)
//   DEMO_API_KEY     an API key of the bridge (BRIDGE_API_KEYS_FILE), given to
//                    the page as #key=... (default none: an open bridge)
//   CHROMIUM         browser binary (default /usr/bin/chromium, Debian's package chromium)
// Exit status: 0 passed, 1 failed (the reason is printed), 2 bad usage.
'use strict';

const path = require('path');
const {
  makeFail, bridgeUrlFromEnv, chromiumLauncher, watchPage, pollPage, painted,
  saveScreenshot, saveFailureScreenshot, withProblems,
} = require('./common');

const NAME = 'demo_page';
const fail = makeFail(NAME);

const bridgeUrl = bridgeUrlFromEnv(fail);
const symbol = (process.env.DEMO_SYMBOL || 'EURUSD').toUpperCase();
const screenshot = path.resolve(process.argv[2] || process.env.DEMO_SCREENSHOT || 'demo_page.png');
const timeoutMs = Number(process.env.DEMO_TIMEOUT_MS || 30000);
const pagePath = process.env.DEMO_PATH || '/ws-test';
const apiKey = process.env.DEMO_API_KEY || '';
const launchChromium = chromiumLauncher(fail);

async function main() {
  const browser = await launchChromium();
  const problems = []; // page errors, console errors, failed requests
  let page;
  let watching = true;
  try {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    watchPage(page, (problem) => watching && problems.push(problem));

    // The tick socket through a relay that drops the first connection after a
    // few frames: the page must come back with ?since= the last seq it was
    // sent, and then get the next seqs (those stored meanwhile first), none twice.
    const tickSockets = []; // { url, seqs } per connection, in order
    await page.routeWebSocket(/\/ws\/ticks\//, (ws) => {
      const conn = { url: ws.url(), seqs: [] };
      tickSockets.push(conn);
      const server = ws.connectToServer();
      server.onMessage((m) => {
        if (conn.dropped) return;
        try {
          const f = JSON.parse(m);
          if (Number.isInteger(f.seq)) conn.seqs.push(f.seq);
        } catch (e) { /* passed on as it is */ }
        ws.send(m);
        if (tickSockets.length === 1 && conn.seqs.length === 5) {
          conn.dropped = true;
          ws.close({ code: 4000, reason: 'demo_page test: dropped' });
          server.close();
        }
      });
    });

    const url = `${bridgeUrl}${pagePath}?symbol=${encodeURIComponent(symbol)}`
      + (apiKey ? `#key=${encodeURIComponent(apiKey)}` : '');
    console.log(`${NAME}: opening ${url.replace(/#key=.*/, '#key=(the read key)')}`);
    const deadline = Date.now() + timeoutMs;
    const resp = await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
    if (!resp || resp.status() !== 200)
      throw new Error(`GET ${pagePath} answered ${resp ? resp.status() : 'nothing'}: fx-bridge does not serve the demo page`);
    if (!(await page.evaluate(() => typeof window.fxDemo === 'object')))
      throw new Error(`${pagePath} has no window.fxDemo: not the demo page?`);
    const chartError = await page.evaluate(() => window.fxDemo.chartError);
    if (chartError) throw new Error(`chart: ${chartError}`);

    // Waits until `fn` (run in the page, with `arg`) is true, within the overall
    // deadline; stops at the first error the page shows.
    async function waitFor(what, fn, arg) {
      if (await pollPage(page, problems, deadline, what, fn, arg)) return;
      const state = await page.evaluate(() => {
        const d = window.fxDemo;
        return JSON.stringify({
          ticksReceived: d.ticksReceived, candlesReceived: d.candlesReceived, barsDrawn: d.barsDrawn,
          historyLoaded: d.historyLoaded, reconnects: d.reconnects, statsPolls: d.statsPolls,
          sockets: d.sockets, resolution: d.resolution, lastCandle: d.lastCandle, stats: d.stats,
          tickRows: document.querySelectorAll('#ticks li').length,
          status: document.getElementById('status').textContent.replace(/\s+/g, ' ').trim(),
        });
      });
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; page state: ${state}`);
    }

    await waitFor('ticks in the tick list (#ticks)',
      () => window.fxDemo.ticksReceived >= 3 && document.querySelectorAll('#ticks li').length >= 3);
    await waitFor('minute candles on the chart (history loaded, a candle frame, barsDrawn > 0)',
      () => window.fxDemo.historyLoaded && window.fxDemo.candlesReceived >= 1 && window.fxDemo.barsDrawn >= 1);
    // The shape of /ws/stats may change: only where it has a total of connections
    // (connections.total or total_connections) must that count our two sockets.
    await waitFor('/ws/stats in the stats panel', () => {
      const d = window.fxDemo;
      if (d.statsPolls < 1 || !document.querySelector('#stats-server td')) return false;
      const s = d.stats || {};
      const total = s.connections && typeof s.connections.total === 'number' ? s.connections.total : s.total_connections;
      return typeof total !== 'number' || total >= 2;
    });

    // The symbol picker offers the stored symbols (GET /symbols), ours among them.
    await page.focus('#symbol');
    await waitFor('the symbol in the picker (#symbol-list, from GET /symbols)', (sym) =>
      [...document.querySelectorAll('#symbol-list option')].some((o) => o.value === sym && /^\d+ ticks, /.test(o.label)),
      symbol);

    await waitFor('the tick socket to reconnect and get 3 ticks', () => window.fxDemo.reconnects >= 1);
    {
      const t0 = Date.now();
      while (!(tickSockets.length >= 2 && tickSockets[1].seqs.length >= 3) && Date.now() - t0 < timeoutMs)
        await new Promise((r) => setTimeout(r, 100));
      const [first, second] = tickSockets;
      const last = first.seqs[first.seqs.length - 1];
      if (!second || second.seqs.length < 3)
        throw new Error(`no ticks after the reconnect: ${JSON.stringify(tickSockets)}`);
      if (!second.url.endsWith(`/ws/ticks/${encodeURIComponent(symbol)}?since=${last}`))
        throw new Error(`the reconnect opened ${second.url}, not ?since=${last} (the last seq sent)`);
      if (!second.seqs.every((q, i) => q === last + 1 + i))
        throw new Error(`after since=${last} the seqs were ${second.seqs.join(',')}: a gap or a repeat`);
      if (!/\/ws\/ticks\/[^?]*$/.test(first.url)) throw new Error(`the first connect had a since: ${first.url}`);
    }

    const seen = await page.evaluate(() => ({
      tick: window.fxDemo.lastTick,
      candle: window.fxDemo.lastCandle,
      rows: document.querySelectorAll('#ticks li').length,
      canvas: (() => {
        const c = document.querySelector('#chart canvas');
        return c ? c.width * c.height : 0;
      })(),
    }));
    const t = seen.tick, c = seen.candle;
    if (t.symbol !== symbol || typeof t.price !== 'number' || !(t.price > 0) || !/^\d{4}-\d\d-\d\dT.*Z$/.test(t.time))
      throw new Error(`unexpected tick frame: ${JSON.stringify(t)}`);
    if (c.symbol !== symbol || c.resolution !== 'minute' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/.test(c.bucket) ||
        !(c.low <= Math.min(c.open, c.close) && Math.max(c.open, c.close) <= c.high) ||
        !(c.tick_count >= 1) || typeof c.complete !== 'boolean')
      throw new Error(`unexpected candle frame: ${JSON.stringify(c)}`);
    if (seen.rows > 50) throw new Error(`the tick list holds ${seen.rows} rows, more than 50`);
    if (!seen.canvas) throw new Error('no chart canvas in #chart');

    // Let the chart paint its latest update, then keep the picture.
    await painted(page);
    await saveScreenshot(page, screenshot, true);

    // Another resolution: history and socket of the new view.
    await page.click('#resolutions button[data-resolution="hour"]');
    await waitFor('hour candles after switching resolution', () => {
      const d = window.fxDemo;
      return d.resolution === 'hour' && d.historyLoaded && d.barsDrawn >= 1 &&
             d.lastCandle && d.lastCandle.resolution === 'hour';
    });

    if (problems.length) throw new Error(problems.join('\n  '));
    const counts = await page.evaluate(() => window.fxDemo);
    watching = false;
    console.log(`${NAME}: ok: ${counts.ticksReceived} tick frames, ${counts.candlesReceived} candle frames, ` +
                `${counts.barsDrawn} bars drawn, ${counts.reconnects} reconnects; screenshot ${screenshot}`);
  } catch (e) {
    watching = false;
    if (await saveFailureScreenshot(page, screenshot, true))
      console.error(`${NAME}: screenshot of the failure: ${screenshot}`);
    throw new Error(withProblems(e.message, problems));
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => fail(e.message),
);
