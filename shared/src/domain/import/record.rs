//! An import as the shop keeps it, and where its files live.

use serde::{Deserialize, Serialize};

use time::format_description::well_known::Rfc3339;

use super::{ImportCounts, ImportFormat, ImportStatus, RUN_LEASE_SECONDS, URL_LIFETIME_SECONDS};
use crate::domain::ids::{ImportId, SellerId};

/// The uploaded file of an import, and its error report: `imports/<sellerId>/<importId>.<ext>`
/// and `imports/<sellerId>/<importId>.errors.csv`. Upload URLs are signed for one such key,
/// so a seller can only ever write under its own prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportObject {
    pub seller: SellerId,
    pub import: ImportId,
    pub format: ImportFormat,
}

pub const IMPORT_PREFIX: &str = "imports/";

impl ImportObject {
    pub fn key(&self) -> String {
        format!(
            "{IMPORT_PREFIX}{}/{}.{}",
            self.seller,
            self.import,
            self.format.extension()
        )
    }

    pub fn report_key(&self) -> String {
        format!("{IMPORT_PREFIX}{}/{}.errors.csv", self.seller, self.import)
    }

    /// The upload a key names; `None` for anything else (an error report, a stray key).
    pub fn parse(key: &str) -> Option<ImportObject> {
        let rest = key.strip_prefix(IMPORT_PREFIX)?;
        let (seller, file) = rest.split_once('/')?;
        let (import, ext) = file.split_once('.')?;
        Some(ImportObject {
            seller: SellerId::parse(seller).ok()?,
            import: ImportId::parse(import).ok()?,
            format: ImportFormat::from_extension(ext)?,
        })
    }
}

/// An import: requested, uploaded, run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    pub id: ImportId,
    pub seller_id: SellerId,
    pub format: ImportFormat,
    pub status: ImportStatus,
    /// The size the seller declared: the upload URL is signed for exactly it.
    pub size_bytes: u64,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    #[serde(default)]
    pub counts: ImportCounts,
    /// Why a failed import failed (the whole file was refused).
    pub reason: Option<String>,
    /// Whether an error report was written.
    #[serde(default)]
    pub has_report: bool,
    /// The uploaded object's ETag the run read: a second event for it changes nothing.
    pub source_etag: Option<String>,
    #[serde(default)]
    pub attempts: u32,
    /// The run that holds the import: only it records progress and the result.
    #[serde(default)]
    pub run_id: Option<String>,
    /// When that run claimed it (Unix seconds): a run silent for longer than a function
    /// may run has died, and a delivery of the same upload may take over.
    #[serde(default)]
    pub claimed_at: Option<i64>,
}

impl Import {
    /// Whether the import holds one of its seller's open places at `now_unix`: waiting
    /// for an upload its URL still allows, or running under a run that is alive.
    pub fn is_open(&self, now_unix: i64) -> bool {
        match self.status {
            ImportStatus::WaitingUpload => time::OffsetDateTime::parse(&self.created_at, &Rfc3339)
                .is_ok_and(|created| {
                    now_unix - created.unix_timestamp() < URL_LIFETIME_SECONDS as i64
                }),
            ImportStatus::Running => self
                .claimed_at
                .is_some_and(|at| now_unix - at < RUN_LEASE_SECONDS),
            ImportStatus::Done | ImportStatus::Failed => false,
        }
    }

    pub fn object(&self) -> ImportObject {
        ImportObject {
            seller: self.seller_id.clone(),
            import: self.id.clone(),
            format: self.format,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    #[test]
    fn waiting_and_live_running_imports_are_open_finished_and_stale_ones_not() {
        let now = 1_800_000_000;
        let at = |unix: i64| {
            time::OffsetDateTime::from_unix_timestamp(unix)
                .unwrap()
                .format(&Rfc3339)
                .unwrap()
        };
        let import = |status, created: i64, claimed: Option<i64>| Import {
            id: ImportId::generate(),
            seller_id: SellerId::of(&UserId::parse("u").unwrap()),
            format: ImportFormat::Csv,
            status,
            size_bytes: 1,
            created_at: at(created),
            started_at: None,
            finished_at: None,
            counts: ImportCounts::default(),
            reason: None,
            has_report: false,
            source_etag: None,
            attempts: 0,
            run_id: None,
            claimed_at: claimed,
        };
        assert!(import(ImportStatus::WaitingUpload, now - 60, None).is_open(now));
        assert!(
            !import(ImportStatus::WaitingUpload, now - 901, None).is_open(now),
            "URL expired"
        );
        assert!(import(ImportStatus::Running, now - 3000, Some(now - 100)).is_open(now));
        assert!(
            !import(ImportStatus::Running, now - 3000, Some(now - 961)).is_open(now),
            "run died"
        );
        assert!(!import(ImportStatus::Done, now, Some(now)).is_open(now));
        assert!(!import(ImportStatus::Failed, now, Some(now)).is_open(now));
    }

    #[test]
    fn keys_round_trip_and_reports_are_not_uploads() {
        let object = ImportObject {
            seller: SellerId::of(&UserId::parse("u").unwrap()),
            import: ImportId::generate(),
            format: ImportFormat::Jsonl,
        };
        assert_eq!(ImportObject::parse(&object.key()), Some(object.clone()));
        assert!(object
            .key()
            .starts_with(&format!("imports/{}/", object.seller)));
        assert_eq!(ImportObject::parse(&object.report_key()), None);
        for stray in [
            "imports/x/y.csv",
            "other/s0123456789abcdef0123/a.csv",
            "imports/",
            "",
        ] {
            assert_eq!(ImportObject::parse(stray), None, "{stray}");
        }
    }
}
