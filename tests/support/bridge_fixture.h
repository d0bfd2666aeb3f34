/*
 * HTTP tests of fx-bridge: an in-process fx-core (fixture.h) plus an
 * in-process fx-bridge on a free port, driven over real HTTP (http_client.h).
 */
#ifndef FX_TEST_BRIDGE_FIXTURE_H
#define FX_TEST_BRIDGE_FIXTURE_H

void fx_bridge_fixture_start(void); /* core + bridge; use as .init */
struct fx_config;
struct fx_bridge_config;
/* Like fx_bridge_fixture_start, with the core's and the bridge's
 * configuration adjusted first (either may be NULL). */
void fx_bridge_fixture_start_with(void (*core_tweak)(struct fx_config *cfg),
    void (*tweak)(struct fx_bridge_config *cfg));
void fx_bridge_fixture_stop(void);

/* The running bridge (e.g. for fx_bridge_reload, as a SIGHUP would). */
struct fx_bridge *fx_test_bridge(void);

/* The port the bridge listens on (127.0.0.1). */
unsigned fx_test_bridge_port(void);

#endif
