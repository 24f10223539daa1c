//! Fulfilment: a paid order split into one shipment per seller, each packed by its
//! seller, handed to the carrier and tracked to the customer's door, with the order's
//! status following its shipments. Pure, like the rest of the domain.

mod carrier;
mod coverage;
mod handoff;
mod order_status;
mod schedule;
mod shipment;
mod view;

pub use carrier::{
    apply, parse_event_line, told_by_delivery, CarrierEvent, CarrierEventKind, Effect,
    ShipmentFacts, MAX_CLOCK_SKEW_SECONDS,
};
pub use coverage::{
    best_match, candidate_prefixes, normalise_postcode, CoverageCheck, CoverageRow, EstimateQuery,
    Serviceability, COVERAGE_COLUMNS, MAX_COVERAGE_ROWS, MAX_PREFIX, MAX_TRANSIT_DAYS,
};
pub use handoff::{ManifestLine, RunId};
pub use order_status::{order_status_of, ShipmentTally};
pub use schedule::{
    add_working_days, estimate_delivery, ready_by, CollectionSchedule, ScheduleError,
};
pub use shipment::{
    shipments_of, CancelInput, Parcel, ParcelInput, ReadyInput, Shipment, ShipmentEvent,
    ShipmentLine, ShipmentStatus, BY_CHECKOUT, MAX_PARCELS, MAX_PARCEL_GRAMS, MAX_PARCEL_SIDE_MM,
    STANDARD_SERVICE,
};
pub use view::{CustomerShipmentView, SellerShipmentView};

#[cfg(test)]
mod tests;
