//! The carrier hand-off's records: a run's claim (one attempt at a time, kept by a
//! heartbeat, taken over when its attempt died), the pages of shipments ready before a
//! slot or handed over by a run, and the move `ready` → `handed_over` with its order.

use aws_sdk_dynamodb::types::{AttributeValue, Update};

use super::super::keys;
use super::super::{
    build, conditional, from_item, n, s, sdk_error, tx, value, Item, Store, TxOutcome,
};
use super::lease::{number, Lease, DONE};
use super::{shipment_key, MoveOutcome};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{RunId, Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::order::{HistoryEntry, Order};

/// Where a hand-over puts a shipment: the run and its attempt, the carrier, and the
/// delivery date the collection slot makes (when the order knows its transit days).
pub struct HandOverTo<'a> {
    pub run: &'a RunId,
    pub token: &'a str,
    pub carrier: &'a str,
    pub estimated_delivery: Option<&'a str>,
}

/// What claiming a run found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunClaim {
    /// This attempt runs it; `takeover`: an earlier attempt died partway (its moves stand).
    Claimed { takeover: bool },
    /// The run finished: its manifest holds `shipments` lines.
    AlreadyDone { shipments: u64 },
    /// Another attempt is running it now (its heartbeat is fresh).
    RunningElsewhere,
}

/// One page of shipments and where the next one starts (`None`: the last page).
pub struct ShipmentPage {
    pub shipments: Vec<Shipment>,
    pub next: Option<Item>,
}

impl Store {
    /// Claims `run` for the attempt `token` at `now` (Unix seconds): a new run is created
    /// running; a running one whose heartbeat is older than `lease` seconds is taken over.
    pub async fn claim_handoff_run(
        &self,
        run: &RunId,
        token: &str,
        now: i64,
        lease: i64,
    ) -> Result<RunClaim, ShopError> {
        let fields = vec![("runId", s(run.as_str()))];
        let sk = keys::handoff_run_sk(run);
        Ok(
            match self
                .claim_lease(&sk, "handoff_run", fields, token, now, lease)
                .await?
            {
                Lease::Claimed { takeover } => RunClaim::Claimed { takeover },
                Lease::Done(item) => RunClaim::AlreadyDone {
                    shipments: number(&item, "shipments").max(0) as u64,
                },
                Lease::Held => RunClaim::RunningElsewhere,
            },
        )
    }

    /// The attempt `token` is alive at `now`; `false` when another attempt took the run over.
    pub async fn heartbeat_handoff_run(
        &self,
        run: &RunId,
        token: &str,
        now: i64,
    ) -> Result<bool, ShopError> {
        self.heartbeat_lease(&keys::handoff_run_sk(run), token, now)
            .await
    }

    /// The run is done: its manifest (`etag`) holds `shipments` lines. `false` when another
    /// attempt took the run over meanwhile (it writes the manifest again, with every line).
    pub async fn finish_handoff_run(
        &self,
        run: &RunId,
        token: &str,
        shipments: u64,
        etag: &str,
    ) -> Result<bool, ShopError> {
        let result = self
            .own_lease_update(&keys::handoff_run_sk(run), token)
            .update_expression(
                "SET #status = :done, shipments = :shipments, manifestEtag = :etag, finishedAt = :at",
            )
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":shipments", n(shipments))
            .expression_attribute_values(":etag", s(etag))
            .expression_attribute_values(":at", s(crate::clock::now_sortable()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// A page of the shipments packed before `cutoff` (a sortable time), oldest first.
    /// GSI1 is eventually consistent: a shipment moved a moment ago may still show here
    /// (its move's condition refuses it), one packed a moment ago may not yet (the next
    /// run takes it).
    pub async fn ready_shipments_page(
        &self,
        cutoff: &str,
        limit: i32,
        start: Option<Item>,
    ) -> Result<ShipmentPage, ShopError> {
        self.gsi1_shipments(
            "#pk = :pk AND #sk < :cutoff",
            keys::READY_SHIPMENTS_PK.to_owned(),
            Some(cutoff),
            limit,
            start,
        )
        .await
    }

    /// A page of the shipments `run` handed over.
    pub async fn handed_over_page(
        &self,
        run: &RunId,
        limit: i32,
        start: Option<Item>,
    ) -> Result<ShipmentPage, ShopError> {
        self.gsi1_shipments(
            "#pk = :pk",
            keys::handoff_shipments_pk(run),
            None,
            limit,
            start,
        )
        .await
    }

    async fn gsi1_shipments(
        &self,
        condition: &str,
        partition: String,
        cutoff: Option<&str>,
        limit: i32,
        start: Option<Item>,
    ) -> Result<ShipmentPage, ShopError> {
        let mut query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(keys::GSI1)
            .key_condition_expression(condition)
            .expression_attribute_names("#pk", keys::GSI1PK)
            .expression_attribute_values(":pk", s(partition))
            .limit(limit)
            .set_exclusive_start_key(start);
        if let Some(cutoff) = cutoff {
            query = query
                .expression_attribute_names("#sk", keys::GSI1SK)
                .expression_attribute_values(":cutoff", s(cutoff));
        }
        let out = query.send().await.map_err(sdk_error)?;
        Ok(ShipmentPage {
            shipments: out
                .items
                .unwrap_or_default()
                .into_iter()
                .map(from_item)
                .collect::<Result<_, _>>()?,
            next: out.last_evaluated_key.filter(|k| !k.is_empty()),
        })
    }

    /// `ready` → `handed_over` as `to` says, with the order's follow-up: off the ready
    /// queue, onto the run's GSI1 partition.
    pub async fn hand_over(
        &self,
        order: &Order,
        shipment: &Shipment,
        to: HandOverTo<'_>,
        entry: &ShipmentEvent,
        order_entry: Option<&HistoryEntry>,
    ) -> Result<MoveOutcome, ShopError> {
        let HandOverTo {
            run,
            token,
            carrier,
            estimated_delivery,
        } = to;
        // The estimate is refined at hand-over (kept when the order predates estimates).
        let refine = match estimated_delivery {
            Some(_) => ", estimatedDelivery = :estimate",
            None => "",
        };
        let update = Update::builder()
            .table_name(self.table())
            .set_key(Some(shipment_key(&shipment.id)))
            .condition_expression("#status = :from AND rev = :rev")
            .update_expression(format!(
                "SET #status = :to, handoffRunId = :run, handoffToken = :token, carrier = :carrier, \
                 #gsi1pk = :handed, #gsi1sk = :id, history = list_append(history, :entry){refine} \
                 ADD rev :one"
            ))
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#gsi1pk", keys::GSI1PK)
            .expression_attribute_names("#gsi1sk", keys::GSI1SK)
            .expression_attribute_values(":from", s(ShipmentStatus::Ready.as_str()))
            .expression_attribute_values(":rev", n(shipment.rev))
            .expression_attribute_values(":to", s(ShipmentStatus::HandedOver.as_str()))
            .expression_attribute_values(":run", s(run.as_str()))
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":carrier", s(carrier))
            .expression_attribute_values(":handed", s(keys::handoff_shipments_pk(run)))
            .expression_attribute_values(":id", AttributeValue::S(shipment.id.to_string()))
            .expression_attribute_values(":entry", value(&vec![entry])?)
            .expression_attribute_values(":one", n(1));
        let update = match estimated_delivery {
            Some(date) => update.expression_attribute_values(":estimate", s(date)),
            None => update,
        };
        let actions = vec![
            tx(build(update.build())?),
            self.order_follow_up(order, order_entry)?,
        ];
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => MoveOutcome::Written,
            TxOutcome::Cancelled(_) => MoveOutcome::Changed,
        })
    }
}
