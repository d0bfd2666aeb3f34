/*
 * fx-bridge as a whole: what every request shares (read-only after start:
 * the configuration, the two fxclient handles, the WebSocket hub).
 *
 * The threads of fx-bridge:
 *
 *   thread          what it owns / does                 connections               locks it takes
 *   main            config, fx_bridge_start/stop,       -                         auth's rwlock (write,
 *                   waits for SIGINT/SIGTERM, reloads                             on SIGHUP)
 *                   the API keys on SIGHUP
 *   MHD polling     accept and serve HTTP connections   the listening socket and  MHD's own; metrics.c's
 *     (BRIDGE_      (epoll, BRIDGE_MAX_CONNECTIONS);    every HTTP client socket  lock; the pool's (submit);
 *     HTTP_THREADS) parse, run the inline handlers                                for a WebSocket: the
 *                   (routes.c: no core call), suspend                             hub's mailbox lock (post)
 *                   the others for the pool; on an                               and lock (waits until its
 *                   upgrade hand the socket to the hub                            client has joined)
 *   request pool    the handlers that wait on fx-core,  calls on fxclient's       the pool's; metrics.c's;
 *     (BRIDGE_      then resume their connection; an    shared REQ sockets (core: auth's rwlock (read);
 *     WORKERS)      OHLC client's first candle          requests, snapshots)      the hub's (snapshot)
 *                   (request_pool.c, ws_api.c)
 *   header          closes connections whose headers    shuts their sockets down  its own mutex
 *     deadline      are late (header_deadline.c)
 *   ws hub          every upgraded socket (wslay,       the WebSocket sockets;    its mailbox's lock
 *                   ws_conn.c), topic refcounts,        the nng SUB socket of     (drain), its lock
 *                   fan-out, pings, each symbol's tick  the live feed             (seq_applied); the
 *                   order (tick_order.c) (ws_hub.c;     (FX_FEED_URL)             read-back mailbox's
 *                   epoll, fx_thread, mailbox)                                    (post)
 *   ws read-back    reads back the ticks the feed did   its own fxclient REQ      its mailbox's lock
 *                   not bring (backfill.c, fx_thread);  socket (FX_RPC_URL)       (drain); the hub's
 *                   answers go to the hub's mailbox                               mailbox lock (post)
 *   nng's threads   I/O of fxclient's REQ sockets       FX_RPC_URL, FX_FEED_URL   nng's own
 *                   (core, snapshots) and SUB socket
 *
 * `core` and `snapshots` are each one nng REQ socket shared by every
 * pool thread (every call opens a context of its own). Frames,
 * clients and topics are the hub thread's alone: the HTTP threads reach
 * them only through the hub's mailbox. No lock is held while another is
 * taken. Stop signals are blocked before any thread starts: main alone
 * takes them, then drains (fx_bridge_stop: no new connections, WebSockets
 * closed with 1001, in-flight requests given BRIDGE_DRAIN_S).
 */
#ifndef FX_BRIDGE_BRIDGE_H
#define FX_BRIDGE_BRIDGE_H

#include "bridge/config.h"
#include "bridge/cors.h"
#include "bridge/ws_hub.h"
#include "fx/client.h"

struct MHD_Daemon;
struct fx_auth;

struct fx_bridge {
    struct fx_bridge_config cfg;
    fxc *core;
    fxc *snapshots; /* the current candle of a new WebSocket client: a short timeout */
    struct MHD_Daemon *daemon;
    struct fx_ws_hub *hub; /* WebSocket clients and the live feed */
    unsigned port; /* the bound port, also when cfg.port is 0 */
    int inflight; /* HTTP requests begun and not completed, WebSocket upgrades not counted (atomic) */
    struct fx_request_pool *pool; /* runs the handlers that wait on fx-core; its own lock */
    struct fx_header_deadline *deadline; /* BRIDGE_HEADER_TIMEOUT_S (NULL: off); its own mutex */
    struct fx_auth *auth; /* API keys (auth.h): its own rwlock, reloaded on SIGHUP */
    struct fx_cors cors; /* BRIDGE_CORS_ORIGINS, read-only */
    char csp[2048]; /* Content-Security-Policy of the HTML pages, read-only */
};

#endif
