-- Mailshot schema, version 2: what the delivery engine keeps (DESIGN.md §5).
-- Runs inside one exclusive transaction; PRAGMA user_version is set by the store.

-- Why a campaign waits or was paused, and until when it waits (unix seconds).
ALTER TABLE campaigns ADD COLUMN reason TEXT;
ALTER TABLE campaigns ADD COLUMN wait_until INTEGER;
-- The key of the campaign's per-recipient tokens (List-Unsubscribe, X-Mailshot-Delivery).
ALTER TABLE campaigns ADD COLUMN token_secret TEXT;
-- 1 once every delivery row exists; until then the engine adds them in batches.
ALTER TABLE campaigns ADD COLUMN materialized INTEGER NOT NULL DEFAULT 0 CHECK (materialized IN (0, 1));

-- When the first attempt was made: 4xx replies are retried up to a maximum age.
ALTER TABLE deliveries ADD COLUMN first_attempt_at INTEGER;

-- When a server was stopped (authentication or TLS refused): saving the profile
-- after that time clears the stop.
ALTER TABLE server_state ADD COLUMN stopped_at INTEGER;

-- The send log counts in milliseconds: a quota of 2 per second needs it.  Nothing
-- wrote the version 1 table (the engine arrives with this version).
DROP TABLE send_log;
CREATE TABLE send_log (
  id          INTEGER PRIMARY KEY,
  server_id   INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  sent_at_ms  INTEGER NOT NULL,
  delivery_id INTEGER REFERENCES deliveries (id) ON DELETE SET NULL
);
CREATE INDEX send_log_window ON send_log (server_id, sent_at_ms);
CREATE INDEX send_log_delivery ON send_log (delivery_id);
