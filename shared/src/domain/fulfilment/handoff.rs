//! The carrier hand-off: a run per scheduled collection slot, and the manifest line each
//! shipment handed over puts in that run's file (the contract with the carrier).

use serde::Serialize;
use time::OffsetDateTime;

use super::shipment::{Parcel, Shipment};
use crate::domain::error::FieldError;
use crate::domain::ids::ShipmentId;
use crate::domain::order::Address;

/// A hand-off run: the scheduled time of its collection slot, `YYYYMMDDTHHMMSSZ`.
/// EventBridge puts the same scheduled time in every retry and duplicate of a slot's
/// invocation, so they all name one run, one manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    /// The run of the slot scheduled at `slot` (sub-seconds dropped).
    pub fn for_slot(slot: OffsetDateTime) -> RunId {
        let format =
            time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
        RunId(
            slot.to_offset(time::UtcOffset::UTC)
                .format(&format)
                .unwrap_or_else(|_| "19700101T000000Z".to_owned()),
        )
    }

    /// A scheduled event's `time` (RFC 3339) as the slot it names.
    pub fn slot_of(time: &str) -> Result<OffsetDateTime, FieldError> {
        OffsetDateTime::parse(time, &time::format_description::well_known::Rfc3339)
            .map(|t| t.replace_nanosecond(0).unwrap_or(t))
            .map_err(|_| FieldError::new("time", "must be an RFC 3339 time"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The manifest's key in the carrier bucket.
    pub fn manifest_key(&self) -> String {
        format!("carrier/outbox/{}.jsonl", self.0)
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One shipment of a manifest, as the carrier reads it: what to collect where, and
/// where it goes. Never the customer's email, prices or other sellers' lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestLine {
    pub run_id: String,
    pub shipment_id: ShipmentId,
    pub service_level: String,
    pub parcels: Vec<Parcel>,
    pub pickup: Address,
    pub destination: Address,
    pub ready_at: String,
}

impl ManifestLine {
    /// The line of a shipment handed over in `run`; `None` for one that was never packed
    /// (no pickup address or parcels: never handed over).
    pub fn of(shipment: &Shipment, run: &RunId) -> Option<ManifestLine> {
        if shipment.parcels.is_empty() {
            return None;
        }
        Some(ManifestLine {
            run_id: run.to_string(),
            shipment_id: shipment.id.clone(),
            service_level: shipment.service_level.clone(),
            parcels: shipment.parcels.clone(),
            pickup: shipment.pickup_address.clone()?,
            destination: shipment.shipping_address.clone(),
            ready_at: shipment.ready_at.clone()?,
        })
    }

    /// The line as written: one JSON object, no newline inside.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_slot_names_its_run() {
        let run = RunId::for_slot(datetime!(2026-12-08 06:00:00.123 UTC));
        assert_eq!(run.as_str(), "20261208T060000Z");
        assert_eq!(run.manifest_key(), "carrier/outbox/20261208T060000Z.jsonl");
        assert_ne!(run, RunId::for_slot(datetime!(2026-12-08 06:00:01 UTC)));
        let slot = RunId::slot_of("2026-12-08T06:00:00.750Z").unwrap();
        assert_eq!(slot, datetime!(2026-12-08 06:00:00 UTC));
        assert_eq!(RunId::for_slot(slot), run);
        assert_eq!(
            RunId::for_slot(RunId::slot_of("2026-12-08T07:00:00+01:00").unwrap()),
            run,
            "any offset, the same instant"
        );
        assert_eq!(RunId::slot_of("yesterday").unwrap_err().field, "time");
    }
}
