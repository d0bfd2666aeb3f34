-- Raw ticks, range-partitioned by day on time (stock PostgreSQL, no extension).
-- Daily partitions are created ahead by fx-core and on demand for any tick
-- outside them (fx_ensure_tick_partition), so backfills of old data just work.
-- Symbols are validated by fx-core (a regex CHECK here cost ~20% of bulk load
-- speed); the cheap price check stays as a last line of defence.
CREATE TABLE IF NOT EXISTS ticks (
    symbol text NOT NULL,
    time timestamptz NOT NULL,
    price double precision NOT NULL,
    CONSTRAINT ticks_pkey PRIMARY KEY (symbol, time),
    CONSTRAINT ticks_price_check CHECK (price > 0 AND price < 'Infinity'::float8)
) PARTITION BY RANGE (time);

-- Creates the partition holding the UTC day `day` unless it exists.
-- An advisory lock serialises concurrent creators (several workers or cores
-- may meet the same new day at once). The loser's catalog lookup can still
-- miss the winner's table (catalog caches are refreshed by relation locks,
-- not advisory ones), so "already exists" is caught and means done.
CREATE OR REPLACE FUNCTION fx_ensure_tick_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := 'ticks_p' || to_char(day, 'YYYYMMDD');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('fx_ticks_partitions'));
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF ticks FOR VALUES FROM (%L) TO (%L)',
                       part,
                       (day::timestamp AT TIME ZONE 'UTC'),
                       ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        RETURN false;
    END;
    RETURN true;
END
$$;

-- Partitions for every day in [first, last]; returns how many were created.
CREATE OR REPLACE FUNCTION fx_ensure_tick_partitions(first date, last date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    d date := first;
    n integer := 0;
BEGIN
    WHILE d <= last LOOP
        IF fx_ensure_tick_partition(d) THEN
            n := n + 1;
        END IF;
        d := d + 1;
    END LOOP;
    RETURN n;
END
$$;
