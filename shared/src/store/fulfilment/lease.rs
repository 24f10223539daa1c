//! Leases on the carrier's work, under `CARRIER`: a hand-off run, an event file. One
//! attempt holds a lease at a time and keeps it by a heartbeat; an attempt whose heartbeat
//! went stale died, and the next one takes the work over. Every later write of the work is
//! conditional on the holder's token, so an attempt that lost its lease writes nothing.

use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::AttributeValue;

use super::super::keys;
use super::super::{conditional, key, n, s, Item, Read, Store};
use crate::domain::error::ShopError;

const RUNNING: &str = "running";
pub(crate) const DONE: &str = "done";

/// What claiming a lease found.
pub(crate) enum Lease {
    /// This attempt holds it; `takeover`: an earlier attempt died partway.
    Claimed { takeover: bool },
    /// The work is done: its record as stored.
    Done(Item),
    /// Another attempt holds it (its heartbeat is fresh).
    Held,
}

fn lease_key(sk: &str) -> Item {
    key(keys::CARRIER_PK, sk)
}

/// A number attribute of a stored record (0 when absent).
pub(crate) fn number(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

impl Store {
    /// Claims the lease `sk` for the attempt `token` at `now` (Unix seconds): a new record
    /// (`entity`, with `fields`) is created running; a running one whose heartbeat is older
    /// than `lease` seconds is taken over (conditional on the heartbeat seen, so of two
    /// attempts taking over one wins).
    pub(crate) async fn claim_lease(
        &self,
        sk: &str,
        entity: &str,
        fields: Vec<(&str, AttributeValue)>,
        token: &str,
        now: i64,
        lease: i64,
    ) -> Result<Lease, ShopError> {
        let mut item = lease_key(sk);
        item.extend([
            (keys::ENTITY.to_owned(), s(entity)),
            ("status".to_owned(), s(RUNNING)),
            ("token".to_owned(), s(token)),
            ("heartbeatAt".to_owned(), n(now)),
            ("attempts".to_owned(), n(1)),
            ("startedAt".to_owned(), s(crate::clock::now_sortable())),
        ]);
        item.extend(fields.into_iter().map(|(k, v)| (k.to_owned(), v)));
        if self.put_if_absent(item).await? {
            return Ok(Lease::Claimed { takeover: false });
        }
        let found = self
            .read_item(lease_key(sk), Read::Consistent)
            .await?
            .ok_or_else(|| ShopError::Unavailable(format!("{sk} vanished; retry")))?;
        if found
            .get("status")
            .and_then(|v| v.as_s().ok())
            .map(String::as_str)
            == Some(DONE)
        {
            return Ok(Lease::Done(found));
        }
        let seen = number(&found, "heartbeatAt");
        if seen > now - lease {
            return Ok(Lease::Held);
        }
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(lease_key(sk)))
            .update_expression("SET #token = :token, heartbeatAt = :now ADD attempts :one")
            .condition_expression("#status = :running AND heartbeatAt = :seen")
            .expression_attribute_names("#token", "token")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":running", s(RUNNING))
            .expression_attribute_values(":seen", n(seen))
            .send()
            .await;
        Ok(match conditional(result)? {
            Some(_) => Lease::Claimed { takeover: true },
            None => Lease::Held,
        })
    }

    /// The holder `token` is alive at `now`; `false` when another attempt took over.
    pub(crate) async fn heartbeat_lease(
        &self,
        sk: &str,
        token: &str,
        now: i64,
    ) -> Result<bool, ShopError> {
        let result = self
            .own_lease_update(sk, token)
            .update_expression("SET heartbeatAt = :now")
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// The holder gives the lease up unfinished (it failed): the next attempt may take
    /// over at once rather than after the lease. Best effort: a lease not given up lapses.
    pub(crate) async fn give_up_lease(&self, sk: &str, token: &str) {
        let result = self
            .own_lease_update(sk, token)
            .update_expression("SET heartbeatAt = :zero")
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        if let Err(err) = conditional(result) {
            tracing::warn!(lease = sk, error = %err, "lease not given up; it lapses");
        }
    }

    /// An update of the record `sk` that holds only while `token` holds its lease and the
    /// work runs; the caller sets what it writes.
    pub(crate) fn own_lease_update(&self, sk: &str, token: &str) -> UpdateItemFluentBuilder {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(lease_key(sk)))
            .condition_expression("#token = :token AND #status = :running")
            .expression_attribute_names("#token", "token")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":running", s(RUNNING))
    }
}
