-- realtime.schema_registry: which tables publish changes on fluxbase_changes.

CREATE TABLE realtime.schema_registry (
  id serial NOT NULL,
  schema_name text NOT NULL,
  table_name text NOT NULL,
  realtime_enabled boolean DEFAULT true,
  events text[] DEFAULT ARRAY['INSERT', 'UPDATE', 'DELETE'],
  created_at timestamptz DEFAULT now(),
  updated_at timestamptz DEFAULT now(),
  excluded_columns text[] DEFAULT '{}'::text[],
  CONSTRAINT schema_registry_pkey PRIMARY KEY (id),
  CONSTRAINT schema_registry_schema_name_table_name_key UNIQUE (schema_name, table_name)
);
CREATE TRIGGER update_realtime_schema_registry_updated_at BEFORE UPDATE ON realtime.schema_registry
  FOR EACH ROW EXECUTE FUNCTION public.update_updated_at();
ALTER TABLE realtime.schema_registry ENABLE ROW LEVEL SECURITY;
ALTER TABLE realtime.schema_registry FORCE ROW LEVEL SECURITY;
CREATE POLICY "Authenticated users can view realtime configuration" ON realtime.schema_registry
  FOR SELECT TO authenticated USING (true);
CREATE POLICY "Admins can manage realtime configuration" ON realtime.schema_registry
  FOR ALL TO authenticated
  USING (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'dashboard_admin' OR auth.is_admin())
  WITH CHECK (auth.current_user_role() = 'service_role' OR auth.current_user_role() = 'dashboard_admin' OR auth.is_admin());
