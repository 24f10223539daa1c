//! Refunds: which part of a paid order's money goes back, to the minor unit, and how a
//! refund is named and tracked. Pure rules; recording and paying them is the services'.
//!
//! An order's tax was charged once, on its subtotal plus shipping, rounded
//! ([`pricing`](crate::domain::order::pricing)). A refund of some units gives back their
//! goods and a part of that tax; the rule below fixes which part, so that however an
//! order is refunded — in one go, line by line, unit by unit, in any order — the
//! refunds add up to exactly what was charged, never a cent more or less.
//!
//! **Level 1 — the order's tax over its parts.** The parts are the order's lines in
//! order, then its shipping; their bases are `b_i = line_total.amount` and
//! `b_{n+1} = shipping.amount`, `B = Σ b_i`, and `T = tax.amount`. If `B = 0` every share
//! is 0 (nothing was taxed). Otherwise, in `i128`, `q_i = ⌊T·b_i / B⌋`,
//! `r_i = (T·b_i) mod B` and `L = T − Σ q_i`: the `L` parts with the largest `r_i` get
//! `q_i + 1`, the others `q_i`, ties going to the lower index (lines in order, shipping
//! last). So the shares add up to `T` exactly, and each is its exact proportion rounded
//! down or up.
//!
//! **Level 2 — a line's share over its units.** A line of `Q` units with share `s` gives
//! `u = s / Q` to each unit and the remainder `e = s % Q` to its first `e` units: units
//! `1..=e` carry `u + 1`, the others `u`. Units are refunded in that order
//! ([`Refunded::units`] counts those already refunded), so the tax of the next `q` units
//! after `k` is `C(k + q) − C(k)` with `C(k) = k·u + min(k, e)`, and `C(Q) = s`. The goods
//! of `q` units are `q × unit_price`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::domain::ids::Sku;
use crate::domain::money::Money;
use crate::domain::order::{Order, OrderLine};

mod claim;
mod grant;
mod id;

pub use claim::{NewRefund, Refund, RefundView, RefundedUnits, Resolution, ResolveRefundInput};
pub use grant::{fit_to_capture, plan_grant, Grant, GrantLineInput, GrantRefundInput};
pub use id::{RefundCause, RefundId, RefundStatus};

/// Order tax split over its parts: Σ lines + shipping == order.tax.amount exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxShares {
    /// One share per order line, in the order's line order.
    pub lines: Vec<i64>,
    pub shipping: i64,
}

/// The order's tax split over its lines and shipping by the level-1 rule of this module.
/// The shares add up to the tax whenever anything was taxed (a tax on nothing would have
/// nowhere to go: every share is then 0, and pricing never charges one).
pub fn tax_shares(order: &Order) -> TaxShares {
    let bases: Vec<i128> = order
        .lines
        .iter()
        .map(|line| i128::from(line.line_total.amount))
        .chain([i128::from(order.shipping.amount)])
        .collect();
    let total_base: i128 = bases.iter().sum();
    let tax = i128::from(order.tax.amount);
    let mut shares = vec![0_i128; bases.len()];
    if total_base != 0 {
        // (remainder, part) of each exact proportion; the largest remainders were rounded
        // down the most, so they take the units the floors left over.
        let mut remainders = Vec::with_capacity(bases.len());
        for (part, base) in bases.iter().enumerate() {
            let exact = tax * base;
            shares[part] = exact.div_euclid(total_base);
            remainders.push((exact.rem_euclid(total_base), part));
        }
        let left_over = tax - shares.iter().sum::<i128>();
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, part) in remainders
            .iter()
            .take(usize::try_from(left_over).unwrap_or(0))
        {
            shares[part] += 1;
        }
    }
    // Each share lies between 0 and the tax (bases are never negative), so it fits.
    let mut shares: Vec<i64> = shares.into_iter().map(|s| s as i64).collect();
    let shipping = shares.pop().unwrap_or(0);
    TaxShares {
        lines: shares,
        shipping,
    }
}

/// Tax of units already+1 ..= already+q of a line of `quantity` units whose share is `share`.
/// Units past the line's quantity carry no tax: the line's share is all there is.
pub fn units_tax(share: i64, quantity: u32, already: u32, q: u32) -> i64 {
    if quantity == 0 {
        return 0;
    }
    let units = i64::from(quantity);
    let (each, remainder) = (share.div_euclid(units), share.rem_euclid(units));
    let carried = |k: u32| {
        let k = i64::from(k.min(quantity));
        k * each + k.min(remainder)
    };
    carried(already.saturating_add(q)) - carried(already)
}

/// What of an order has been refunded (or claimed for refund) so far.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refunded {
    /// Units refunded per SKU; a SKU not listed has none refunded.
    pub units: BTreeMap<Sku, u32>,
    pub shipping: bool,
}

impl Refunded {
    /// What is refunded once `plan` is too.
    pub fn with(&self, plan: &RefundPlan) -> Refunded {
        let mut next = self.clone();
        for (sku, q) in &plan.units {
            let count = next.units.entry(sku.clone()).or_insert(0);
            *count = count.saturating_add(*q);
        }
        next.shipping |= plan.shipping;
        next
    }

    fn units_of(&self, sku: &Sku) -> u32 {
        self.units.get(sku).copied().unwrap_or(0)
    }

    /// Units of `line` not refunded yet.
    fn left_of(&self, line: &OrderLine) -> u32 {
        line.quantity.saturating_sub(self.units_of(&line.sku))
    }
}

/// One refund, priced: what goes back and how much, all amounts in the order's minor units.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundPlan {
    /// (SKU, units) in the order's line order, each SKU once, none with 0 units.
    pub units: Vec<(Sku, u32)>,
    /// Whether the shipping goes back with it.
    pub shipping: bool,
    /// The units' prices.
    pub goods: i64,
    /// The units' part of the order's tax.
    pub tax: i64,
    /// The shipping fee and its part of the tax, when `shipping`; else 0.
    pub shipping_amount: i64,
    /// `goods + tax + shipping_amount`, in the order's currency.
    pub amount: Money,
}

/// Why a refund cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundRefusal {
    /// The order has no line of this SKU.
    UnknownSku(Sku),
    /// More units of `sku` than are left to refund; `left` are.
    TooManyUnits { sku: Sku, left: u32 },
    /// The refund would give nothing back.
    Nothing,
    /// More than what was paid and not yet claimed; `available` (minor units) is.
    ExceedsCaptured { available: i64 },
}

impl RefundRefusal {
    /// A sentence a client can read.
    pub fn message(&self) -> String {
        match self {
            RefundRefusal::UnknownSku(sku) => format!("The order has no line of SKU {sku}."),
            RefundRefusal::TooManyUnits { sku, left: 0 } => {
                format!("Every unit of SKU {sku} has been refunded already.")
            }
            RefundRefusal::TooManyUnits { sku, left } => {
                format!("Only {left} unit(s) of SKU {sku} are left to refund.")
            }
            RefundRefusal::Nothing => {
                "There is nothing to refund: no units, no shipping and no amount left.".to_owned()
            }
            RefundRefusal::ExceedsCaptured { available } => format!(
                "The refund exceeds what was paid: only {available} (in minor units of the \
                 order's currency) is left to refund."
            ),
        }
    }
}

/// Refund of `units` (sku, how many) plus, if `with_shipping` and the shipping is not
/// refunded yet, the shipping. Units are refunded in the fixed unit order of the module's
/// rule, so any sequence of partial refunds adds up exactly. A SKU listed twice is summed.
/// Shipping asked for but refunded already is left out, not refused: a caller that
/// refunds "these units and the shipping if still due" need not know which it is.
///
/// Refuses, in this order: the first SKU (as listed) the order has no line of; the first
/// line (in the order's order) asked for more units than are left; a refund of nothing.
pub fn plan_refund(
    order: &Order,
    refunded: &Refunded,
    units: &[(Sku, u32)],
    with_shipping: bool,
) -> Result<RefundPlan, RefundRefusal> {
    let mut wanted = vec![0_u32; order.lines.len()];
    for (sku, q) in units {
        let line = order
            .lines
            .iter()
            .position(|line| line.sku == *sku)
            .ok_or_else(|| RefundRefusal::UnknownSku(sku.clone()))?;
        // Saturating: a sum past u32 is more than any line has, refused just below.
        wanted[line] = wanted[line].saturating_add(*q);
    }
    for (line, &q) in order.lines.iter().zip(&wanted) {
        let left = refunded.left_of(line);
        if q > left {
            return Err(RefundRefusal::TooManyUnits {
                sku: line.sku.clone(),
                left,
            });
        }
    }
    let shipping = with_shipping && !refunded.shipping;
    if !shipping && wanted.iter().all(|&q| q == 0) {
        return Err(RefundRefusal::Nothing);
    }
    Ok(plan_of(order, refunded, &wanted, shipping))
}

/// Everything not yet refunded: every remaining unit and the shipping if not refunded yet
/// (when nothing is left, the empty plan: no units, no shipping, amount 0).
pub fn plan_rest(order: &Order, refunded: &Refunded) -> RefundPlan {
    let wanted: Vec<u32> = order
        .lines
        .iter()
        .map(|line| refunded.left_of(line))
        .collect();
    plan_of(order, refunded, &wanted, !refunded.shipping)
}

/// Prices `wanted[i]` further units of line `i`, already checked against what is left.
fn plan_of(order: &Order, refunded: &Refunded, wanted: &[u32], shipping: bool) -> RefundPlan {
    let shares = tax_shares(order);
    let (mut units, mut goods, mut tax) = (Vec::new(), 0_i64, 0_i64);
    for ((line, &q), &share) in order.lines.iter().zip(wanted).zip(&shares.lines) {
        if q == 0 {
            continue;
        }
        // At most the line's own total, which fits as the order's total did.
        goods += i64::from(q) * line.unit_price.amount;
        tax += units_tax(share, line.quantity, refunded.units_of(&line.sku), q);
        units.push((line.sku.clone(), q));
    }
    let shipping_amount = if shipping {
        order.shipping.amount + shares.shipping
    } else {
        0
    };
    RefundPlan {
        units,
        shipping,
        goods,
        tax,
        shipping_amount,
        amount: Money::new(goods + tax + shipping_amount, order.currency),
    }
}

/// A new claim of `amount` against an order that captured `captured` and has `claimed`
/// claimed so far: the new claimed total, or ExceedsCaptured{available: captured - claimed}.
/// amount must be > 0 (else Nothing).
pub fn check_claim(captured: i64, claimed: i64, amount: i64) -> Result<i64, RefundRefusal> {
    if amount <= 0 {
        return Err(RefundRefusal::Nothing);
    }
    let available = captured.saturating_sub(claimed);
    if amount > available {
        return Err(RefundRefusal::ExceedsCaptured { available });
    }
    Ok(claimed + amount)
}

#[cfg(test)]
mod tests;
