//! Exports stream rows from the server to a file through `COPY ... TO
//! STDOUT`, so memory stays flat however many rows there are.
//!
//! - CSV is PostgreSQL's own CSV (header line, RFC 4180 quoting).
//! - JSON is an array of `row_to_json` objects, one per line, so values keep
//!   their JSON types (numbers, booleans, nested json).
//! - It always runs in a READ ONLY transaction: exporting never writes.
//! - The file is written beside its final name and renamed only once
//!   complete, so a failed or cancelled export never leaves half a file or
//!   replaces an earlier one.
//! - Cancelling asks the server to stop (`pg_cancel_backend`) and removes
//!   the partial file.

use crate::error::{CoreError, CoreResult};
use crate::ident::quote_table;
use crate::instance::Instance;
use crate::rows::{Param, view_query};
use crate::statement::{is_transaction_control, split_statements};
use fluxdesk_types::{ExportFormat, ExportProgress, ExportRequest, ExportSource, ExportSummary};
use futures_util::StreamExt;
use sqlx::Executor;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

/// How often progress is reported.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// Writes `request`'s rows to its file; reports progress on the way.
pub async fn export(
    instance: &Instance,
    request: &ExportRequest,
    progress: &(dyn Fn(ExportProgress) + Send + Sync),
    cancel: &CancellationToken,
) -> CoreResult<ExportSummary> {
    let started = Instant::now();
    let (query, estimated_rows) = match &request.source {
        ExportSource::View { table, filter, sort } => {
            let (sql, params) = view_query(instance, table, filter, sort).await?;
            let estimate = if filter.is_empty() {
                sqlx::query_scalar::<_, Option<i64>>(
                    "SELECT CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::int8 END \
                     FROM pg_class c WHERE c.oid = to_regclass($1)",
                )
                .bind(quote_table(table))
                .fetch_optional(instance.pool())
                .await?
                .flatten()
            } else {
                None
            };
            (inline_params(instance, &sql, &params).await?, estimate)
        }
        ExportSource::Query { sql } => {
            // Exactly one statement, and no transaction control: the text goes
            // inside COPY (...), which runs as a plain query, so anything more
            // could end the read-only transaction and run outside it.
            let statements = split_statements(sql);
            match statements.as_slice() {
                [] => return Err(CoreError::InvalidInput("There is no query to export.".to_owned())),
                [one] if instance.impersonation().is_some() && crate::impersonation::leaves_identity(one) => {
                    return Err(CoreError::InvalidInput(
                        "While impersonating, an exported query may not change the role or the request settings (set_config and the like).".to_owned(),
                    ));
                }
                [one] if !is_transaction_control(one) => (one.clone(), None),
                _ => {
                    return Err(CoreError::InvalidInput(
                        "Export one query at a time: a SELECT, VALUES, TABLE or WITH ... SELECT.".to_owned(),
                    ));
                }
            }
        }
    };
    // Line breaks around the query, so a trailing comment cannot swallow the rest.
    let copy = match request.format {
        ExportFormat::Csv => format!("COPY (\n{query}\n) TO STDOUT WITH (FORMAT csv, HEADER true)"),
        ExportFormat::Json => {
            format!("COPY (SELECT row_to_json(exported)::text FROM (\n{query}\n) AS exported) TO STDOUT")
        }
    };

    let path = PathBuf::from(&request.path);
    let partial = partial_path(&path);
    let file = tokio::fs::File::create(&partial)
        .await
        .map_err(|error| CoreError::io(format!("Cannot write {}", partial.display()), error))?;
    let mut writer = tokio::io::BufWriter::with_capacity(1 << 20, file);

    let written = async {
        let (mut transaction, _) = instance.begin_data().await?;
        transaction.execute("SET TRANSACTION READ ONLY").await?;
        if let ExportSource::Query { .. } = &request.source {
            // The server parses it as one statement on its own before it runs.
            (&mut *transaction).describe(query.as_str()).await?;
        }
        let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
            .fetch_one(&mut *transaction)
            .await?;
        let mut counts = ExportProgress {
            rows: 0,
            bytes: 0,
            estimated_rows,
        };
        if cancel.is_cancelled() {
            return Err(CoreError::Cancelled(
                "Export cancelled before it started; no file was written.".to_owned(),
            ));
        }
        let mut json = JsonArray::default();
        let mut last_report = Instant::now();
        let mut cancelled = false;
        {
            let mut stream = transaction
                .copy_out_raw(&copy)
                .await
                .map_err(|error| match &error {
                    sqlx::Error::Database(db) if db.code().as_deref() == Some("42601") => {
                        CoreError::InvalidInput(format!(
                            "Only one SELECT (or VALUES, or a statement with RETURNING) can be exported: {}",
                            db.message()
                        ))
                    }
                    _ => CoreError::Query(error),
                })?;
            loop {
                let chunk = tokio::select! {
                    chunk = stream.next() => chunk,
                    _ = cancel.cancelled(), if !cancelled => {
                        cancelled = true;
                        // Ask the server to stop; the stream then ends with an error.
                        let _ = sqlx::query("SELECT pg_cancel_backend($1)")
                            .bind(backend)
                            .execute(instance.control_pool())
                            .await;
                        continue;
                    }
                };
                let Some(chunk) = chunk else { break };
                let chunk = match chunk {
                    Ok(chunk) => chunk,
                    Err(_) if cancelled => break,
                    Err(error) => return Err(CoreError::Query(error)),
                };
                if cancelled {
                    continue;
                }
                // COPY sends one message per row (a CSV value may hold line breaks).
                counts.rows += 1;
                match request.format {
                    ExportFormat::Csv => writer.write_all(&chunk).await,
                    ExportFormat::Json => json.write(&mut writer, &chunk).await,
                }
                .map_err(|error| CoreError::io(format!("Cannot write {}", partial.display()), error))?;
                counts.bytes += chunk.len() as u64;
                if last_report.elapsed() >= PROGRESS_EVERY {
                    progress(counts.clone());
                    last_report = Instant::now();
                }
            }
        }
        if cancelled {
            let _ = transaction.rollback().await;
            return Err(CoreError::Cancelled(
                "Export cancelled; the partial file was removed.".to_owned(),
            ));
        }
        transaction.rollback().await?;
        if request.format == ExportFormat::Csv {
            // The header line is not a row.
            counts.rows = counts.rows.saturating_sub(1);
        } else {
            json.finish(&mut writer)
                .await
                .map_err(|error| CoreError::io(format!("Cannot write {}", partial.display()), error))?;
        }
        writer
            .flush()
            .await
            .map_err(|error| CoreError::io(format!("Cannot write {}", partial.display()), error))?;
        progress(counts.clone());
        Ok(counts)
    }
    .await;

    match written {
        Ok(counts) => {
            tokio::fs::rename(&partial, &path)
                .await
                .map_err(|error| CoreError::io(format!("Cannot write {}", path.display()), error))?;
            let bytes = tokio::fs::metadata(&path)
                .await
                .map(|m| m.len())
                .unwrap_or(counts.bytes);
            Ok(ExportSummary {
                path: path.display().to_string(),
                rows: counts.rows,
                bytes,
                elapsed_ms: started.elapsed().as_millis() as u64,
            })
        }
        Err(error) => {
            drop(writer);
            let _ = tokio::fs::remove_file(&partial).await;
            Err(crate::impersonation::explained(
                instance.impersonation().as_deref(),
                error,
            ))
        }
    }
}

/// Where the file is written until it is complete.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Turns COPY text-format lines of JSON into a JSON array.
#[derive(Default)]
struct JsonArray {
    started: bool,
}

impl JsonArray {
    async fn write(
        &mut self,
        writer: &mut (impl AsyncWriteExt + Unpin),
        chunk: &[u8],
    ) -> std::io::Result<()> {
        for line in chunk.split(|b| *b == b'\n').filter(|line| !line.is_empty()) {
            writer
                .write_all(if self.started { b",\n" } else { b"[\n" })
                .await?;
            self.started = true;
            // COPY's text format doubles backslashes; JSON text has no other
            // character it escapes (control characters are already \u-escaped).
            let mut unescaped = Vec::with_capacity(line.len());
            let mut bytes = line.iter();
            while let Some(byte) = bytes.next() {
                unescaped.push(*byte);
                if *byte == b'\\' {
                    bytes.next();
                }
            }
            writer.write_all(&unescaped).await?;
        }
        Ok(())
    }

    async fn finish(&mut self, writer: &mut (impl AsyncWriteExt + Unpin)) -> std::io::Result<()> {
        writer
            .write_all(if self.started { b"\n]\n" } else { b"[]\n" })
            .await
    }
}

/// `sql` with each `$n` replaced by its value as a literal the server itself
/// quoted (`quote_literal`), since COPY takes no parameters. Quoted
/// identifiers are skipped, so a `$1` inside a name stays a name.
async fn inline_params(instance: &Instance, sql: &str, params: &[Param]) -> CoreResult<String> {
    let mut literals = Vec::with_capacity(params.len());
    for param in params {
        let literal: String = match param {
            Param::Text(text) => {
                sqlx::query_scalar("SELECT quote_literal($1::text)")
                    .bind(text)
                    .fetch_one(instance.pool())
                    .await?
            }
            Param::List(list) => {
                sqlx::query_scalar("SELECT quote_literal($1::text[])")
                    .bind(list)
                    .fetch_one(instance.pool())
                    .await?
            }
        };
        literals.push(literal);
    }
    Ok(crate::ident::inline_parameters(sql, &literals))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn json_lines_become_an_array_with_backslashes_undoubled() {
        let mut out = Vec::new();
        let mut array = JsonArray::default();
        array.write(&mut out, b"{\"a\":\"x\\\\\\\\y\"}\n").await.unwrap();
        array.write(&mut out, b"{\"a\":\"\\\\n\"}\n").await.unwrap();
        array.finish(&mut out).await.unwrap();
        let text = String::from_utf8(out).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, serde_json::json!([{ "a": "x\\y" }, { "a": "\n" }]));
    }
}
