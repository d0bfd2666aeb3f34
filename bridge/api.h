/* The handlers of fx-bridge's routes (routes.c lists which path is which). */
#ifndef FX_BRIDGE_API_H
#define FX_BRIDGE_API_H

#include "bridge/request.h"

/* ticks_api.c */
void fx_api_tick_create(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_ticks_bulk(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_ticks_list(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_tick_update(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_ticks_delete(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_tick_delete_path(struct fx_http_request *req, struct fx_http_response *res);

/* symbols_api.c */
void fx_api_symbols(struct fx_http_request *req, struct fx_http_response *res);

/* ohlc_api.c */
void fx_api_ohlc_stream(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_ohlc(struct fx_http_request *req, struct fx_http_response *res);

/* system_api.c */
void fx_api_livez(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_health(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_metrics(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_openapi(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_docs(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_redoc(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_static(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_index(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_demo(struct fx_http_request *req, struct fx_http_response *res);
/* The HTML documents the bridge serves (for their inline scripts' hashes in
 * the CSP, security_headers.h); static strings. Returns how many (4). */
size_t fx_api_html_pages(const char *pages[4]);

/* admin_api.c: the data lifecycle */
void fx_api_maintenance(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_storage(struct fx_http_request *req, struct fx_http_response *res);

/* ws_api.c */
void fx_api_ws_ticks(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_ws_ohlc(struct fx_http_request *req, struct fx_http_response *res);
void fx_api_ws_stats(struct fx_http_request *req, struct fx_http_response *res);

#endif
