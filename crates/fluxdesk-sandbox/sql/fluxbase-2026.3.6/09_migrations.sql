-- migrations: Fluxbase's own version table and user migrations. service_role only, no RLS.

CREATE TABLE migrations.fluxbase (
  version bigint NOT NULL,
  dirty boolean NOT NULL,
  CONSTRAINT fluxbase_pkey PRIMARY KEY (version)
);
INSERT INTO migrations.fluxbase (version, dirty) VALUES (96, false);

CREATE TABLE migrations.app (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  namespace text NOT NULL DEFAULT 'default',
  name text NOT NULL,
  description text,
  up_sql text NOT NULL,
  down_sql text,
  version integer DEFAULT 1,
  status text DEFAULT 'pending',
  created_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  applied_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  applied_at timestamptz,
  rolled_back_at timestamptz,
  CONSTRAINT app_pkey PRIMARY KEY (id),
  CONSTRAINT unique_migration_namespace UNIQUE (namespace, name),
  CONSTRAINT valid_status CHECK (status IN ('pending', 'applied', 'failed', 'rolled_back'))
);
CREATE INDEX idx_migrations_app_namespace ON migrations.app (namespace);
CREATE INDEX idx_migrations_app_status ON migrations.app (status);
CREATE INDEX idx_migrations_app_namespace_status ON migrations.app (namespace, status);

CREATE TABLE migrations.execution_logs (
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  migration_id uuid NOT NULL REFERENCES migrations.app (id) ON DELETE CASCADE,
  action text NOT NULL,
  status text NOT NULL,
  duration_ms integer,
  error_message text,
  logs text,
  executed_at timestamptz NOT NULL DEFAULT now(),
  executed_by uuid REFERENCES auth.users (id) ON DELETE SET NULL,
  CONSTRAINT execution_logs_pkey PRIMARY KEY (id),
  CONSTRAINT valid_action CHECK (action IN ('apply', 'rollback')),
  CONSTRAINT valid_execution_status CHECK (status IN ('success', 'failed'))
);
CREATE INDEX idx_execution_logs_migration ON migrations.execution_logs (migration_id);
CREATE INDEX idx_execution_logs_executed_at ON migrations.execution_logs (executed_at DESC);
