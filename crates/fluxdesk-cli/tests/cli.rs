//! `fluxdesk-cli` as scripts use it: real binary, real database, real output.

use fluxdesk_sandbox::read_only_demo_database;
use serde_json::Value;
use std::process::{Command, Output};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fluxdesk-cli"))
        .args(args)
        .env_remove("FLUXDESK_DSN")
        .output()
        .expect("fluxdesk-cli runs")
}

fn demo_dsn() -> String {
    read_only_demo_database().url.clone()
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

#[test]
fn tables_lists_every_schema_with_estimates() {
    let dsn = demo_dsn();
    let text = cli(&["--dsn", &dsn, "tables"]);
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("events") && text.contains("1000000"), "{text}");
    assert!(
        text.contains("dashboard") && text.contains("Café \"Menü\" items"),
        "{text}"
    );

    let json = stdout_json(&cli(&["--dsn", &dsn, "tables", "--json"]));
    let tables = json.as_array().expect("an array of tables");
    let todos = tables
        .iter()
        .find(|t| t["schema"] == "public" && t["name"] == "todos")
        .expect("public.todos is listed");
    assert_eq!(todos["kind"], "table");
    assert_eq!(todos["estimated_rows"], 250);
    assert!(
        tables
            .iter()
            .any(|t| t["schema"] == "auth" && t["name"] == "users")
    );

    let only_public = stdout_json(&cli(&["--dsn", &dsn, "tables", "public", "--json"]));
    assert!(
        only_public
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["schema"] == "public")
    );
}

#[test]
fn rows_pages_by_key_in_the_documented_shape() {
    let dsn = demo_dsn();
    let todos_page = |after: &[&str]| {
        let mut args = vec!["--dsn", &dsn, "rows", "public.todos", "--limit", "50", "--json"];
        args.extend_from_slice(after);
        stdout_json(&cli(&args))
    };
    let page = todos_page(&[]);
    assert_eq!(page["table"]["schema"], "public");
    assert_eq!(page["order"], "primary_key");
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50);
    assert_eq!(rows[0]["id"], 1);
    assert_eq!(rows[49]["id"], 50);
    assert!(rows[0]["done"].is_boolean());
    assert!(rows[0]["tags"].is_string(), "arrays come as their text form");
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "id", "row objects keep the table's column order");
    assert_eq!(page["columns"][0]["data_type"], "bigint");

    let next = page["next"].as_str().expect("more rows follow");
    let second = todos_page(&["--after", next]);
    assert_eq!(second["rows"][0]["id"], 51);

    let projects = stdout_json(&cli(&["--dsn", &dsn, "rows", "public.projects", "--json"]));
    assert!(
        projects["rows"][0]["settings"].is_object(),
        "jsonb is embedded as JSON"
    );
    assert_eq!(projects["next"], Value::Null);
}

#[test]
fn failures_are_one_line_with_a_documented_exit_status() {
    let dsn = demo_dsn();
    let missing = cli(&["--dsn", &dsn, "rows", "public.nope", "--json"]);
    assert_eq!(missing.status.code(), Some(4));
    assert!(missing.stdout.is_empty(), "nothing on stdout on failure");
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let error: Value = serde_json::from_str(&stderr).unwrap();
    assert_eq!(error["code"], "not_found");

    let refused = cli(&["--dsn", "postgres://x@127.0.0.1:1/db", "tables"]);
    assert_eq!(refused.status.code(), Some(3));
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(
        stderr.starts_with("fluxdesk-cli: error: ") && stderr.contains("refused"),
        "{stderr}"
    );

    let no_dsn = cli(&["tables"]);
    assert_eq!(no_dsn.status.code(), Some(2));

    let bad_name = cli(&["--dsn", &dsn, "rows", "a.b.c"]);
    assert_eq!(bad_name.status.code(), Some(2));

    let bad_cursor = cli(&["--dsn", &dsn, "rows", "public.todos", "--after", "42"]);
    assert_eq!(bad_cursor.status.code(), Some(2));
}

#[test]
fn help_documents_the_json_shapes() {
    let help = cli(&["--help"]);
    let text = String::from_utf8(help.stdout).unwrap();
    for needle in ["JSON OUTPUT", "\"estimated_rows\"", "\"next\"", "exit status"] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
}

#[test]
fn usage_errors_are_one_line_too() {
    for args in [
        vec!["tables", "--bogus"],
        vec!["rows"],
        vec!["--dsn", "postgres://x@y/z", "rows", "t", "--limit", "abc"],
        vec![],
    ] {
        let output = cli(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    let json = cli(&["tables", "--bogus", "--json"]);
    let error: Value = serde_json::from_slice(&json.stderr).expect("with --json the usage error is JSON");
    assert_eq!(error["code"], "invalid_input");
    assert!(error["message"].as_str().unwrap().contains("--bogus"));
}

#[test]
fn schemas_and_unknown_schemas() {
    let dsn = demo_dsn();
    let schemas = stdout_json(&cli(&["--dsn", &dsn, "schemas", "--json"]));
    let public = schemas
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "public")
        .expect("public is listed");
    assert_eq!(public["relation_count"], 6);

    let missing = cli(&["--dsn", &dsn, "tables", "nosuchschema"]);
    assert_eq!(
        missing.status.code(),
        Some(4),
        "an unknown schema is not an empty one"
    );
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .contains("nosuchschema")
    );
}

#[test]
fn views_say_only_their_first_page_is_shown() {
    let output = cli(&[
        "--dsn",
        &demo_dsn(),
        "rows",
        "public.project_overview",
        "--limit",
        "3",
    ]);
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("first page only"), "{text}");
    assert!(!text.contains("end of table"), "{text}");
}

#[test]
fn rows_filter_and_search_on_the_server() {
    let dsn = demo_dsn();
    let page = stdout_json(&cli(&[
        "--dsn",
        &dsn,
        "rows",
        "public.todos",
        "--filter",
        "done",
        "eq",
        "true",
        "--filter",
        "priority",
        "in",
        "1",
        "4",
        "--search",
        "ALICE",
        "--limit",
        "1000",
        "--json",
    ]));
    let ids: Vec<String> = page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].to_string())
        .collect();
    let expected = fluxdesk_sandbox::shared_cluster()
        .psql(
            &fluxdesk_sandbox::read_only_demo_database().name,
            "SELECT id FROM public.todos WHERE done AND priority IN (1, 4) \
             AND (title ILIKE '%alice%' OR notes ILIKE '%alice%' OR user_id::text ILIKE '%alice%') ORDER BY id",
        )
        .unwrap();
    let expected: Vec<String> = expected.lines().map(str::to_owned).collect();
    assert!(!expected.is_empty());
    assert_eq!(ids, expected);

    let bad = cli(&[
        "--dsn",
        &dsn,
        "rows",
        "public.todos",
        "--filter",
        "done",
        "like",
        "x",
        "--json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a filter operator"));
    let wrong_count = cli(&[
        "--dsn",
        &dsn,
        "rows",
        "public.todos",
        "--filter",
        "notes",
        "is_null",
        "x",
    ]);
    assert_eq!(wrong_count.status.code(), Some(2));
}

#[test]
fn rows_sort_on_several_columns_and_page_on() {
    let dsn = demo_dsn();
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut args = vec![
            "--dsn",
            &dsn,
            "rows",
            "public.todos",
            "--order=-priority",
            "--order",
            "title",
            "--limit",
            "40",
            "--json",
        ];
        if let Some(cursor) = &after {
            args.extend(["--after", cursor]);
        }
        let page = stdout_json(&cli(&args));
        ids.extend(
            page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].to_string()),
        );
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    let expected = fluxdesk_sandbox::shared_cluster()
        .psql(
            &fluxdesk_sandbox::read_only_demo_database().name,
            "SELECT id FROM public.todos ORDER BY priority DESC, title, id",
        )
        .unwrap();
    assert_eq!(ids, expected.lines().map(str::to_owned).collect::<Vec<_>>());
}

#[test]
fn export_writes_a_view_or_a_query_to_a_file() {
    let dsn = demo_dsn();
    let folder = tempfile::tempdir().unwrap();
    let csv = folder.path().join("done.csv");
    let summary = stdout_json(&cli(&[
        "--dsn",
        &dsn,
        "export",
        "public.todos",
        "--format",
        "csv",
        "--out",
        csv.to_str().unwrap(),
        "--filter",
        "done",
        "eq",
        "true",
        "--order=-id",
        "--json",
    ]));
    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("id,user_id,project_id,title"),
        "{}",
        lines[0]
    );
    assert_eq!(summary["rows"].as_u64().unwrap() as usize, lines.len() - 1);
    assert_eq!(summary["bytes"].as_u64().unwrap() as usize, text.len());
    assert!(lines.len() > 2);
    let ids: Vec<i64> = lines[1..]
        .iter()
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "sorted by id descending");

    let json = folder.path().join("kinds.json");
    let done = cli(&[
        "--dsn",
        &dsn,
        "export",
        "--query",
        "SELECT kind, count(*) AS n FROM public.events GROUP BY kind ORDER BY kind",
        "--format",
        "json",
        "--out",
        json.to_str().unwrap(),
    ]);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(String::from_utf8_lossy(&done.stdout).starts_with("Exported 5 rows"));
    let rows: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(rows[0], serde_json::json!({ "kind": "api_call", "n": 200000 }));

    // A bad query fails with one line and no file.
    let failed = cli(&[
        "--dsn",
        &dsn,
        "export",
        "--query",
        "SELECT nope FROM public.events",
        "--format",
        "csv",
        "--out",
        folder.path().join("bad.csv").to_str().unwrap(),
    ]);
    // An unknown column is "not found" (exit 4), named in one line.
    assert_eq!(failed.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("nope") && stderr.lines().count() == 1, "{stderr}");
    assert!(!folder.path().join("bad.csv").exists());
    assert!(!folder.path().join("bad.csv.partial").exists());
}

#[test]
fn invitation_tokens_starting_with_a_hyphen_are_values_not_flags() {
    // Tokens are base64url: about one in 32 starts with "-".
    let output = cli(&[
        "--dsn",
        &demo_dsn(),
        "admin",
        "invitations",
        "revoke",
        "-qOASnU7OG",
        "--json",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("unexpected argument"), "{stderr}");
    assert_ne!(output.status.code(), Some(2), "{stderr}");
}

#[test]
fn stats_prints_one_sampling_round_as_stable_json_and_refuses_a_zero_watch() {
    let output = cli(&["--dsn", &demo_dsn(), "stats", "--json"]);
    let health = stdout_json(&output);
    let max: i64 = fluxdesk_sandbox::shared_cluster()
        .psql("postgres", "SHOW max_connections")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(health["connections"]["max"].as_i64(), Some(max));
    assert!(health["connections"]["in_use"].as_i64().unwrap() >= 1);
    assert_eq!(
        health["pools"].as_array().unwrap().len(),
        2,
        "Fluxdesk's two pools"
    );
    assert!(health["storage"]["database_bytes"].as_i64().unwrap() > 0);
    assert!(
        health["storage"]["largest_tables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|table| table["table"] == "events"),
        "the demo's million-row table is among the largest"
    );
    assert!(matches!(
        health["statements"]["kind"].as_str(),
        Some("available" | "unavailable")
    ));
    for key in [
        "taken_at",
        "sessions",
        "backends",
        "longest_queries",
        "idle_in_transaction",
        "database",
        "table_scans",
        "round_ms",
    ] {
        assert!(health.get(key).is_some(), "{key}");
    }
    let zero = cli(&["--dsn", &demo_dsn(), "stats", "--watch", "0"]);
    assert_eq!(zero.status.code(), Some(2));
}
