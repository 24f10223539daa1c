//! The order follows its shipments: one pure function says where an order stands,
//! given where each of its shipments stands and what came back of it.

use super::shipment::{Shipment, ShipmentStatus};
use crate::domain::order::OrderStatus;

/// Where one shipment stands, as its order's status sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShipmentTally {
    pub status: ShipmentStatus,
    /// Units it carries.
    pub units: u32,
    /// Units received back by its seller from returns.
    pub returned: u32,
}

impl From<ShipmentStatus> for ShipmentTally {
    /// A shipment of one unit, nothing returned.
    fn from(status: ShipmentStatus) -> ShipmentTally {
        ShipmentTally {
            status,
            units: 1,
            returned: 0,
        }
    }
}

impl Shipment {
    pub fn tally(&self) -> ShipmentTally {
        ShipmentTally {
            status: self.status,
            units: self.lines.iter().map(|l| l.quantity).sum(),
            returned: self.returned.values().sum(),
        }
    }
}

/// The status of a paid order whose shipments stand at `shipments`. Cancelled shipments
/// do not count: an order of two shipments, one cancelled and one delivered, is
/// `delivered`. A failed delivery counts as shipped (the carrier had it), never as
/// delivered. An order whose shipments are all cancelled (by their sellers, one by one)
/// is `cancelled`: nothing of it goes ahead, and its refunds were claimed with them.
/// Once anything came back, the order is `partially_returned`, and `returned` when every
/// shipment going ahead was delivered and every unit of them came back.
pub fn order_status_of(shipments: &[ShipmentTally]) -> OrderStatus {
    if !shipments.is_empty()
        && shipments
            .iter()
            .all(|s| s.status == ShipmentStatus::Cancelled)
    {
        return OrderStatus::Cancelled;
    }
    let going: Vec<&ShipmentTally> = shipments
        .iter()
        .filter(|s| s.status != ShipmentStatus::Cancelled)
        .collect();
    let shipped = going.iter().filter(|s| s.status.carrier_has_it()).count();
    let delivered = going
        .iter()
        .filter(|s| s.status == ShipmentStatus::Delivered)
        .count();
    let returned: u32 = going.iter().map(|s| s.returned).sum();
    let units: u32 = going.iter().map(|s| s.units).sum();
    if returned > 0 {
        if delivered == going.len() && returned >= units {
            OrderStatus::Returned
        } else {
            OrderStatus::PartiallyReturned
        }
    } else if going.is_empty() {
        OrderStatus::Confirmed
    } else if delivered == going.len() {
        OrderStatus::Delivered
    } else if delivered > 0 {
        OrderStatus::PartiallyDelivered
    } else if shipped == going.len() {
        OrderStatus::Shipped
    } else if shipped > 0 {
        OrderStatus::PartiallyShipped
    } else {
        OrderStatus::Confirmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use ShipmentStatus::*;

    #[test]
    fn derived_status_table() {
        use OrderStatus as O;
        let rows: &[(&[ShipmentStatus], OrderStatus)] = &[
            (&[], O::Confirmed),
            (&[AwaitingFulfilment], O::Confirmed),
            (&[Ready, AwaitingFulfilment], O::Confirmed),
            (&[HandedOver, Ready], O::PartiallyShipped),
            (&[InTransit, HandedOver], O::Shipped),
            (&[DeliveryFailed, Ready], O::PartiallyShipped),
            (&[Delivered, Ready], O::PartiallyDelivered),
            (&[Delivered, InTransit], O::PartiallyDelivered),
            (&[Delivered, Delivered], O::Delivered),
            (&[Delivered, Cancelled], O::Delivered),
            (&[Cancelled, Cancelled], O::Cancelled),
            (&[Cancelled], O::Cancelled),
            (&[AwaitingFulfilment, Cancelled], O::Confirmed),
            (&[DeliveryFailed, Delivered], O::PartiallyDelivered),
            (&[DeliveryFailed], O::Shipped),
            (&[HandedOver, Cancelled], O::Shipped),
        ];
        for (shipments, expected) in rows {
            assert_eq!(
                order_status_of(&tallies(shipments)),
                *expected,
                "{shipments:?}"
            );
        }
        // Returns: (status, units, returned) of each shipment.
        let t = |status, units, returned| ShipmentTally {
            status,
            units,
            returned,
        };
        let returns: &[(&[ShipmentTally], OrderStatus)] = &[
            (&[t(Delivered, 2, 1)], O::PartiallyReturned),
            (&[t(Delivered, 2, 2)], O::Returned),
            (
                &[t(Delivered, 2, 2), t(InTransit, 1, 0)],
                O::PartiallyReturned,
            ),
            (
                &[t(Delivered, 2, 2), t(Delivered, 1, 0)],
                O::PartiallyReturned,
            ),
            (&[t(Delivered, 2, 2), t(Delivered, 1, 1)], O::Returned),
            (&[t(Delivered, 2, 2), t(Cancelled, 3, 0)], O::Returned),
            (&[t(Delivered, 2, 0), t(Delivered, 1, 0)], O::Delivered),
        ];
        for (shipments, expected) in returns {
            assert_eq!(order_status_of(shipments), *expected, "{shipments:?}");
        }
    }

    fn tallies(statuses: &[ShipmentStatus]) -> Vec<ShipmentTally> {
        statuses.iter().map(|&s| ShipmentTally::from(s)).collect()
    }

    /// Every sequence of allowed moves of an order's 1 to 3 shipments (of 2 units each), from
    /// the start — a shipment's move, or one unit of a delivered shipment received back — the
    /// derived status after each move is the same or one `may_become` allows. Checking every
    /// move from every reachable state checks every step of every sequence.
    #[test]
    fn derived_status_never_moves_back() {
        let tally = |&(status, returned): &(ShipmentStatus, u32)| ShipmentTally {
            status,
            units: 2,
            returned,
        };
        let status_of = |states: &[(ShipmentStatus, u32)]| {
            order_status_of(&states.iter().map(tally).collect::<Vec<_>>())
        };
        let mut moves = 0;
        for n in 1..=3 {
            let start = vec![(AwaitingFulfilment, 0_u32); n];
            let key = |states: &[(ShipmentStatus, u32)]| -> Vec<(&'static str, u32)> {
                states.iter().map(|(s, r)| (s.as_str(), *r)).collect()
            };
            let mut reached = BTreeSet::from([key(&start)]);
            let mut todo = vec![start];
            while let Some(states) = todo.pop() {
                let before = status_of(&states);
                for i in 0..n {
                    let (status, returned) = states[i];
                    let mut nexts: Vec<(ShipmentStatus, u32)> = ShipmentStatus::ALL
                        .into_iter()
                        .filter(|next| status.may_become(*next))
                        .map(|next| (next, returned))
                        .collect();
                    if status == Delivered && returned < 2 {
                        nexts.push((Delivered, returned + 1));
                    }
                    for next in nexts {
                        let mut after_states = states.clone();
                        after_states[i] = next;
                        let after = status_of(&after_states);
                        assert!(
                            after == before || before.may_become(after),
                            "{before:?} -> {after:?}: {states:?} -> {after_states:?}"
                        );
                        moves += 1;
                        if reached.insert(key(&after_states)) {
                            todo.push(after_states);
                        }
                    }
                }
            }
        }
        assert!(moves > 500, "checked {moves} moves");
    }
}
