//! Loading an upload of the coverage file: checked whole, written as a new version, made
//! current by one conditional write of the pointer (unless a later upload is current).

use serde::Serialize;

use crate::adapters::carrier::CarrierFiles;
use crate::clock::{now_sortable, unix_now};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{CoverageCheck, CoverageRow, COVERAGE_COLUMNS, MAX_COVERAGE_ROWS};
use crate::domain::import::{CsvRecords, FileProblem, Rejection, Report, Utf8Check};
use crate::store::{CoveragePointer, LoadClaim, Store};

/// The operator's coverage file, the one key whose uploads load coverage.
pub const COVERAGE_KEY: &str = "carrier/coverage.csv";
const REPORT_PREFIX: &str = "carrier/reports/coverage.csv";
/// Seconds a load holds its upload without a heartbeat (one per 1,000 rows written).
const LOAD_LEASE_SECONDS: i64 = 120;
/// Tries of the pointer's switch that lost a race with another load.
const SWITCH_ATTEMPTS: usize = 5;

/// What a load came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadOutcome {
    /// Not the coverage file.
    Ignored,
    /// This upload was loaded before (a redelivered event).
    AlreadyLoaded,
    /// Its content is the current coverage already.
    Current,
    /// Loaded and made current.
    Loaded,
    /// Loaded, but a later upload is current: its rows were removed again.
    Superseded,
    /// A bad row or an unreadable file: nothing changed (see the errors report).
    Refused,
    /// The upload is gone (replaced: the new content has its own event).
    Gone,
}

impl LoadOutcome {
    /// As the summary and the upload's record name it.
    pub fn as_str(self) -> &'static str {
        match self {
            LoadOutcome::Ignored => "ignored",
            LoadOutcome::AlreadyLoaded => "already_loaded",
            LoadOutcome::Current => "current",
            LoadOutcome::Loaded => "loaded",
            LoadOutcome::Superseded => "superseded",
            LoadOutcome::Refused => "refused",
            LoadOutcome::Gone => "gone",
        }
    }
}

/// `carrier/reports/coverage.csv.summary.json`.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadSummary {
    pub etag: String,
    pub outcome: Option<LoadOutcome>,
    pub rows: u64,
    pub rejected: u64,
    pub countries: Vec<String>,
    pub started_at: String,
    pub finished_at: String,
}

/// Where an upload of the coverage file stands among the others, as text that sorts in
/// their order: S3's `sequencer` (hexadecimal, greater for a later write of the key; padded
/// so that text order is number order), then the event's time, which breaks ties where a
/// sequencer repeats (LocalStack's does; S3's never does for two writes).
pub fn upload_order(sequencer: &str, event_millis: i64) -> String {
    format!(
        "{:0>32}#{:015}",
        sequencer.to_ascii_uppercase(),
        event_millis.max(0)
    )
}

/// Loads the upload of the coverage file (`key`) whose content has `etag`; `sequencer` is
/// its [`upload_order`].
pub async fn load<F: CarrierFiles + ?Sized>(
    store: &Store,
    files: &F,
    key: &str,
    etag: &str,
    sequencer: &str,
) -> Result<LoadOutcome, ShopError> {
    if key != COVERAGE_KEY {
        return Ok(LoadOutcome::Ignored);
    }
    let etag = etag.trim_matches('"');
    let token = uuid::Uuid::new_v4().simple().to_string();
    match store
        .claim_coverage_load(etag, sequencer, &token, unix_now(), LOAD_LEASE_SECONDS)
        .await?
    {
        LoadClaim::Claimed => {}
        LoadClaim::Done => return Ok(LoadOutcome::AlreadyLoaded),
        LoadClaim::Busy => {
            return Err(ShopError::Unavailable(
                "the coverage upload is being loaded by another invocation; retried later".into(),
            ))
        }
    }
    let mut summary = LoadSummary {
        etag: etag.to_owned(),
        started_at: now_sortable(),
        ..LoadSummary::default()
    };
    let result = run(store, files, etag, sequencer, &token, &mut summary).await;
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(ShopError::NotFound(_)) => {
            store.give_up_coverage_load(etag, sequencer, &token).await;
            return Ok(LoadOutcome::Gone);
        }
        Err(err) => {
            store.give_up_coverage_load(etag, sequencer, &token).await;
            return Err(err);
        }
    };
    summary.outcome = Some(outcome);
    summary.finished_at = now_sortable();
    let json = serde_json::to_string(&summary).map_err(ShopError::internal)?;
    files
        .put_text(
            &format!("{REPORT_PREFIX}.summary.json"),
            "application/json",
            json,
        )
        .await?;
    store
        .finish_coverage_load(
            etag,
            sequencer,
            &token,
            outcome.as_str(),
            summary.rows,
            summary.rejected,
        )
        .await?;
    Ok(outcome)
}

async fn run<F: CarrierFiles + ?Sized>(
    store: &Store,
    files: &F,
    etag: &str,
    sequencer: &str,
    token: &str,
    summary: &mut LoadSummary,
) -> Result<LoadOutcome, ShopError> {
    let mut report = Report::default();
    let checked = check_file(files, etag, &mut report).await?;
    let countries = match checked {
        Ok((rows, countries)) => {
            summary.rows = rows;
            countries
        }
        Err(rejected) => {
            summary.rejected = rejected;
            let text = report.finish().unwrap_or_default();
            files
                .put_text(
                    &format!("{REPORT_PREFIX}.errors.csv"),
                    "text/csv; charset=utf-8",
                    text,
                )
                .await?;
            return Ok(LoadOutcome::Refused);
        }
    };
    summary.countries = countries.clone();
    if let Some(current) = store.coverage_pointer().await? {
        if current.version == etag {
            return Ok(LoadOutcome::Current);
        }
    }
    write_rows(store, files, etag, sequencer, token).await?;
    for _ in 0..SWITCH_ATTEMPTS {
        let current = store.coverage_pointer().await?;
        if let Some(current) = &current {
            if current.version == etag {
                return Ok(LoadOutcome::Current);
            }
            if current.sequencer.as_str() >= sequencer {
                // A later upload is current: these rows serve nobody (unless they are its
                // previous version's, still being read).
                if current.previous.as_ref().map(|(v, _)| v.as_str()) != Some(etag) {
                    store.delete_coverage_version(etag, &countries).await?;
                }
                return Ok(LoadOutcome::Superseded);
            }
        }
        if let Some(replaced) = store
            .switch_coverage(etag, sequencer, &countries, current.as_ref())
            .await?
        {
            if let Some(CoveragePointer {
                version,
                previous: Some((older, older_countries)),
                ..
            }) = replaced
            {
                // The version before the previous: nobody reads it any more.
                if older != etag && older != version {
                    store
                        .delete_coverage_version(&older, &older_countries)
                        .await?;
                }
            }
            return Ok(LoadOutcome::Loaded);
        }
    }
    Err(ShopError::Unavailable(
        "the coverage pointer kept changing; the load is retried".into(),
    ))
}

/// The first pass: every row checked, nothing written. `Ok(Ok((rows, countries)))` when the
/// file is good; `Ok(Err(rejected))` with the bad rows in `report`.
async fn check_file<F: CarrierFiles + ?Sized>(
    files: &F,
    etag: &str,
    report: &mut Report,
) -> Result<Result<(u64, Vec<String>), u64>, ShopError> {
    let mut object = files.open(COVERAGE_KEY, etag).await?;
    let (mut utf8, mut csv, mut check) = (
        Utf8Check::default(),
        CsvRecords::default(),
        CoverageCheck::default(),
    );
    let (mut header, mut rows, mut rejected) = (false, 0u64, 0u64);
    let mut countries: Vec<String> = Vec::new();
    loop {
        let chunk = object.next_chunk().await?;
        let bytes: &[u8] = chunk.as_deref().unwrap_or_default();
        let fed = utf8.feed(bytes).and_then(|_| {
            csv.feed(bytes, &mut |record| {
                let cells: Vec<String> = record.fields.iter().map(|f| f.to_string()).collect();
                if !header {
                    if cells != COVERAGE_COLUMNS {
                        return Err(FileProblem::Header(format!(
                            "the first line must be {}",
                            COVERAGE_COLUMNS.join(",")
                        )));
                    }
                    header = true;
                    return Ok(());
                }
                rows += 1;
                match check.check(record.line, &cells) {
                    Ok(row) => {
                        if !countries.contains(&row.country) {
                            countries.push(row.country);
                        }
                    }
                    Err(rejections) => {
                        rejected += 1;
                        for r in &rejections {
                            report.add(r);
                        }
                    }
                }
                if rows > MAX_COVERAGE_ROWS {
                    return Err(FileProblem::Unreadable {
                        line: record.line,
                        reason: format!("a coverage file holds at most {MAX_COVERAGE_ROWS} rows"),
                    });
                }
                Ok(())
            })
        });
        if let Err(problem) = fed {
            report.add(&Rejection::new(0, "", &problem.to_string()));
            return Ok(Err(rejected + 1));
        }
        if chunk.is_none() {
            break;
        }
    }
    if let Err(problem) = utf8.finish() {
        report.add(&Rejection::new(0, "", &problem.to_string()));
        return Ok(Err(rejected + 1));
    }
    if !header || rows == 0 {
        let problem = if header {
            FileProblem::NoRows
        } else {
            FileProblem::Empty
        };
        report.add(&Rejection::new(0, "", &problem.to_string()));
        return Ok(Err(1));
    }
    if rejected > 0 {
        return Ok(Err(rejected));
    }
    countries.sort();
    Ok(Ok((rows, countries)))
}

/// The second pass: the rows written as version `etag`, 25 at a time.
async fn write_rows<F: CarrierFiles + ?Sized>(
    store: &Store,
    files: &F,
    etag: &str,
    sequencer: &str,
    token: &str,
) -> Result<(), ShopError> {
    let mut object = files.open(COVERAGE_KEY, etag).await?;
    let mut csv = CsvRecords::default();
    let mut pending: Vec<CoverageRow> = Vec::new();
    let (mut header, mut written) = (false, 0u64);
    loop {
        let chunk = object.next_chunk().await?;
        let bytes: &[u8] = chunk.as_deref().unwrap_or_default();
        let mut batch: Vec<CoverageRow> = Vec::new();
        csv.feed(bytes, &mut |record| {
            if !header {
                header = true;
                return Ok(());
            }
            let cells: Vec<String> = record.fields.iter().map(|f| f.to_string()).collect();
            // Checked by the first pass: a row refused now means the file changed.
            let row =
                CoverageRow::parse(record.line, &cells).map_err(|_| FileProblem::Unreadable {
                    line: record.line,
                    reason: "changed since it was checked".into(),
                })?;
            batch.push(row);
            Ok(())
        })
        .map_err(|p| ShopError::Unavailable(format!("the coverage file: {p}")))?;
        pending.extend(batch);
        while pending.len() >= 25 || (chunk.is_none() && !pending.is_empty()) {
            let rest = pending.split_off(pending.len().min(25));
            store.put_coverage_rows(etag, &pending).await?;
            written += pending.len() as u64;
            pending = rest;
            if written % 1_000 < 25
                && !store
                    .heartbeat_coverage_load(etag, sequencer, token, unix_now())
                    .await?
            {
                return Err(ShopError::Unavailable(
                    "the coverage load was taken over".into(),
                ));
            }
        }
        if chunk.is_none() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::upload_order;

    #[test]
    fn uploads_order_by_sequencer_then_by_time() {
        // A longer sequencer is a greater number; text order must agree.
        assert!(upload_order("FF", 9) < upload_order("100", 1));
        assert!(upload_order("0a1b", 5) < upload_order("0A1C", 1));
        // The same sequencer twice (LocalStack's): the later event wins.
        assert!(
            upload_order("0055AED6DCD90281E5", 1_796_000_000_000)
                < upload_order("0055AED6DCD90281E5", 1_796_000_000_001)
        );
        assert_eq!(upload_order("a", 2), upload_order("A", 2));
    }
}
