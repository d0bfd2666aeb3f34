-- Candle rollups: 1 minute, 1 hour and 1 day (UTC), kept current in the same
-- transaction as every tick write (zero lag). Inserts merge the batch's
-- partial candles (fx_candles_merge_delta); edits and deletes recompute the
-- affected buckets from the finer level (fx_candles_recompute). Candles are
-- never computed from ticks at query time for minute and coarser resolutions.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['candles_1m', 'candles_1h', 'candles_1d'] LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I (
            symbol text NOT NULL,
            bucket timestamptz NOT NULL,
            open double precision NOT NULL,
            high double precision NOT NULL,
            low double precision NOT NULL,
            close double precision NOT NULL,
            tick_count bigint NOT NULL,
            first_time timestamptz NOT NULL,
            last_time timestamptz NOT NULL,
            PRIMARY KEY (symbol, bucket))', t);
    END LOOP;
END
$$;

-- Merges the session's candle_delta rows (partial candles of one write,
-- one row per level, symbol and bucket) into the rollups: open from the
-- earlier first tick, close from the later last tick, high = max, low = min,
-- count = sum. Rows are taken in key order so concurrent writers lock the
-- same rows in the same order. Returns the merged candles as they now are
-- (fx-core publishes them on its live feed after the commit).
CREATE OR REPLACE FUNCTION fx_candles_merge_delta()
RETURNS TABLE (level integer, symbol text, bucket timestamptz, open double precision, high double precision,
               low double precision, close double precision, tick_count bigint)
LANGUAGE plpgsql AS $$
DECLARE
    t text;
    lvl integer := 0;
BEGIN
    FOREACH t IN ARRAY ARRAY['candles_1m', 'candles_1h', 'candles_1d'] LOOP
        RETURN QUERY EXECUTE format('INSERT INTO %I AS c (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
            SELECT d.symbol, d.bucket, d.open, d.high, d.low, d.close, d.tick_count, d.first_time, d.last_time
            FROM candle_delta d WHERE d.level = $1 ORDER BY d.symbol, d.bucket
            ON CONFLICT (symbol, bucket) DO UPDATE SET
                open = CASE WHEN excluded.first_time < c.first_time THEN excluded.open ELSE c.open END,
                close = CASE WHEN excluded.last_time > c.last_time THEN excluded.close ELSE c.close END,
                high = greatest(c.high, excluded.high),
                low = least(c.low, excluded.low),
                tick_count = c.tick_count + excluded.tick_count,
                first_time = least(c.first_time, excluded.first_time),
                last_time = greatest(c.last_time, excluded.last_time)
            RETURNING $1, c.symbol, c.bucket, c.open, c.high, c.low, c.close, c.tick_count', t) USING lvl;
        lvl := lvl + 1;
    END LOOP;
END
$$;

-- Recomputes the candles of `sym` covering the instants [t_from, t_to]
-- (inclusive): minutes from ticks, hours from minutes, days from hours.
CREATE OR REPLACE FUNCTION fx_candles_recompute(sym text, t_from timestamptz, t_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    m0 timestamptz := date_trunc('minute', t_from, 'UTC');
    m1 timestamptz := date_trunc('minute', t_to, 'UTC') + interval '1 minute';
    h0 timestamptz := date_trunc('hour', t_from, 'UTC');
    h1 timestamptz := date_trunc('hour', t_to, 'UTC') + interval '1 hour';
    d0 timestamptz := date_trunc('day', t_from, 'UTC');
    d1 timestamptz := date_trunc('day', t_to, 'UTC') + interval '1 day';
BEGIN
    DELETE FROM candles_1m WHERE symbol = sym AND bucket >= m0 AND bucket < m1;
    INSERT INTO candles_1m
    SELECT sym, date_trunc('minute', time, 'UTC') AS b,
           (array_agg(price ORDER BY time))[1], max(price), min(price),
           (array_agg(price ORDER BY time DESC))[1], count(*), min(time), max(time)
    FROM ticks WHERE symbol = sym AND time >= m0 AND time < m1 GROUP BY b;

    DELETE FROM candles_1h WHERE symbol = sym AND bucket >= h0 AND bucket < h1;
    INSERT INTO candles_1h
    SELECT sym, date_trunc('hour', bucket, 'UTC') AS b,
           (array_agg(open ORDER BY first_time))[1], max(high), min(low),
           (array_agg(close ORDER BY last_time DESC))[1], sum(tick_count), min(first_time), max(last_time)
    FROM candles_1m WHERE symbol = sym AND bucket >= h0 AND bucket < h1 GROUP BY b;

    DELETE FROM candles_1d WHERE symbol = sym AND bucket >= d0 AND bucket < d1;
    INSERT INTO candles_1d
    SELECT sym, date_trunc('day', bucket, 'UTC') AS b,
           (array_agg(open ORDER BY first_time))[1], max(high), min(low),
           (array_agg(close ORDER BY last_time DESC))[1], sum(tick_count), min(first_time), max(last_time)
    FROM candles_1h WHERE symbol = sym AND bucket >= d0 AND bucket < d1 GROUP BY b;
END
$$;
