//! A refund's id, derived from its cause, and where a refund stands.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::error::FieldError;
use crate::domain::ids::{check_id, OrderId, SellerId};

/// What a refund is for. Each cause is refunded at most once, its id says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundCause {
    /// A paid order cancelled as a whole.
    Cancel,
    /// The payment of an order its checkout cancelled (it succeeded too late).
    Payment,
    /// The units of a seller's shipment, cancelled by the seller.
    Shipment(SellerId),
    /// A return, by its id (`[A-Za-z0-9._-]`).
    Return(String),
    /// A PaymentIntent (`pi_…`) that charged for the order but is not its payment.
    Stray(String),
    /// An operator's refund of an amount, the order's `n`-th such.
    Grant(u32),
}

impl RefundCause {
    /// How the cause is spelled in its refund's id.
    fn spelling(&self) -> String {
        match self {
            RefundCause::Cancel => "cancel".to_owned(),
            RefundCause::Payment => "payment".to_owned(),
            RefundCause::Shipment(seller) => format!("ship-{seller}"),
            RefundCause::Return(id) => format!("rma-{id}"),
            RefundCause::Stray(intent) => format!("stray-{intent}"),
            RefundCause::Grant(n) => format!("grant-{n}"),
        }
    }
}

/// A refund's id, derived from its cause so a cause is refunded at most once: "<orderId>.<cause>".
/// Order and return ids may contain `.`, so the id is not split back into its parts:
/// whoever holds one knows its order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RefundId(String);

impl RefundId {
    pub const FIELD: &'static str = "refundId";
    const MAX_LEN: usize = 200;

    /// The id of refunding `cause` of `order`. The ids a cause carries were checked where
    /// they came in (`[A-Za-z0-9._-]`), so the result is a valid id.
    pub fn of(order: &OrderId, cause: &RefundCause) -> RefundId {
        let id = RefundId(format!("{order}.{}", cause.spelling()));
        debug_assert!(RefundId::parse(id.as_str()).is_ok(), "{id}");
        id
    }

    /// A refund id as sent back: at most 200 characters of `[A-Za-z0-9._-]`, led by a
    /// letter or digit, with a `.` between its order and its cause.
    pub fn parse(raw: &str) -> Result<RefundId, FieldError> {
        check_id(raw, Self::FIELD, Self::MAX_LEN)?;
        if !raw.contains('.') {
            return Err(FieldError::new(
                Self::FIELD,
                "must be a refund id (<orderId>.<cause>)",
            ));
        }
        Ok(RefundId(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key of attempt `round` of this refund at Stripe. Stripe answers a key's repeats
    /// with its first answer, so a retry within a round is safe, and an operator's retry
    /// after a failure (a new round) needs a new key to be tried at all.
    pub fn idempotency_key(&self, round: u32) -> String {
        format!("{}/{round}", self.0)
    }
}

impl fmt::Display for RefundId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RefundId {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<RefundId, FieldError> {
        RefundId::parse(&raw)
    }
}

impl From<RefundId> for String {
    fn from(id: RefundId) -> String {
        id.0
    }
}

/// Where one refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Asked of Stripe (or about to be); no final answer yet.
    Pending,
    /// Stripe gave the money back.
    Succeeded,
    /// Stripe could not; an operator retries it or settles it another way.
    Failed,
    /// An operator gave the money back outside Stripe (a bank transfer, a voucher).
    SettledOutsideStripe,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundStatus::Pending => "pending",
            RefundStatus::Succeeded => "succeeded",
            RefundStatus::Failed => "failed",
            RefundStatus::SettledOutsideStripe => "settled_outside_stripe",
        }
    }

    /// The moves a refund makes: Stripe answers a pending one; a failed one is retried
    /// (pending again, in a new round) or settled outside Stripe. Nothing else, so money
    /// that went back is never asked for again.
    pub fn may_become(self, next: RefundStatus) -> bool {
        use RefundStatus::*;
        matches!(
            (self, next),
            (Pending, Succeeded | Failed) | (Failed, Pending | SettledOutsideStripe)
        )
    }

    /// The money went back: nothing more will happen to this refund.
    pub fn is_end(self) -> bool {
        matches!(
            self,
            RefundStatus::Succeeded | RefundStatus::SettledOutsideStripe
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::UserId;

    #[test]
    fn refund_status_moves_as_documented() {
        use RefundStatus::*;
        let all = [Pending, Succeeded, Failed, SettledOutsideStripe];
        let allowed = [
            (Pending, Succeeded),
            (Pending, Failed),
            (Failed, Pending),
            (Failed, SettledOutsideStripe),
        ];
        for from in all {
            for to in all {
                assert_eq!(
                    from.may_become(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
        assert_eq!(all.map(RefundStatus::is_end), [false, true, false, true]);
        for (status, name) in
            all.into_iter()
                .zip(["pending", "succeeded", "failed", "settled_outside_stripe"])
        {
            assert_eq!(status.as_str(), name);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(
                serde_json::from_str::<RefundStatus>(&format!("\"{name}\"")).unwrap(),
                status
            );
        }
    }

    #[test]
    fn a_refund_id_names_its_order_and_cause() {
        let order = OrderId::parse("0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d").unwrap();
        let seller = SellerId::of(&UserId::parse("seller-sub").unwrap());
        let cases = [
            (RefundCause::Cancel, format!("{order}.cancel")),
            (RefundCause::Payment, format!("{order}.payment")),
            (
                RefundCause::Shipment(seller.clone()),
                format!("{order}.ship-{seller}"),
            ),
            (
                RefundCause::Return("r-1.2".into()),
                format!("{order}.rma-r-1.2"),
            ),
            (
                RefundCause::Stray("pi_3Abc".into()),
                format!("{order}.stray-pi_3Abc"),
            ),
            (RefundCause::Grant(2), format!("{order}.grant-2")),
        ];
        for (cause, expected) in cases {
            let id = RefundId::of(&order, &cause);
            assert_eq!(id.as_str(), expected);
            assert_eq!(id.to_string(), expected);
            assert_eq!(RefundId::parse(&expected).unwrap(), id);
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{expected}\""));
            assert_eq!(serde_json::from_str::<RefundId>(&json).unwrap(), id);
            assert_eq!(String::from(id), expected);
        }
        assert_ne!(
            RefundId::of(&order, &RefundCause::Grant(1)),
            RefundId::of(&order, &RefundCause::Grant(2))
        );
    }

    #[test]
    fn a_refund_id_is_checked_when_it_comes_in() {
        assert!(RefundId::parse(&format!("o.{}", "a".repeat(198))).is_ok());
        for bad in [
            String::new(),
            "no-dot".into(),
            ".cancel".into(),
            "-o.cancel".into(),
            "o#1.cancel".into(),
            "o.can cel".into(),
            "o/1.cancel".into(),
            format!("o.{}", "a".repeat(199)),
        ] {
            let err = RefundId::parse(&bad).unwrap_err();
            assert_eq!(err.field, "refundId", "{bad:?}");
        }
        assert!(serde_json::from_str::<RefundId>("\"no-dot\"").is_err());
    }

    #[test]
    fn a_new_round_of_a_refund_gets_a_new_idempotency_key() {
        let id = RefundId::of(&OrderId::parse("o-1").unwrap(), &RefundCause::Cancel);
        // Rounds start at 1 (a claim's first); an operator's retry is the next.
        assert_eq!(id.idempotency_key(1), "o-1.cancel/1");
        assert_eq!(id.idempotency_key(3), "o-1.cancel/3");
        assert_ne!(id.idempotency_key(1), id.idempotency_key(2));
    }
}
