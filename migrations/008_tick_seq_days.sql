-- Which UTC days hold each symbol's seq numbers, and their lowest and
-- highest there. A read "after seq N" (GetTicksAfter: the bridges' read
-- back of what a feed missed) looks here first and then reads only the days
-- whose max_seq > N, in min_seq order, instead of planning (and locking)
-- every daily partition of ticks and tick_chunks, which with years of
-- history exhausts the lock table.
--
-- A statement trigger keeps it, so every writer of ticks does (COPY and
-- INSERT alike, a core of any release, the lifecycle's inflation of chunks
-- back into rows): one upsert per (symbol, day) a statement touched, from
-- its transition table. Deletes leave rows behind; a day whose ticks are gone
-- is read for nothing. Retention deletes the rows of the days it drops.
CREATE TABLE IF NOT EXISTS tick_seq_days (
    symbol text NOT NULL,
    day integer NOT NULL,  -- UTC days since 1970-01-01, as the partitions are numbered
    min_seq bigint NOT NULL,
    max_seq bigint NOT NULL,
    PRIMARY KEY (symbol, day)
);

CREATE OR REPLACE FUNCTION fx_note_tick_seq_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO tick_seq_days AS d (symbol, day, min_seq, max_seq)
    SELECT symbol, floor(extract(epoch FROM time) / 86400)::integer, min(seq), max(seq)
    FROM new_ticks WHERE seq IS NOT NULL GROUP BY 1, 2
    ON CONFLICT (symbol, day) DO UPDATE
        SET min_seq = least(d.min_seq, excluded.min_seq), max_seq = greatest(d.max_seq, excluded.max_seq)
        WHERE d.min_seq > excluded.min_seq OR d.max_seq < excluded.max_seq;
    RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS ticks_note_seq_days ON ticks;
CREATE TRIGGER ticks_note_seq_days AFTER INSERT ON ticks
    REFERENCING NEW TABLE AS new_ticks FOR EACH STATEMENT EXECUTE FUNCTION fx_note_tick_seq_days();

-- What is stored already: raw ticks and compacted chunks.
INSERT INTO tick_seq_days (symbol, day, min_seq, max_seq)
SELECT symbol, day, min(lo), max(hi) FROM (
    SELECT symbol, floor(extract(epoch FROM time) / 86400)::integer AS day, min(seq) AS lo, max(seq) AS hi
    FROM ticks WHERE seq IS NOT NULL GROUP BY 1, 2
    UNION ALL
    SELECT symbol, floor(extract(epoch FROM first_time) / 86400)::integer, min(seq_min), max(seq_max)
    FROM tick_chunks WHERE seq_max > 0 GROUP BY 1, 2
) s
GROUP BY symbol, day
ON CONFLICT (symbol, day) DO NOTHING;
