-- logging.entries: Fluxbase's unified log store, partitioned by category.
-- Security events (logins, lockouts, 2FA, impersonation) land in
-- entries_security with the event name in fields->>'security_event'. No RLS.

CREATE TABLE logging.entries (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  "timestamp" timestamptz NOT NULL DEFAULT now(),
  category text NOT NULL,
  level text NOT NULL,
  message text NOT NULL,
  request_id text,
  trace_id text,
  component text,
  user_id uuid,
  ip_address inet,
  fields jsonb,
  execution_id uuid,
  line_number integer,
  custom_category text,
  CONSTRAINT entries_pkey PRIMARY KEY (id, category),
  CONSTRAINT valid_category CHECK (category IN ('system', 'http', 'security', 'execution', 'ai', 'custom')),
  CONSTRAINT valid_level CHECK (level IN ('trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic'))
) PARTITION BY LIST (category);
COMMENT ON TABLE logging.entries IS 'Unified log entries, partitioned by category';
COMMENT ON COLUMN logging.entries.custom_category IS 'User-defined category name when category is custom';

CREATE TABLE logging.entries_system PARTITION OF logging.entries FOR VALUES IN ('system');
CREATE TABLE logging.entries_http PARTITION OF logging.entries FOR VALUES IN ('http');
CREATE TABLE logging.entries_security PARTITION OF logging.entries FOR VALUES IN ('security');
CREATE TABLE logging.entries_execution PARTITION OF logging.entries FOR VALUES IN ('execution');
ALTER TABLE logging.entries_execution REPLICA IDENTITY FULL;
CREATE TABLE logging.entries_ai PARTITION OF logging.entries FOR VALUES IN ('ai');

CREATE INDEX idx_logging_entries_timestamp ON logging.entries ("timestamp" DESC);
CREATE INDEX idx_logging_entries_category_timestamp ON logging.entries (category, "timestamp" DESC);
CREATE INDEX idx_logging_entries_request_id ON logging.entries (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX idx_logging_entries_trace_id ON logging.entries (trace_id) WHERE trace_id IS NOT NULL;
CREATE INDEX idx_logging_entries_user_id ON logging.entries (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX idx_logging_entries_execution_id ON logging.entries (execution_id) WHERE execution_id IS NOT NULL;
CREATE INDEX idx_logging_entries_execution_line ON logging.entries (execution_id, line_number) WHERE execution_id IS NOT NULL;
CREATE INDEX idx_logging_entries_level ON logging.entries (level);
CREATE INDEX idx_logging_entries_component ON logging.entries (component) WHERE component IS NOT NULL;
CREATE INDEX idx_logging_entries_message_search ON logging.entries USING gin (to_tsvector('english', message));

GRANT ALL ON ALL TABLES IN SCHEMA logging TO service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA logging TO service_role;

-- Created after the grant above, as in Fluxbase: entries_custom has no grant of
-- its own, so it is reachable only through the parent.
CREATE TABLE logging.entries_custom PARTITION OF logging.entries FOR VALUES IN ('custom');
CREATE INDEX idx_logging_entries_custom_category ON logging.entries (custom_category) WHERE custom_category IS NOT NULL;
