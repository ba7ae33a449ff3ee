-- Table grants as Fluxbase's 027_grants leaves them. RLS decides what
-- authenticated may actually see; anon reads only settings and storage.

GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth, app, storage, realtime, dashboard TO authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA auth, app, storage, realtime, dashboard TO service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA auth, app, storage, realtime, dashboard TO service_role;
GRANT SELECT ON app.settings, storage.buckets, storage.objects TO anon;
GRANT ALL ON ALL TABLES IN SCHEMA migrations TO service_role;
GRANT ALL ON ALL TABLES IN SCHEMA public TO service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO service_role;
