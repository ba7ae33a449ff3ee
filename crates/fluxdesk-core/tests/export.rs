//! Exports against the demo's million-row table: byte-for-byte what psql's
//! own COPY writes, typed JSON, progress, cancellation and no half files.

use fluxdesk_core::{ConnectionTarget, Instance, export};
use fluxdesk_sandbox::{read_only_demo_database, shared_cluster};
use fluxdesk_types::{
    ApiError, Condition, ErrorCode, ExportFormat, ExportRequest, ExportSource, FilterOp, RowFilter, SortKey,
    TableRef,
};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

async fn demo() -> Instance {
    let database = read_only_demo_database();
    Instance::connect("demo", &ConnectionTarget::from_url(&database.url).unwrap())
        .await
        .unwrap()
}

fn events_view(filter: RowFilter, sort: Vec<SortKey>) -> ExportSource {
    ExportSource::View {
        table: TableRef::new("public", "events"),
        filter,
        sort,
    }
}

#[tokio::test]
async fn a_million_row_csv_export_equals_psqls_copy() {
    let instance = demo().await;
    let folder = tempfile::tempdir().unwrap();
    let ours = folder.path().join("events.csv");
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let summary = export::export(
        &instance,
        &ExportRequest {
            source: events_view(RowFilter::default(), Vec::new()),
            format: ExportFormat::Csv,
            path: ours.display().to_string(),
        },
        &move |step| seen.lock().unwrap().push(step),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(summary.rows, 1_000_000);

    let reference = folder.path().join("psql.csv");
    shared_cluster()
        .psql(
            &read_only_demo_database().name,
            &format!(
                "\\copy (SELECT * FROM public.events ORDER BY id) TO '{}' WITH (FORMAT csv, HEADER true)",
                reference.display()
            ),
        )
        .unwrap();
    let (ours_bytes, reference_bytes) = (std::fs::read(&ours).unwrap(), std::fs::read(&reference).unwrap());
    assert_eq!(ours_bytes.len() as u64, summary.bytes);
    assert!(
        ours_bytes == reference_bytes,
        "the export must equal psql's COPY byte for byte"
    );
    assert_eq!(
        ours_bytes.iter().filter(|b| **b == b'\n').count(),
        1_000_001,
        "header + rows"
    );

    let progress = progress.lock().unwrap();
    assert!(
        progress.len() >= 2,
        "progress is reported on the way: {}",
        progress.len()
    );
    assert!(progress.windows(2).all(|w| w[0].rows <= w[1].rows));
    assert_eq!(progress.last().unwrap().rows, 1_000_000);
    assert_eq!(progress[0].estimated_rows, Some(1_000_000));
}

#[tokio::test]
async fn json_exports_keep_the_view_and_value_types() {
    let instance = demo().await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("purchases.json");
    let filter = RowFilter {
        conditions: vec![
            Condition {
                column: "kind".into(),
                op: FilterOp::Eq,
                values: vec!["purchase".into()],
            },
            Condition {
                column: "id".into(),
                op: FilterOp::Le,
                values: vec!["2000".into()],
            },
        ],
        ..RowFilter::default()
    };
    let sort = vec![SortKey {
        column: "duration_ms".into(),
        descending: true,
    }];
    let summary = export::export(
        &instance,
        &ExportRequest {
            source: events_view(filter, sort),
            format: ExportFormat::Json,
            path: path.display().to_string(),
        },
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let expected: serde_json::Value = serde_json::from_str(
        &shared_cluster()
            .psql(
                &read_only_demo_database().name,
                "SELECT json_agg(e ORDER BY e.duration_ms DESC, e.id) FROM public.events e WHERE kind = 'purchase' AND id <= 2000",
            )
            .unwrap(),
    )
    .unwrap();
    assert_eq!(summary.rows, 400);
    assert_eq!(ours, expected);
    assert!(ours[0]["payload"].is_object(), "jsonb stays JSON");
    assert!(ours[0]["id"].is_number());
}

#[tokio::test]
async fn a_query_exports_and_a_write_is_refused() {
    let instance = demo().await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("kinds.csv");
    export::export(
        &instance,
        &ExportRequest {
            source: ExportSource::Query {
                sql: "SELECT kind, count(*) AS n FROM public.events GROUP BY kind ORDER BY kind;".into(),
            },
            format: ExportFormat::Csv,
            path: path.display().to_string(),
        },
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "kind,n\napi_call,200000\nclick,200000\npage_view,200000\npurchase,200000\nsign_in,200000\n"
    );
    // Exports run read-only, whatever the query.
    let refused = export::export(
        &instance,
        &ExportRequest {
            source: ExportSource::Query {
                sql: "DELETE FROM public.events WHERE id = 1 RETURNING id".into(),
            },
            format: ExportFormat::Csv,
            path: folder.path().join("deleted.csv").display().to_string(),
        },
        &|_| {},
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(ApiError::from(refused).code, ErrorCode::ReadOnly);
    assert!(!folder.path().join("deleted.csv").exists());
    assert!(!folder.path().join("deleted.csv.partial").exists());
}

#[tokio::test]
async fn cancelling_stops_the_server_and_leaves_no_file() {
    let instance = demo().await;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("events.json");
    std::fs::write(&path, "an earlier export").unwrap();
    let cancel = CancellationToken::new();
    let on_progress = cancel.clone();
    let refused = export::export(
        &instance,
        &ExportRequest {
            source: events_view(RowFilter::default(), Vec::new()),
            format: ExportFormat::Json,
            path: path.display().to_string(),
        },
        // Cancel as soon as the first progress arrives.
        &move |_| on_progress.cancel(),
        &cancel,
    )
    .await
    .unwrap_err();
    assert_eq!(ApiError::from(refused).code, ErrorCode::Cancelled);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "an earlier export",
        "a cancelled export never replaces a file"
    );
    assert!(!folder.path().join("events.json.partial").exists());
    // The connection is usable again.
    assert!(
        !fluxdesk_core::catalog::list_schemas(&instance)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_query_export_is_one_statement_that_cannot_leave_its_transaction() {
    let instance = demo().await;
    let folder = tempfile::tempdir().unwrap();
    let export_query = |sql: &str, name: &str| {
        let request = ExportRequest {
            source: ExportSource::Query { sql: sql.to_owned() },
            format: ExportFormat::Csv,
            path: folder.path().join(name).display().to_string(),
        };
        let instance = &instance;
        async move { export::export(instance, &request, &|_| {}, &CancellationToken::new()).await }
    };
    for escape in [
        "SELECT 1) TO STDOUT; COMMIT; DELETE FROM public.events WHERE id = 1; COPY (SELECT 1",
        "SELECT 1; SELECT 2",
        "COMMIT",
        "-- hidden\nEND",
    ] {
        let error = export_query(escape, "escape.csv").await.unwrap_err();
        assert_eq!(ApiError::from(error).code, ErrorCode::InvalidInput, "{escape}");
    }
    assert!(!folder.path().join("escape.csv").exists());
    // A trailing comment is fine; a value with a line break is one row.
    let summary = export_query("SELECT E'two\\nlines' AS v -- a note", "note.csv")
        .await
        .unwrap();
    assert_eq!(summary.rows, 1);
    assert_eq!(
        std::fs::read_to_string(folder.path().join("note.csv")).unwrap(),
        "v\n\"two\nlines\"\n"
    );
}
