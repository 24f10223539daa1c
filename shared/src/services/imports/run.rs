//! One run of an import: from an upload's event to its products and its error report.

use super::pass::Run;
use crate::adapters::uploads::Uploads;
use crate::clock::now_rfc3339;
use crate::domain::error::ShopError;
use crate::domain::import::{
    Columns, CsvRecords, FileProblem, Import, ImportCounts, ImportFormat, ImportObject,
    ImportStatus, JsonLines, Utf8Check, MAX_IMPORT_BYTES, RUN_LEASE_SECONDS,
};
use crate::domain::seller::SellerStatus;
use crate::store::Store;

/// Runs of one upload before it is marked failed (a run cut short is run again).
const MAX_ATTEMPTS: u32 = 3;

/// An object key as S3's events spell it (URL-encoded, `+` for a space).
pub fn event_key(raw: &str) -> String {
    let query = format!("k={raw}");
    form_urlencoded::parse(query.as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// What a delivery of an upload's event came to.
#[derive(Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// Not an upload of an import (an error report, a stray key): nothing to do.
    Ignored,
    /// The import ran already (or runs): a repeated event changes nothing.
    Duplicate,
    Finished(ImportStatus),
}

/// Runs the import an upload's event names. An `Err` is transient (the event is
/// delivered again and the run resumes, writing only what is still missing); a file
/// the shop refuses ends the import as `failed`, with its reason.
pub async fn run(
    store: &Store,
    uploads: &Uploads,
    key: &str,
    etag: &str,
    size: u64,
) -> Result<RunOutcome, ShopError> {
    let Some(object) = ImportObject::parse(key) else {
        return Ok(RunOutcome::Ignored);
    };
    let Some(requested) = store.get_import(&object.seller, &object.import).await? else {
        tracing::warn!(key, "an upload with no import: ignored");
        return Ok(RunOutcome::Ignored);
    };
    if requested.format != object.format {
        return Ok(RunOutcome::Ignored);
    }
    let now = now_rfc3339();
    let now_unix = crate::clock::unix_now();
    let stale_before = now_unix - RUN_LEASE_SECONDS;
    let run_id = uuid::Uuid::new_v4().to_string();
    let Some(import) = store
        .claim_import(
            &object.seller,
            &object.import,
            etag,
            &now,
            now_unix,
            &run_id,
            MAX_ATTEMPTS,
            stale_before,
        )
        .await?
    else {
        let died = requested.claimed_at.is_some_and(|at| at < stale_before);
        if requested.status == ImportStatus::Running && requested.attempts >= MAX_ATTEMPTS && died {
            let reason = format!("the import did not finish in {MAX_ATTEMPTS} attempts");
            finish(
                store,
                requested,
                ImportStatus::Failed,
                Some(reason),
                ImportCounts::default(),
                false,
            )
            .await?;
            return Ok(RunOutcome::Finished(ImportStatus::Failed));
        }
        return Ok(RunOutcome::Duplicate);
    };
    let seller = store.get_seller(&object.seller).await?;
    let refusal = match &seller {
        None => Some("the seller account does not exist".to_owned()),
        Some(s) if s.status != SellerStatus::Approved => {
            Some(format!("the seller account is {}", s.status.as_str()))
        }
        Some(_) if size > MAX_IMPORT_BYTES => Some(FileProblem::TooLarge { size }.to_string()),
        Some(_) if size != import.size_bytes => Some(format!(
            "the upload is {size} bytes, not the {} declared",
            import.size_bytes
        )),
        Some(_) => None,
    };
    if let Some(reason) = refusal {
        finish(
            store,
            import,
            ImportStatus::Failed,
            Some(reason),
            ImportCounts::default(),
            false,
        )
        .await?;
        return Ok(RunOutcome::Finished(ImportStatus::Failed));
    }
    let seller_user = seller
        .map(|s| s.user_id)
        .ok_or_else(|| ShopError::internal("seller vanished"))?;
    if let Err(problem) = check_file(uploads, key, etag, import.format).await? {
        finish(
            store,
            import,
            ImportStatus::Failed,
            Some(problem.to_string()),
            ImportCounts::default(),
            false,
        )
        .await?;
        return Ok(RunOutcome::Finished(ImportStatus::Failed));
    }
    let mut run = Run::new(store, &import, seller_user).await?;
    let result = match run.import_file(uploads, key, etag).await {
        Ok(result) => result.map_err(|problem| problem.to_string()),
        // Suspended while the import ran: every write since was refused in its own
        // transaction, and the import ends here.
        Err(ShopError::Forbidden(why)) => Err(why.to_owned()),
        Err(err) => return Err(err),
    };
    let (counts, report) = (run.counts, run.report);
    match result {
        Err(reason) => {
            finish(
                store,
                import,
                ImportStatus::Failed,
                Some(reason),
                counts,
                false,
            )
            .await?;
            Ok(RunOutcome::Finished(ImportStatus::Failed))
        }
        Ok(()) => {
            let has_report = match report.finish() {
                Some(text) => {
                    uploads
                        .put_text(&object.report_key(), "text/csv; charset=utf-8", text)
                        .await?;
                    true
                }
                None => false,
            };
            finish(store, import, ImportStatus::Done, None, counts, has_report).await?;
            Ok(RunOutcome::Finished(ImportStatus::Done))
        }
    }
}

/// Records the result, if this run still holds the import (else another run, which took
/// it over, records its own).
async fn finish(
    store: &Store,
    import: Import,
    status: ImportStatus,
    reason: Option<String>,
    counts: ImportCounts,
    has_report: bool,
) -> Result<(), ShopError> {
    let id = import.id.clone();
    let held = store
        .finish_import(&Import {
            status,
            reason,
            counts,
            has_report,
            finished_at: Some(now_rfc3339()),
            ..import
        })
        .await?;
    if held {
        crate::telemetry::import_rows(id.as_str(), &counts);
    } else {
        tracing::warn!(import_id = %id, "another run took the import over; its result stands");
    }
    Ok(())
}

/// The first pass, which writes nothing: the whole upload is UTF-8 text, every record
/// of it can be read (no unclosed quote, no overlong row or line), the header is right,
/// and there is at least one row. So a file the shop cannot read fails before any of it
/// is imported; problems of single rows are left to the second pass.
async fn check_file(
    uploads: &Uploads,
    key: &str,
    etag: &str,
    format: ImportFormat,
) -> Result<Result<(), FileProblem>, ShopError> {
    let mut stream = uploads.open(key, etag).await?;
    let mut utf8 = Utf8Check::default();
    let mut csv = CsvRecords::default();
    let mut jsonl = JsonLines::default();
    let (mut header, mut rows) = (false, 0u64);
    loop {
        let chunk = stream.next_chunk().await?;
        let bytes: &[u8] = chunk.as_deref().unwrap_or_default();
        if let Err(problem) = utf8.feed(bytes) {
            return Ok(Err(problem));
        }
        let fed = match format {
            ImportFormat::Csv => csv.feed(bytes, &mut |record| {
                if header {
                    rows += 1;
                } else {
                    Columns::parse(&record.fields)?;
                    header = true;
                }
                Ok(())
            }),
            ImportFormat::Jsonl => jsonl.feed(bytes, &mut |_, _| {
                rows += 1;
                Ok(())
            }),
        };
        if let Err(problem) = fed {
            return Ok(Err(problem));
        }
        if chunk.is_none() {
            break;
        }
    }
    if let Err(problem) = utf8.finish() {
        return Ok(Err(problem));
    }
    Ok(match (format, header, rows) {
        (ImportFormat::Csv, false, _) => Err(FileProblem::Empty),
        (_, _, 0) => Err(FileProblem::NoRows),
        _ => Ok(()),
    })
}
