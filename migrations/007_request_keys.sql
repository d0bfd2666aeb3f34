-- The writes fx-core has run, by request key (the client handle's random id
-- and the request's id), each recorded in the write's own transaction with
-- the rows it changed. nng's REQ sends a request again when its core's
-- connection closes (a crash, a failover) or when it waits unanswered for
-- the resend time: a resend that finds its key is answered from here and
-- changes nothing, on any core. Rows older than an hour are pruned by the
-- leader; resends come within seconds, or after 60 s at most.
CREATE TABLE IF NOT EXISTS request_keys (
    client bigint NOT NULL,
    id bigint NOT NULL,
    rows bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client, id)
);
CREATE INDEX IF NOT EXISTS request_keys_created_at ON request_keys (created_at);
