-- Candle versions: every write of a rollup row (a merge or a recompute)
-- takes a new number from one sequence, so the states of one (symbol,
-- bucket) are ordered however many cores publish them, also across a
-- delete and re-insert of the row. Bridges forward a bucket's states in
-- version order. Expand-only: a previous release's core reads the first 8
-- columns of fx_candles_merge_delta() by index and keeps working.
CREATE SEQUENCE IF NOT EXISTS fx_candle_version;

-- Added with a constant default first (no table rewrite: existing rows read
-- 0, older than any write from now on), then the sequence as the default of
-- every row inserted after.
ALTER TABLE candles_1m ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0;
ALTER TABLE candles_1h ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0;
ALTER TABLE candles_1d ADD COLUMN IF NOT EXISTS version bigint NOT NULL DEFAULT 0;
ALTER TABLE candles_1m ALTER COLUMN version SET DEFAULT nextval('fx_candle_version');
ALTER TABLE candles_1h ALTER COLUMN version SET DEFAULT nextval('fx_candle_version');
ALTER TABLE candles_1d ALTER COLUMN version SET DEFAULT nextval('fx_candle_version');

-- The candle leader's scan of the buckets that just ended, every symbol.
CREATE INDEX IF NOT EXISTS candles_1m_bucket ON candles_1m (bucket);
CREATE INDEX IF NOT EXISTS candles_1h_bucket ON candles_1h (bucket);
CREATE INDEX IF NOT EXISTS candles_1d_bucket ON candles_1d (bucket);

-- 003's merge, with a new version on every row it inserts or updates,
-- returned as a last column. A return type cannot be changed in place.
DROP FUNCTION IF EXISTS fx_candles_merge_delta();
CREATE FUNCTION fx_candles_merge_delta()
RETURNS TABLE (level integer, symbol text, bucket timestamptz, open double precision, high double precision,
               low double precision, close double precision, tick_count bigint, version bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    INSERT INTO candles_1m AS c (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
    SELECT d.symbol, d.bucket, d.open, d.high, d.low, d.close, d.tick_count, d.first_time, d.last_time
    FROM candle_delta d WHERE d.level = 0 ORDER BY d.symbol, d.bucket
    ON CONFLICT (symbol, bucket) DO UPDATE SET
        open = CASE WHEN excluded.first_time < c.first_time THEN excluded.open ELSE c.open END,
        close = CASE WHEN excluded.last_time > c.last_time THEN excluded.close ELSE c.close END,
        high = greatest(c.high, excluded.high),
        low = least(c.low, excluded.low),
        tick_count = c.tick_count + excluded.tick_count,
        first_time = least(c.first_time, excluded.first_time),
        last_time = greatest(c.last_time, excluded.last_time),
        version = nextval('fx_candle_version')
    RETURNING 0, c.symbol, c.bucket, c.open, c.high, c.low, c.close, c.tick_count, c.version;

    RETURN QUERY
    INSERT INTO candles_1h AS c (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
    SELECT d.symbol, d.bucket, d.open, d.high, d.low, d.close, d.tick_count, d.first_time, d.last_time
    FROM candle_delta d WHERE d.level = 1 ORDER BY d.symbol, d.bucket
    ON CONFLICT (symbol, bucket) DO UPDATE SET
        open = CASE WHEN excluded.first_time < c.first_time THEN excluded.open ELSE c.open END,
        close = CASE WHEN excluded.last_time > c.last_time THEN excluded.close ELSE c.close END,
        high = greatest(c.high, excluded.high),
        low = least(c.low, excluded.low),
        tick_count = c.tick_count + excluded.tick_count,
        first_time = least(c.first_time, excluded.first_time),
        last_time = greatest(c.last_time, excluded.last_time),
        version = nextval('fx_candle_version')
    RETURNING 1, c.symbol, c.bucket, c.open, c.high, c.low, c.close, c.tick_count, c.version;

    RETURN QUERY
    INSERT INTO candles_1d AS c (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
    SELECT d.symbol, d.bucket, d.open, d.high, d.low, d.close, d.tick_count, d.first_time, d.last_time
    FROM candle_delta d WHERE d.level = 2 ORDER BY d.symbol, d.bucket
    ON CONFLICT (symbol, bucket) DO UPDATE SET
        open = CASE WHEN excluded.first_time < c.first_time THEN excluded.open ELSE c.open END,
        close = CASE WHEN excluded.last_time > c.last_time THEN excluded.close ELSE c.close END,
        high = greatest(c.high, excluded.high),
        low = least(c.low, excluded.low),
        tick_count = c.tick_count + excluded.tick_count,
        first_time = least(c.first_time, excluded.first_time),
        last_time = greatest(c.last_time, excluded.last_time),
        version = nextval('fx_candle_version')
    RETURNING 2, c.symbol, c.bucket, c.open, c.high, c.low, c.close, c.tick_count, c.version;
END
$$;

-- 002's recompute with named columns: the rows it inserts take new versions
-- (the column's default). A custom day, read back as the sum of 24 hourly
-- rows, takes the highest version among them; an edit that empties an hour
-- deletes that hour's row, so the hours within a day of the edit get new
-- versions too, and that maximum still grows.
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
    INSERT INTO candles_1m (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
    SELECT sym, date_trunc('minute', time, 'UTC') AS b,
           (array_agg(price ORDER BY time))[1], max(price), min(price),
           (array_agg(price ORDER BY time DESC))[1], count(*), min(time), max(time)
    FROM ticks WHERE symbol = sym AND time >= m0 AND time < m1 GROUP BY b;

    DELETE FROM candles_1h WHERE symbol = sym AND bucket >= h0 AND bucket < h1;
    INSERT INTO candles_1h (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
    SELECT sym, date_trunc('hour', bucket, 'UTC') AS b,
           (array_agg(open ORDER BY first_time))[1], max(high), min(low),
           (array_agg(close ORDER BY last_time DESC))[1], sum(tick_count), min(first_time), max(last_time)
    FROM candles_1m WHERE symbol = sym AND bucket >= h0 AND bucket < h1 GROUP BY b;
    UPDATE candles_1h SET version = nextval('fx_candle_version')
    WHERE symbol = sym AND ((bucket >= h0 - interval '1 day' AND bucket < h0)
                            OR (bucket >= h1 AND bucket < h1 + interval '1 day'));

    DELETE FROM candles_1d WHERE symbol = sym AND bucket >= d0 AND bucket < d1;
    INSERT INTO candles_1d (symbol, bucket, open, high, low, close, tick_count, first_time, last_time)
    SELECT sym, date_trunc('day', bucket, 'UTC') AS b,
           (array_agg(open ORDER BY first_time))[1], max(high), min(low),
           (array_agg(close ORDER BY last_time DESC))[1], sum(tick_count), min(first_time), max(last_time)
    FROM candles_1h WHERE symbol = sym AND bucket >= d0 AND bucket < d1 GROUP BY b;
END
$$;
