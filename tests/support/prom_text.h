/*
 * Reading a Prometheus text exposition in tests: a sample is addressed by its
 * name with labels exactly as rendered ("fx_x_total{op=\"get\"}"). Failing
 * lookups end the test with the whole text in the message. Any thread.
 */
#ifndef FX_TESTS_PROM_TEXT_H
#define FX_TESTS_PROM_TEXT_H

/* How many sample lines are `prefix` followed by a space. */
int fx_prom_count(const char *text, const char *prefix);

/* The value of sample `prefix`, which must appear exactly once with a number. */
double fx_prom_sample(const char *text, const char *prefix);

#endif
