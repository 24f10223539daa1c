//! Catalog import: a seller uploads a CSV or JSONL file of rows, one per variant, and
//! every row goes through the same rules as `POST /products` (the API's own input
//! types). This module holds the pure parts: the file's formats and limits, parsing
//! bytes into rows as they stream in (never the whole file), grouping rows into
//! products, deciding what to write against what is stored, and the error report.

mod csv;
mod group;
mod jsonl;
mod plan;
mod record;
mod report;
mod row;

pub use self::csv::{Columns, CsvRecords};
pub use group::{Batch, Batcher, ProductGroup};
pub use jsonl::{row as json_row, JsonLines, LineProblem, LineSink, Lines};
pub use plan::{plan, Plan, RowOutcome};
pub use record::{Import, ImportObject, IMPORT_PREFIX};
pub use report::{Rejection, Report};
pub use row::{ImportRow, RowInput};

use serde::{Deserialize, Serialize};

use crate::domain::error::{FieldError, ShopError};

/// The largest file an import takes (what the upload URL is signed for at most).
pub const MAX_IMPORT_BYTES: u64 = 50 * 1024 * 1024;
/// How long an upload URL (and a report's download URL) stays valid.
pub const URL_LIFETIME_SECONDS: u64 = 15 * 60;
/// Imports a seller may have open at once (waiting for their upload, or running): a
/// seller cannot fill the import queue and starve every other seller's imports.
pub const MAX_OPEN_IMPORTS: usize = 3;
/// Seconds after which a run that has not finished is taken for dead: the longest a
/// function may run (900 s), and a margin.
pub const RUN_LEASE_SECONDS: i64 = 960;
/// The longest row (a CSV record, a JSON line) read; longer ones fail the file.
pub const MAX_ROW_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ImportFormat {
    Csv,
    Jsonl,
}

impl ImportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ImportFormat::Csv => "csv",
            ImportFormat::Jsonl => "jsonl",
        }
    }

    /// The upload's `Content-Type`, signed into its URL.
    pub fn content_type(self) -> &'static str {
        match self {
            ImportFormat::Csv => "text/csv",
            ImportFormat::Jsonl => "application/x-ndjson",
        }
    }

    pub fn from_extension(ext: &str) -> Option<ImportFormat> {
        match ext {
            "csv" => Some(ImportFormat::Csv),
            "jsonl" => Some(ImportFormat::Jsonl),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ImportStatus {
    WaitingUpload,
    Running,
    Done,
    Failed,
}

/// Rows by what became of them. `read` = the others' sum.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ImportCounts {
    pub read: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
}

impl ImportCounts {
    pub fn add(&mut self, outcome: RowOutcome) {
        self.read += 1;
        match outcome {
            RowOutcome::Created => self.created += 1,
            RowOutcome::Updated => self.updated += 1,
            RowOutcome::Unchanged => self.unchanged += 1,
            RowOutcome::Rejected => self.rejected += 1,
        }
    }
}

/// `POST /seller/imports` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportRequestInput {
    pub format: String,
    /// The file's exact size in bytes: the upload URL is signed for it.
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportRequest {
    pub format: ImportFormat,
    pub size_bytes: u64,
}

impl ImportRequestInput {
    pub fn parse(&self) -> Result<ImportRequest, ShopError> {
        let mut errors = Vec::new();
        let format = ImportFormat::from_extension(&self.format);
        if format.is_none() {
            errors.push(FieldError::new("format", "must be csv or jsonl"));
        }
        let size = u64::try_from(self.size_bytes)
            .ok()
            .filter(|s| (1..=MAX_IMPORT_BYTES).contains(s));
        if size.is_none() {
            errors.push(FieldError::new(
                "sizeBytes",
                &format!("must be 1 to {MAX_IMPORT_BYTES} bytes"),
            ));
        }
        match (format, size) {
            (Some(format), Some(size_bytes)) => Ok(ImportRequest { format, size_bytes }),
            _ => Err(ShopError::Invalid(errors)),
        }
    }
}

/// Why a whole file is refused: nothing of it is imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("the file is empty")]
    Empty,
    #[error("the file has no rows")]
    NoRows,
    #[error("the file is {size} bytes; an import takes at most {MAX_IMPORT_BYTES}")]
    TooLarge { size: u64 },
    #[error("the file is not UTF-8 text (line {line})")]
    NotUtf8 { line: u64 },
    #[error("wrong header: {0}")]
    Header(String),
    #[error("line {line}: {reason}")]
    Unreadable { line: u64, reason: String },
}

/// Drops a UTF-8 byte order mark at the start of a stream, even one split across chunks.
#[derive(Debug, Default)]
pub(crate) struct BomStrip {
    head: Vec<u8>,
    done: bool,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl BomStrip {
    /// The bytes of `chunk` to parse (empty `chunk`: the end, releasing what was held).
    pub(crate) fn strip<'a>(&'a mut self, chunk: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        if self.done {
            return chunk.into();
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() < BOM.len() && !chunk.is_empty() && BOM.starts_with(&self.head) {
            return Vec::new().into();
        }
        self.done = true;
        let head = std::mem::take(&mut self.head);
        match head.strip_prefix(BOM) {
            Some(rest) => rest.to_vec().into(),
            None => head.into(),
        }
    }
}

/// Checks that a byte stream is UTF-8, a chunk at a time (a character may straddle
/// two chunks), counting lines so a failure names one.
#[derive(Debug, Default)]
pub struct Utf8Check {
    carry: Vec<u8>,
    line: u64,
    bytes: u64,
}

impl Utf8Check {
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), FileProblem> {
        self.bytes += chunk.len() as u64;
        let mut joined;
        let data = if self.carry.is_empty() {
            chunk
        } else {
            joined = std::mem::take(&mut self.carry);
            joined.extend_from_slice(chunk);
            &joined[..]
        };
        match std::str::from_utf8(data) {
            Ok(text) => {
                self.line += text.matches('\n').count() as u64;
                Ok(())
            }
            Err(e) if e.error_len().is_none() => {
                // An incomplete character at the end: wait for the next chunk.
                let (good, rest) = data.split_at(e.valid_up_to());
                self.line += good.iter().filter(|b| **b == b'\n').count() as u64;
                self.carry = rest.to_vec();
                Ok(())
            }
            Err(e) => {
                let before = &data[..e.valid_up_to()];
                let line = self.line + 1 + before.iter().filter(|b| **b == b'\n').count() as u64;
                Err(FileProblem::NotUtf8 { line })
            }
        }
    }

    /// Ends the check; the bytes seen.
    pub fn finish(self) -> Result<u64, FileProblem> {
        if !self.carry.is_empty() {
            return Err(FileProblem::NotUtf8 {
                line: self.line + 1,
            });
        }
        if self.bytes == 0 {
            return Err(FileProblem::Empty);
        }
        Ok(self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_a_format_and_a_size_within_the_cap() {
        let ok = ImportRequestInput {
            format: "jsonl".into(),
            size_bytes: 10,
        };
        assert_eq!(
            ok.parse().unwrap(),
            ImportRequest {
                format: ImportFormat::Jsonl,
                size_bytes: 10
            }
        );
        for (format, size) in [("xlsx", 10), ("csv", 0), ("csv", -1), ("CSV", 10)] {
            let bad = ImportRequestInput {
                format: format.into(),
                size_bytes: size,
            };
            assert!(
                matches!(bad.parse(), Err(ShopError::Invalid(_))),
                "{format} {size}"
            );
        }
        let over = ImportRequestInput {
            format: "csv".into(),
            size_bytes: MAX_IMPORT_BYTES as i64 + 1,
        };
        assert!(over.parse().is_err());
    }

    #[test]
    fn utf8_is_checked_across_chunk_boundaries() {
        let text = "name\nCafé crème\n".as_bytes();
        for split in 0..text.len() {
            let mut check = Utf8Check::default();
            check.feed(&text[..split]).unwrap();
            check.feed(&text[split..]).unwrap();
            assert_eq!(check.finish().unwrap(), text.len() as u64);
        }
        let mut check = Utf8Check::default();
        check.feed(b"a\nb\n\xff\n").unwrap_err();
        let mut check2 = Utf8Check::default();
        assert_eq!(
            check2.feed(b"a\nb\nc\xff"),
            Err(FileProblem::NotUtf8 { line: 3 })
        );
        let mut cut = Utf8Check::default();
        cut.feed("é".as_bytes().split_at(1).0).unwrap();
        assert!(matches!(cut.finish(), Err(FileProblem::NotUtf8 { .. })));
        assert_eq!(Utf8Check::default().finish(), Err(FileProblem::Empty));
    }
}
