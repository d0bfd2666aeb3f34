-- A per-symbol sequence number on every stored tick, assigned in the write
-- transaction under the symbol's advisory lock, so that it grows with the
-- commit order of the symbol's ticks: live feeds carry it, and a bridge that
-- sees a gap (or lost a core) reads the missing ticks back by (symbol, seq).
-- Expand only: ticks stored before (or by a core of the previous release)
-- keep a NULL seq and are simply not part of any "after seq" read.
ALTER TABLE ticks ADD COLUMN IF NOT EXISTS seq bigint;
CREATE INDEX IF NOT EXISTS ticks_symbol_seq ON ticks (symbol, seq);

-- The last seq handed out per symbol. Rows are taken under the symbol's
-- advisory lock, so a reservation and its ticks commit (or roll back)
-- together and the numbers stay dense.
CREATE TABLE IF NOT EXISTS symbol_seq (
    symbol text PRIMARY KEY,
    last_seq bigint NOT NULL
);
