-- Data lifecycle (server/lifecycle.c): compact storage of old days and
-- retention that drops old days' ticks but keeps their candles.

-- Compacted ticks: one row per chunk of up to ~1000 consecutive ticks of one
-- symbol, their times, prices and seqs column by column in `data`
-- (server/tick_codec.c: delta-encoded, decoded in fx-core). A chunk lies
-- within one UTC day; partitioned by day like ticks, so retention drops a
-- day of both with two partition drops. The chunks of a symbol never
-- overlap in time, and no raw tick of the symbol lies within a chunk's
-- [first_time, last_time]: writes that would break this decode the chunks
-- they touch back into raw ticks first (tick_store.c), and the next
-- maintenance compacts the day again.
CREATE TABLE IF NOT EXISTS tick_chunks (
    symbol text NOT NULL,
    first_time timestamptz NOT NULL,
    last_time timestamptz NOT NULL,
    tick_count integer NOT NULL CHECK (tick_count > 0),
    seq_min bigint NOT NULL,
    seq_max bigint NOT NULL,
    data bytea NOT NULL,
    CONSTRAINT tick_chunks_pkey PRIMARY KEY (symbol, first_time),
    CHECK (last_time >= first_time)
) PARTITION BY RANGE (first_time);

-- Reads by seq (GetTicksAfter) find the chunks holding seqs after a number.
CREATE INDEX IF NOT EXISTS tick_chunks_symbol_seq ON tick_chunks (symbol, seq_max);

-- What maintenance did to a whole UTC day (all symbols). No row: raw.
--   compact: its ticks were compacted into tick_chunks at compacted_at (late
--            writes since may have added raw ticks; the next run folds them in)
--   sealed:  retention dropped its ticks; its candles are kept, and writes
--            and edits of the day are refused
CREATE TABLE IF NOT EXISTS tick_days (
    day date PRIMARY KEY,
    state text NOT NULL CHECK (state IN ('compact', 'sealed')),
    ticks bigint NOT NULL,          -- ticks compacted, or dropped
    raw_bytes bigint NOT NULL,      -- the day's raw partition before
    compact_bytes bigint NOT NULL,  -- its chunks' partition after (0: sealed)
    changed_at timestamptz NOT NULL DEFAULT now()
);

-- Creates the partition of `parent` (ticks or tick_chunks, both
-- partitioned by UTC day) holding `day` unless it exists; named
-- <parent>_pYYYYMMDD. An advisory lock serialises concurrent creators; the
-- loser's catalog lookup can still miss the winner's table (catalog caches
-- are refreshed by relation locks, not advisory ones), so "already exists"
-- is caught and means done.
CREATE OR REPLACE FUNCTION fx_ensure_day_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    part text := parent || '_p' || to_char(day, 'YYYYMMDD');
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('fx_ticks_partitions'));
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                       part, parent,
                       (day::timestamp AT TIME ZONE 'UTC'),
                       ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        RETURN false;
    END;
    RETURN true;
END
$$;

CREATE OR REPLACE FUNCTION fx_ensure_chunk_partition(day date) RETURNS boolean
LANGUAGE sql AS $$ SELECT fx_ensure_day_partition('tick_chunks', day) $$;

-- 001's function, which now leaves a sealed day without partition: its
-- ticks were dropped on purpose, and writes to it are refused anyway.
CREATE OR REPLACE FUNCTION fx_ensure_tick_partition(day date) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tick_days d WHERE d.day = fx_ensure_tick_partition.day AND d.state = 'sealed') THEN
        RETURN false;
    END IF;
    RETURN fx_ensure_day_partition('ticks', day);
END
$$;

-- Every day partition of ticks and tick_chunks: the one place that reads a
-- day out of a partition's name. The CASE keeps to_date away from other
-- relations' names: a filter on `day` may be evaluated before the join.
CREATE OR REPLACE VIEW fx_day_partitions AS
SELECT CASE WHEN c.relname ~ '_p[0-9]{8}$' THEN to_date(right(c.relname, 8), 'YYYYMMDD') END AS day,
       i.inhparent::regclass::text AS parent,
       c.oid::regclass AS partition
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent IN ('ticks'::regclass, 'tick_chunks'::regclass) AND c.relname ~ '_p[0-9]{8}$';
