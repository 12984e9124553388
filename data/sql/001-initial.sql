-- Mailshot schema, version 1: the whole data model of DESIGN.md §4.
-- Runs inside one exclusive transaction; PRAGMA user_version is set by the store.
-- CHECKs spell value sets as OR-ed equalities: SQLite 3.40 builds a temporary
-- table per written row for an IN list of more than two values.

CREATE TABLE servers (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE CHECK (length (name) > 0),
  transport           TEXT NOT NULL DEFAULT 'smtp' CHECK ((transport = 'smtp' OR transport = 'sendmail' OR transport = 'folder')),
  host                TEXT,
  port                INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
  security            TEXT NOT NULL DEFAULT 'tls' CHECK ((security = 'tls' OR security = 'starttls' OR security = 'none')),
  login               TEXT,
  sender_address      TEXT NOT NULL,
  sender_name         TEXT,
  allow_sender_substitution INTEGER NOT NULL DEFAULT 0 CHECK (allow_sender_substitution IN (0, 1)),
  priority            INTEGER NOT NULL DEFAULT 0,
  enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  max_connections     INTEGER NOT NULL DEFAULT 1 CHECK (max_connections >= 1),
  pause_ms            INTEGER NOT NULL DEFAULT 0 CHECK (pause_ms >= 0),
  max_message_size    INTEGER CHECK (max_message_size IS NULL OR max_message_size > 0),
  max_recipients      INTEGER CHECK (max_recipients IS NULL OR max_recipients > 0),
  folder              TEXT,
  ca_file             TEXT,
  pinned_fingerprint  TEXT,
  incoming_protocol   TEXT CHECK (incoming_protocol IS NULL OR incoming_protocol IN ('imap', 'pop3')),
  incoming_host       TEXT,
  incoming_port       INTEGER CHECK (incoming_port IS NULL OR incoming_port BETWEEN 1 AND 65535),
  incoming_security   TEXT CHECK (incoming_security IS NULL OR (incoming_security = 'tls' OR incoming_security = 'starttls' OR incoming_security = 'none')),
  incoming_login      TEXT,
  incoming_folder     TEXT,
  incoming_keep       INTEGER NOT NULL DEFAULT 1 CHECK (incoming_keep IN (0, 1)),
  incoming_move_to    TEXT,
  dkim_domain         TEXT,
  dkim_selector       TEXT,
  dkim_key_ref        TEXT,
  created_at          INTEGER NOT NULL DEFAULT (unixepoch ()),
  updated_at          INTEGER NOT NULL DEFAULT (unixepoch ())
);

CREATE TABLE server_quotas (
  id          INTEGER PRIMARY KEY,
  server_id   INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  max_count   INTEGER NOT NULL CHECK (max_count > 0),
  window_secs INTEGER NOT NULL CHECK (window_secs > 0),
  UNIQUE (server_id, window_secs)
);

CREATE TABLE server_state (
  server_id            INTEGER PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
  cooldown_until       INTEGER,
  reason               TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  stopped              INTEGER NOT NULL DEFAULT 0 CHECK (stopped IN (0, 1))
);

CREATE TABLE templates (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE CHECK (length (name) > 0),
  subject        TEXT NOT NULL DEFAULT '',
  body_format    TEXT NOT NULL DEFAULT 'markdown' CHECK ((body_format = 'markdown' OR body_format = 'html' OR body_format = 'text')),
  body           TEXT NOT NULL DEFAULT '',
  text_alt       TEXT,
  sender_address TEXT,
  sender_name    TEXT,
  reply_to       TEXT,
  created_at     INTEGER NOT NULL DEFAULT (unixepoch ()),
  updated_at     INTEGER NOT NULL DEFAULT (unixepoch ())
);

CREATE TABLE template_attachments (
  id           INTEGER PRIMARY KEY,
  template_id  INTEGER NOT NULL REFERENCES templates (id) ON DELETE CASCADE,
  filename     TEXT NOT NULL CHECK (length (filename) > 0),
  content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
  data         BLOB NOT NULL
);
CREATE INDEX template_attachments_template ON template_attachments (template_id);

CREATE TABLE contacts (
  id            INTEGER PRIMARY KEY,
  email         TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (instr (email, '@') > 1),
  name          TEXT NOT NULL DEFAULT '',
  first_name    TEXT NOT NULL DEFAULT '',
  last_name     TEXT NOT NULL DEFAULT '',
  fields        TEXT CHECK (fields IS NULL OR json_valid (fields)),
  status        TEXT NOT NULL DEFAULT 'active'
                CHECK ((status = 'active' OR status = 'unsubscribed' OR status = 'bounced' OR status = 'complained')),
  status_reason TEXT,
  status_time   INTEGER,
  soft_bounces  INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL DEFAULT (unixepoch ()),
  updated_at    INTEGER NOT NULL DEFAULT (unixepoch ())
);
-- Most contacts are active: index only the others (the query adds the same
-- condition).  Ids only grow, so "newest first" sorts by id, not by a time index.
CREATE INDEX contacts_status ON contacts (status, email) WHERE status <> 'active';
CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE);

CREATE TABLE lists (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE CHECK (length (name) > 0),
  created_at  INTEGER NOT NULL DEFAULT (unixepoch ())
);

CREATE TABLE list_members (
  list_id     INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  contact_id  INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  added_at    INTEGER NOT NULL DEFAULT (unixepoch ()),
  PRIMARY KEY (list_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX list_members_contact ON list_members (contact_id);

CREATE TABLE campaigns (
  id              INTEGER PRIMARY KEY,
  name            TEXT NOT NULL UNIQUE CHECK (length (name) > 0),
  template_id     INTEGER REFERENCES templates (id) ON DELETE SET NULL,
  template_snapshot TEXT CHECK (template_snapshot IS NULL OR json_valid (template_snapshot)),
  state           TEXT NOT NULL DEFAULT 'draft'
                  CHECK ((state = 'draft' OR state = 'scheduled' OR state = 'running' OR state = 'paused' OR state = 'waiting' OR state = 'finished' OR state = 'cancelled')),
  start_at        INTEGER,
  window_start    INTEGER CHECK (window_start IS NULL OR window_start BETWEEN 0 AND 1439),
  window_end      INTEGER CHECK (window_end IS NULL OR window_end BETWEEN 0 AND 1440),
  window_days     INTEGER NOT NULL DEFAULT 127 CHECK (window_days BETWEEN 0 AND 127),
  created_at      INTEGER NOT NULL DEFAULT (unixepoch ()),
  started_at      INTEGER,
  finished_at     INTEGER
);

CREATE TABLE campaign_lists (
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  list_id     INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
  exclude     INTEGER NOT NULL DEFAULT 0 CHECK (exclude IN (0, 1)),
  PRIMARY KEY (campaign_id, list_id)
) WITHOUT ROWID;

CREATE TABLE campaign_servers (
  campaign_id INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  server_id   INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  PRIMARY KEY (campaign_id, server_id)
) WITHOUT ROWID;

CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY,
  campaign_id     INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  contact_id      INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
  email           TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'queued'
                  CHECK ((state = 'queued' OR state = 'sending' OR state = 'data-sent' OR state = 'sent' OR state = 'failed' OR state = 'uncertain' OR state = 'suppressed' OR state = 'bounced' OR state = 'cancelled')),
  message_id      TEXT NOT NULL UNIQUE,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  server_id       INTEGER REFERENCES servers (id) ON DELETE SET NULL,
  reply_code      INTEGER,
  reply_enhanced  TEXT,
  reply_text      TEXT,
  updated_at      INTEGER NOT NULL DEFAULT (unixepoch ()),
  UNIQUE (campaign_id, contact_id)
);
CREATE INDEX deliveries_queue ON deliveries (campaign_id, state, next_attempt_at);
CREATE INDEX deliveries_email ON deliveries (email COLLATE NOCASE);

CREATE TABLE send_log (
  id          INTEGER PRIMARY KEY,
  server_id   INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  sent_at     INTEGER NOT NULL,
  delivery_id INTEGER REFERENCES deliveries (id) ON DELETE SET NULL
);
CREATE INDEX send_log_window ON send_log (server_id, sent_at);

CREATE TABLE bounces (
  id            INTEGER PRIMARY KEY,
  delivery_id   INTEGER REFERENCES deliveries (id) ON DELETE SET NULL,
  contact_id    INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
  server_id     INTEGER REFERENCES servers (id) ON DELETE SET NULL,
  kind          TEXT NOT NULL CHECK ((kind = 'bounce' OR kind = 'complaint' OR kind = 'autoreply' OR kind = 'unsubscribe')),
  recipient     TEXT,
  status        TEXT,
  reply_code    INTEGER,
  reason        TEXT,
  hard          INTEGER NOT NULL DEFAULT 0 CHECK (hard IN (0, 1)),
  diagnostic    TEXT,
  message_id    TEXT,
  received_at   INTEGER NOT NULL DEFAULT (unixepoch ())
);
CREATE INDEX bounces_delivery ON bounces (delivery_id);
CREATE INDEX bounces_contact ON bounces (contact_id);

CREATE TABLE mailbox_seen (
  server_id    INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  mailbox      TEXT NOT NULL,
  uidvalidity  INTEGER NOT NULL DEFAULT 0,
  uid          TEXT NOT NULL,
  seen_at      INTEGER NOT NULL DEFAULT (unixepoch ()),
  PRIMARY KEY (server_id, mailbox, uidvalidity, uid)
) WITHOUT ROWID;
