-- What a table was like before Fluxdesk enabled realtime on it, so disabling
-- puts back exactly that: its replica identity, a trigger of the same name
-- if one was there, and its registry row (or none).

CREATE TABLE fluxdesk.realtime_enablements (
  schema_name               text        NOT NULL,
  table_name                text        NOT NULL,
  -- pg_class.relreplident: d (default), n (nothing), f (full) or i (index).
  previous_replica_identity text        NOT NULL CHECK (previous_replica_identity IN ('d', 'n', 'f', 'i')),
  -- The replica identity index, when previous_replica_identity is i.
  previous_replica_index    text,
  -- pg_get_triggerdef() of a trigger that had the notify trigger's name.
  previous_trigger          text,
  -- Its pg_trigger.tgenabled: O (on), D (disabled), R (replica) or A (always).
  previous_trigger_enabled  text        CHECK (previous_trigger_enabled IN ('O', 'D', 'R', 'A')),
  -- The realtime.schema_registry row as it was (to_jsonb), or NULL when there was none.
  previous_registry         jsonb,
  enabled_at                timestamptz NOT NULL,
  enabled_by                uuid,
  PRIMARY KEY (schema_name, table_name)
);
COMMENT ON TABLE fluxdesk.realtime_enablements IS 'Fluxdesk: state of tables before it enabled realtime, restored when disabling';
