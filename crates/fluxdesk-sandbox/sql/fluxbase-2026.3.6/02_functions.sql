-- Claim helpers used by every RLS policy. They read the transaction-local
-- GUC request.jwt.claims that Fluxbase sets per request; the role they return
-- is the app role from the claims, not current_user.

CREATE OR REPLACE FUNCTION auth.current_user_id() RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
DECLARE
  claims text;
  subject text;
BEGIN
  claims := current_setting('request.jwt.claims', true);
  IF claims IS NOT NULL AND claims <> '' THEN
    subject := claims::json ->> 'sub';
    IF subject IS NOT NULL AND subject <> '' THEN
      RETURN subject::uuid;
    END IF;
  END IF;
  RETURN NULL;
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN auth.current_user_id();
EXCEPTION WHEN OTHERS THEN
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION auth.jwt() RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
  claims text;
BEGIN
  claims := current_setting('request.jwt.claims', true);
  IF claims IS NOT NULL AND claims <> '' THEN
    BEGIN
      RETURN claims::jsonb;
    EXCEPTION WHEN OTHERS THEN
      RETURN NULL;
    END;
  END IF;
  RETURN NULL;
END;
$$;

-- No exception handler here, as in Fluxbase: malformed claims raise an error.
CREATE OR REPLACE FUNCTION auth.current_user_role() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  claims text;
  claimed_role text;
BEGIN
  claims := current_setting('request.jwt.claims', true);
  IF claims IS NOT NULL AND claims <> '' THEN
    claimed_role := claims::json ->> 'role';
    IF claimed_role IS NOT NULL AND claimed_role <> '' THEN
      RETURN claimed_role;
    END IF;
  END IF;
  RETURN 'anon';
END;
$$;

CREATE OR REPLACE FUNCTION auth.role() RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN auth.current_user_role();
END;
$$;

CREATE OR REPLACE FUNCTION auth.is_authenticated() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN auth.current_user_id() IS NOT NULL;
END;
$$;

-- Only the literal app role 'admin' counts; 'dashboard_admin' does not.
CREATE OR REPLACE FUNCTION auth.is_admin() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN auth.current_user_role() = 'admin';
END;
$$;

CREATE OR REPLACE FUNCTION auth.enable_rls(table_name text, schema_name text DEFAULT 'public') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I.%I ENABLE ROW LEVEL SECURITY', schema_name, table_name);
  EXECUTE format('ALTER TABLE %I.%I FORCE ROW LEVEL SECURITY', schema_name, table_name);
END;
$$;
COMMENT ON FUNCTION auth.enable_rls(text, text) IS
  'Enables Row Level Security on the specified table and forces it even for table owners.';

-- Disables RLS but, as in Fluxbase, leaves FORCE set.
CREATE OR REPLACE FUNCTION auth.disable_rls(table_name text, schema_name text DEFAULT 'public') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I.%I DISABLE ROW LEVEL SECURITY', schema_name, table_name);
END;
$$;

-- The app_metadata guard: only claim roles admin and dashboard_admin may change
-- app_metadata. service_role claims and superusers without claims are refused.
CREATE OR REPLACE FUNCTION auth.validate_app_metadata_update() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
  user_role text;
BEGIN
  user_role := auth.current_user_role();
  IF OLD.app_metadata IS DISTINCT FROM NEW.app_metadata
     AND user_role NOT IN ('admin', 'dashboard_admin')
     AND NOT auth.is_admin() THEN
    RAISE EXCEPTION 'Only admins can modify app_metadata' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION public.update_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$$;

-- Realtime: every enabled table gets <table>_realtime_notify calling this.
-- Not SECURITY DEFINER, as in Fluxbase, so anon writes to realtime tables fail
-- on the registry lookup.
CREATE OR REPLACE FUNCTION public.notify_realtime_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  excluded_cols text[];
  excluded_col text;
  -- Not "old"/"new": PL/pgSQL names are case-insensitive and would hide OLD/NEW.
  new_payload jsonb;
  old_payload jsonb;
BEGIN
  SELECT excluded_columns INTO excluded_cols
  FROM realtime.schema_registry
  WHERE schema_name = TG_TABLE_SCHEMA AND table_name = TG_TABLE_NAME;

  IF TG_OP <> 'DELETE' THEN
    new_payload := to_jsonb(NEW);
    IF excluded_cols IS NOT NULL THEN
      FOREACH excluded_col IN ARRAY excluded_cols LOOP
        new_payload := new_payload - excluded_col;
      END LOOP;
    END IF;
  END IF;

  IF TG_OP <> 'INSERT' THEN
    old_payload := to_jsonb(OLD);
    IF excluded_cols IS NOT NULL THEN
      FOREACH excluded_col IN ARRAY excluded_cols LOOP
        old_payload := old_payload - excluded_col;
      END LOOP;
    END IF;
  END IF;

  PERFORM pg_notify('fluxbase_changes', json_build_object(
    'schema', TG_TABLE_SCHEMA,
    'table', TG_TABLE_NAME,
    'type', TG_OP,
    'record', new_payload,
    'old_record', old_payload
  )::text);

  RETURN COALESCE(NEW, OLD);
END;
$$;
