-- Fluxbase-compatible schema, v2026.3.6 layout: roles, extensions, schemas.
--
-- Written for Fluxdesk's tests and demo from a description of Fluxbase's
-- migrations (see ARCHITECTURE.md, "The sandbox"). It reproduces, for every
-- object Fluxdesk touches, the same names, columns, types, defaults, triggers,
-- RLS policies and FORCE RLS flags, including Fluxbase's known quirks.
-- Deliberately absent: the ai, functions, jobs, rpc, branching, mcp, system and
-- api schemas, and the pgvector extension (Debian ships none for PG 15).

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$$;

COMMENT ON ROLE anon IS 'Anonymous role for unauthenticated requests with public access only';
COMMENT ON ROLE authenticated IS 'Authenticated role for users with valid JWT tokens';
COMMENT ON ROLE service_role IS 'Service role for backend services with elevated permissions and RLS bypass';

-- Fluxbase grants the three roles to its migration and runtime users so they can SET LOCAL ROLE.
GRANT anon TO CURRENT_USER;
GRANT authenticated TO CURRENT_USER;
GRANT service_role TO CURRENT_USER;

CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;

CREATE SCHEMA IF NOT EXISTS auth;
CREATE SCHEMA IF NOT EXISTS app;
CREATE SCHEMA IF NOT EXISTS dashboard;
CREATE SCHEMA IF NOT EXISTS storage;
CREATE SCHEMA IF NOT EXISTS realtime;
CREATE SCHEMA IF NOT EXISTS migrations;
CREATE SCHEMA IF NOT EXISTS logging;

COMMENT ON SCHEMA app IS 'Schema for application-level configuration, settings, and metadata';
COMMENT ON SCHEMA dashboard IS 'Schema for dashboard/platform administrator authentication and management';
COMMENT ON SCHEMA migrations IS 'Schema for all migration tracking including system, user, and API-managed migrations';
COMMENT ON SCHEMA logging IS 'Central logging system for unified log storage';

GRANT USAGE ON SCHEMA auth, app, storage, realtime, dashboard, public, logging TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA migrations TO service_role;

-- Default privileges as Fluxbase's migration role leaves them: new tables in
-- these schemas are readable and writable by authenticated (RLS decides),
-- everything by service_role; new tables in public go to service_role only.
ALTER DEFAULT PRIVILEGES IN SCHEMA auth GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA dashboard GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA realtime GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA auth GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA dashboard GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA storage GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA realtime GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA migrations GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA migrations GRANT ALL ON SEQUENCES TO service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT ALL ON TABLES TO service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO service_role;
