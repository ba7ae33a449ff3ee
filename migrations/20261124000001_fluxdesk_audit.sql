-- Fluxdesk's own schema inside an administered instance: the tamper-evident
-- audit trail and the TOTP replay guard. The migration ledger lives here too
-- (core runs the migrator with search_path = fluxdesk).

CREATE SCHEMA IF NOT EXISTS fluxdesk;
COMMENT ON SCHEMA fluxdesk IS 'Fluxdesk desktop console: audit trail and sign-in bookkeeping';

-- One row per admin action. Append-only and hash-chained: `hash` is the
-- SHA-256 of the event's canonical form (which includes `prev_hash`), so
-- editing, removing or reordering any event breaks verification from there on.
CREATE TABLE fluxdesk.audit_events (
  seq            bigint      PRIMARY KEY CHECK (seq >= 1),
  occurred_at    timestamptz NOT NULL,
  admin_id       uuid,
  admin_email    text,
  instance       text        NOT NULL,
  action         text        NOT NULL,
  target         text,
  details        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  outcome        text        NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  client_version text        NOT NULL,
  prev_hash      text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash           text        NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
  -- No two events may follow the same one: a fork is a constraint violation,
  -- whatever the writers do.
  CONSTRAINT audit_events_one_successor UNIQUE (prev_hash)
);
CREATE INDEX audit_events_occurred_at ON fluxdesk.audit_events (occurred_at);
CREATE INDEX audit_events_admin ON fluxdesk.audit_events (admin_id, occurred_at);
COMMENT ON TABLE fluxdesk.audit_events IS 'Fluxdesk audit trail: append-only, SHA-256 hash chain ordered by seq';

CREATE FUNCTION fluxdesk.reject_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'fluxdesk.audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON fluxdesk.audit_events
  FOR EACH ROW EXECUTE FUNCTION fluxdesk.reject_audit_change();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON fluxdesk.audit_events
  FOR EACH ROW EXECUTE FUNCTION fluxdesk.reject_audit_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON fluxdesk.audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION fluxdesk.reject_audit_change();

-- TOTP time steps already accepted per admin. The primary key makes a replayed
-- code fail even when two Fluxdesk installs check it at the same moment.
CREATE TABLE fluxdesk.totp_used_steps (
  admin_id uuid        NOT NULL,
  step     bigint      NOT NULL,
  used_at  timestamptz NOT NULL,
  PRIMARY KEY (admin_id, step)
);
COMMENT ON TABLE fluxdesk.totp_used_steps IS 'TOTP replay guard: time steps already used by each admin';
