//! The carrier's coverage: versions of its rows (a version is its file's ETag), the pointer
//! to the current one, and each upload's lease. A new version is written whole before the
//! pointer moves to it, so a reader sees one version or the other, never half of one; the
//! version before the previous is deleted then, so a reader that just read the previous
//! pointer still finds its rows.

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};

use super::super::keys;
use super::super::{build, conditional, key, n, s, Item, Read, Store};
use super::lease::{Lease, DONE};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::CoverageRow;

/// The current coverage version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoveragePointer {
    pub version: String,
    /// The upload's order (`services::fulfilment::coverage::upload_order`): a later upload's
    /// is greater.
    pub sequencer: String,
    pub countries: Vec<String>,
    /// The version before it and its countries (kept while a reader may still use it).
    pub previous: Option<(String, Vec<String>)>,
}

/// What claiming an upload of the coverage file found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadClaim {
    Claimed,
    Done,
    Busy,
}

fn pointer_key() -> Item {
    key(keys::CARRIER_PK, keys::COVERAGE_SK)
}

fn strings(item: &Item, name: &str) -> Vec<String> {
    item.get(name)
        .and_then(|v| v.as_l().ok())
        .map(|l| l.iter().filter_map(|v| v.as_s().ok().cloned()).collect())
        .unwrap_or_default()
}

fn text(item: &Item, name: &str) -> Option<String> {
    item.get(name).and_then(|v| v.as_s().ok()).cloned()
}

fn list(values: &[String]) -> AttributeValue {
    AttributeValue::L(values.iter().map(|v| s(v.as_str())).collect())
}

impl Store {
    pub async fn claim_coverage_load(
        &self,
        etag: &str,
        sequencer: &str,
        token: &str,
        now: i64,
        lease: i64,
    ) -> Result<LoadClaim, ShopError> {
        let sk = keys::coverage_load_sk(etag, sequencer);
        let fields = vec![("etag", s(etag)), ("sequencer", s(sequencer))];
        Ok(
            match self
                .claim_lease(&sk, "coverage_load", fields, token, now, lease)
                .await?
            {
                Lease::Claimed { .. } => LoadClaim::Claimed,
                Lease::Done(_) => LoadClaim::Done,
                Lease::Held => LoadClaim::Busy,
            },
        )
    }

    pub async fn heartbeat_coverage_load(
        &self,
        etag: &str,
        sequencer: &str,
        token: &str,
        now: i64,
    ) -> Result<bool, ShopError> {
        self.heartbeat_lease(&keys::coverage_load_sk(etag, sequencer), token, now)
            .await
    }

    pub async fn give_up_coverage_load(&self, etag: &str, sequencer: &str, token: &str) {
        self.give_up_lease(&keys::coverage_load_sk(etag, sequencer), token)
            .await
    }

    /// The upload is done: `outcome` (`loaded`, `current`, `superseded`, `refused`) and
    /// its row counts.
    pub async fn finish_coverage_load(
        &self,
        etag: &str,
        sequencer: &str,
        token: &str,
        outcome: &str,
        rows: u64,
        rejected: u64,
    ) -> Result<bool, ShopError> {
        let result = self
            .own_lease_update(&keys::coverage_load_sk(etag, sequencer), token)
            .update_expression(
                "SET #status = :done, outcome = :outcome, #rows = :rows, rejected = :rejected, finishedAt = :at",
            )
            .expression_attribute_names("#rows", "rows")
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":outcome", s(outcome))
            .expression_attribute_values(":rows", n(rows))
            .expression_attribute_values(":rejected", n(rejected))
            .expression_attribute_values(":at", s(crate::clock::now_sortable()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// The current coverage; `None` before any file was loaded (nothing is served then).
    pub async fn coverage_pointer(&self) -> Result<Option<CoveragePointer>, ShopError> {
        let Some(item) = self.read_item(pointer_key(), Read::Consistent).await? else {
            return Ok(None);
        };
        let (Some(version), Some(sequencer)) = (text(&item, "version"), text(&item, "sequencer"))
        else {
            return Ok(None);
        };
        Ok(Some(CoveragePointer {
            version,
            sequencer,
            countries: strings(&item, "countries"),
            previous: text(&item, "previous").map(|p| (p, strings(&item, "previousCountries"))),
        }))
    }

    /// The rows of `version` for `country` among `prefixes`: (prefix, transit days; `None`
    /// for an exclusion).
    pub async fn coverage_rows(
        &self,
        version: &str,
        country: &str,
        prefixes: &[String],
    ) -> Result<Vec<(String, Option<u8>)>, ShopError> {
        let wanted = prefixes
            .iter()
            .map(|p| key(keys::coverage_pk(version, country), keys::postcode_sk(p)))
            .collect();
        Ok(self
            .batch_get(wanted)
            .await?
            .into_iter()
            .filter_map(|item| {
                let sk = text(&item, keys::SK)?;
                let prefix = sk.strip_prefix(keys::POSTCODE_PREFIX)?.to_owned();
                let transit = item
                    .get("transitDays")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok());
                Some((prefix, transit))
            })
            .collect())
    }

    /// Writes `rows` (at most 25) as part of `version` (the same rows again write the same items).
    pub async fn put_coverage_rows(
        &self,
        version: &str,
        rows: &[CoverageRow],
    ) -> Result<(), ShopError> {
        let requests = rows
            .iter()
            .map(|row| {
                let mut item = key(
                    keys::coverage_pk(version, &row.country),
                    keys::postcode_sk(&row.prefix),
                );
                item.insert(keys::ENTITY.into(), s("coverage_row"));
                match row.transit_days {
                    Some(days) => item.insert("transitDays".into(), n(days)),
                    None => item.insert("excluded".into(), AttributeValue::Bool(true)),
                };
                Ok(WriteRequest::builder()
                    .put_request(build(PutRequest::builder().set_item(Some(item)).build())?)
                    .build())
            })
            .collect::<Result<Vec<_>, ShopError>>()?;
        self.batch_write(requests).await
    }

    /// Makes `version` current if its upload's `sequencer` is later than the current one's;
    /// `Ok(Some(old))` with the pointer it replaced (`None` inside when there was none),
    /// `Ok(None)` when a later upload is current.
    pub async fn switch_coverage(
        &self,
        version: &str,
        sequencer: &str,
        countries: &[String],
        current: Option<&CoveragePointer>,
    ) -> Result<Option<Option<CoveragePointer>>, ShopError> {
        let mut update = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(pointer_key()))
            .expression_attribute_values(":version", s(version))
            .expression_attribute_values(":sequencer", s(sequencer))
            .expression_attribute_values(":countries", list(countries))
            .expression_attribute_values(":at", s(crate::clock::now_sortable()));
        update = match current {
            None => update
                .update_expression(
                    "SET version = :version, sequencer = :sequencer, countries = :countries, \
                     switchedAt = :at",
                )
                .condition_expression("attribute_not_exists(version)"),
            Some(old) => update
                .update_expression(
                    "SET version = :version, sequencer = :sequencer, countries = :countries, \
                     switchedAt = :at, previous = :previous, previousCountries = :previousCountries",
                )
                // As read (the caller compared the sequencers): a switch in between makes
                // this one read again.
                .condition_expression("version = :previous AND sequencer = :seen")
                .expression_attribute_values(":previous", s(old.version.as_str()))
                .expression_attribute_values(":previousCountries", list(&old.countries))
                .expression_attribute_values(":seen", s(old.sequencer.as_str())),
        };
        let result = update.send().await;
        Ok(conditional(result)?.map(|_| current.cloned()))
    }

    /// Deletes every row of `version` (in `countries`).
    pub async fn delete_coverage_version(
        &self,
        version: &str,
        countries: &[String],
    ) -> Result<(), ShopError> {
        for country in countries {
            let items = self
                .query_prefix(
                    keys::coverage_pk(version, country),
                    keys::POSTCODE_PREFIX,
                    false,
                )
                .await?;
            for chunk in items.chunks(25) {
                let requests = chunk
                    .iter()
                    .map(|item| {
                        let pk = text(item, keys::PK).unwrap_or_default();
                        let sk = text(item, keys::SK).unwrap_or_default();
                        Ok(WriteRequest::builder()
                            .delete_request(build(
                                DeleteRequest::builder().set_key(Some(key(pk, sk))).build(),
                            )?)
                            .build())
                    })
                    .collect::<Result<Vec<_>, ShopError>>()?;
                self.batch_write(requests).await?;
            }
        }
        Ok(())
    }
}
