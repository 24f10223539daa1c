use super::*;
use crate::domain::ids::{OrderId, ProductId, UserId};
use crate::domain::money::Currency;
use crate::domain::order::pricing;
use crate::domain::order::{Address, OrderStatus, PaymentMethodId, PaymentState};

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap())
}

fn sku(raw: &str) -> Sku {
    Sku::parse(raw).unwrap()
}

fn line(sku_name: &str, unit_price: i64, quantity: u32) -> OrderLine {
    OrderLine {
        sku: sku(sku_name),
        product_id: ProductId::parse(&format!("p-{sku_name}")).unwrap(),
        product_name: format!("Product {sku_name}"),
        seller_id: UserId::parse("seller-1").unwrap(),
        quantity,
        unit_price: usd(unit_price),
        line_total: usd(unit_price * i64::from(quantity)),
    }
}

fn address(country: &str) -> Address {
    Address {
        name: "Ada".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "London".into(),
        region: None,
        postal_code: "N1 9GU".into(),
        country: country.into(),
    }
}

/// A confirmed order of `lines` charged `shipping` and `tax` as given.
fn order_of(lines: Vec<OrderLine>, shipping: i64, tax: i64) -> Order {
    let subtotal: i64 = lines.iter().map(|l| l.line_total.amount).sum();
    Order {
        id: OrderId::parse("o-1").unwrap(),
        customer_id: UserId::parse("c-1").unwrap(),
        customer_email: None,
        status: OrderStatus::Confirmed,
        cancel_reason: None,
        created_at: "2026-11-27T10:00:00Z".into(),
        currency: Currency::parse("USD").unwrap(),
        lines,
        subtotal: usd(subtotal),
        shipping: usd(shipping),
        tax: usd(tax),
        total: usd(subtotal + shipping + tax),
        shipping_address: address("GB"),
        payment_method_id: PaymentMethodId::parse("pm_card_visa").unwrap(),
        payment: PaymentState::default(),
        history: Vec::new(),
        fulfilment_rev: 0,
        estimated_delivery: None,
        transit_days: None,
        refunded: Default::default(),
        cancel_request: None,
    }
}

/// X 1333×3, Y 667×1, shipping 499, tax 1033: total 6198.
fn worked_order() -> Order {
    order_of(vec![line("X", 1_333, 3), line("Y", 667, 1)], 499, 1_033)
}

fn units(list: &[(&str, u32)]) -> Vec<(Sku, u32)> {
    list.iter().map(|&(s, q)| (sku(s), q)).collect()
}

fn is_empty(plan: &RefundPlan) -> bool {
    plan.units.is_empty() && !plan.shipping && plan.amount.amount == 0
}

#[test]
fn worked_examples_split_the_tax_as_documented() {
    type Lines = &'static [(&'static str, i64, u32)];
    let table: &[(Lines, i64, i64, &[i64], i64)] = &[
        (
            &[("X", 1_333, 3), ("Y", 667, 1)],
            499,
            1_033,
            &[800, 133],
            100,
        ),
        (
            &[("A", 999, 1), ("B", 1_001, 1), ("C", 1, 1)],
            499,
            500,
            &[200, 200, 0],
            100,
        ),
        (
            &[("A", 1, 1), ("B", 1, 1), ("C", 1, 1)],
            499,
            100,
            &[0, 0, 0],
            100,
        ),
        (
            &[("A", 2_501, 1), ("B", 2_501, 1), ("C", 2_501, 1)],
            0,
            1_501,
            &[501, 500, 500],
            0,
        ),
        (
            &[("A", 2_500, 1), ("B", 2_500, 2)],
            0,
            1_500,
            &[500, 1_000],
            0,
        ),
    ];
    for &(lines, shipping, tax, expected_lines, expected_shipping) in table {
        let order = order_of(
            lines.iter().map(|&(s, p, q)| line(s, p, q)).collect(),
            shipping,
            tax,
        );
        let shares = tax_shares(&order);
        assert_eq!(
            shares,
            TaxShares {
                lines: expected_lines.to_vec(),
                shipping: expected_shipping
            },
            "{lines:?} shipping {shipping} tax {tax}"
        );
    }
}

#[test]
fn nothing_taxed_gives_every_part_a_zero_share() {
    let order = order_of(vec![line("A", 0, 2), line("B", 0, 1)], 0, 0);
    assert_eq!(
        tax_shares(&order),
        TaxShares {
            lines: vec![0, 0],
            shipping: 0
        }
    );
    let untaxed = order_of(vec![line("A", 1_000, 2)], 499, 0);
    assert_eq!(
        tax_shares(&untaxed),
        TaxShares {
            lines: vec![0],
            shipping: 0
        }
    );
}

#[test]
fn a_lines_first_units_carry_the_remainder_of_its_share() {
    // 800 over 3 units: 267, 267, 266.
    let per_unit: Vec<i64> = (0..3).map(|k| units_tax(800, 3, k, 1)).collect();
    assert_eq!(per_unit, [267, 267, 266]);
    assert_eq!(units_tax(800, 3, 0, 2), 534);
    assert_eq!(units_tax(800, 3, 2, 1), 266);
    assert_eq!(units_tax(800, 3, 0, 3), 800);
    assert_eq!(units_tax(800, 3, 1, 0), 0);
    // Past the line's quantity there is no tax left to give.
    assert_eq!(units_tax(800, 3, 3, 1), 0);
    assert_eq!(units_tax(800, 3, 2, 5), 266);
    assert_eq!(units_tax(800, 0, 0, 1), 0);
    assert_eq!(units_tax(2, 5, 0, 5), 2);
    assert_eq!(
        (0..5).map(|k| units_tax(2, 5, k, 1)).collect::<Vec<_>>(),
        [1, 1, 0, 0, 0]
    );
}

#[test]
fn every_split_of_a_line_into_consecutive_refunds_adds_up_to_its_share() {
    let mut rng = Rng(0x5eed_0001);
    for quantity in 1..=10_u32 {
        let mut shares = vec![
            0,
            1,
            i64::from(quantity) - 1,
            i64::from(quantity),
            1_000_003,
        ];
        shares.extend((0..20).map(|_| rng.below(10_000_000) as i64));
        for share in shares {
            let per_unit: Vec<i64> = (0..quantity)
                .map(|k| units_tax(share, quantity, k, 1))
                .collect();
            // Each unit carries ⌊s/Q⌋ or one more, the larger ones first.
            let floor = share / i64::from(quantity);
            assert!(per_unit.iter().all(|&t| t == floor || t == floor + 1));
            assert!(per_unit.windows(2).all(|w| w[0] >= w[1]), "{per_unit:?}");
            // A cut after unit j when bit j−1 of `cuts` is set: every composition of Q.
            for cuts in 0..1_u32 << (quantity - 1) {
                let (mut already, mut sum, mut start) = (0, 0, 0);
                for end in 1..=quantity {
                    if end == quantity || cuts & (1 << (end - 1)) != 0 {
                        let q = end - start;
                        let tax = units_tax(share, quantity, already, q);
                        assert_eq!(
                            tax,
                            per_unit[start as usize..end as usize].iter().sum::<i64>()
                        );
                        sum += tax;
                        already += q;
                        start = end;
                    }
                }
                assert_eq!(sum, share, "Q {quantity} share {share} cuts {cuts:b}");
            }
        }
    }
}

#[test]
fn the_worked_order_refunds_to_the_cent_in_any_steps() {
    let order = worked_order();
    assert_eq!(order.total.amount, 6_198);
    let fresh = plan_rest(&order, &Refunded::default());
    assert_eq!(fresh.amount, usd(6_198));

    let y = plan_refund(&order, &Refunded::default(), &units(&[("Y", 1)]), false).unwrap();
    assert_eq!(
        (y.goods, y.tax, y.shipping_amount, y.amount),
        (667, 133, 0, usd(800))
    );
    assert_eq!(y.units, units(&[("Y", 1)]));
    let refunded = Refunded::default().with(&y);

    let x2 = plan_refund(&order, &refunded, &units(&[("x", 2)]), false).unwrap();
    assert_eq!((x2.goods, x2.tax, x2.amount), (2_666, 534, usd(3_200)));
    let refunded = refunded.with(&x2);

    let x1 = plan_refund(&order, &refunded, &units(&[("X", 1)]), false).unwrap();
    assert_eq!((x1.goods, x1.tax, x1.amount), (1_333, 266, usd(1_599)));
    let refunded = refunded.with(&x1);
    assert_eq!(
        refunded.units,
        BTreeMap::from([(sku("X"), 3), (sku("Y"), 1)])
    );

    let rest = plan_rest(&order, &refunded);
    assert_eq!(
        (
            rest.units.len(),
            rest.shipping,
            rest.shipping_amount,
            rest.amount
        ),
        (0, true, 599, usd(599))
    );
    let refunded = refunded.with(&rest);
    assert!(is_empty(&plan_rest(&order, &refunded)));
    assert_eq!(800 + 3_200 + 1_599 + 599, order.total.amount);
}

#[test]
fn a_sku_listed_twice_is_summed_and_shipping_refunded_once() {
    let order = worked_order();
    let plan = plan_refund(
        &order,
        &Refunded::default(),
        &units(&[("X", 1), ("Y", 1), ("X", 1)]),
        true,
    )
    .unwrap();
    assert_eq!(plan.units, units(&[("X", 2), ("Y", 1)]));
    assert_eq!(
        (plan.goods, plan.tax, plan.shipping, plan.shipping_amount),
        (2_666 + 667, 534 + 133, true, 599)
    );
    assert_eq!(plan.amount, usd(3_333 + 667 + 599));

    let refunded = Refunded::default().with(&plan);
    let again = plan_refund(&order, &refunded, &units(&[("X", 1)]), true).unwrap();
    assert_eq!(
        (again.shipping, again.shipping_amount, again.amount),
        (false, 0, usd(1_599)),
        "shipping already refunded is left out"
    );
    let refunded = refunded.with(&again);
    assert_eq!(
        plan_refund(&order, &refunded, &[], true),
        Err(RefundRefusal::Nothing)
    );
    assert_eq!(
        plan_refund(&order, &Refunded::default(), &units(&[("X", 0)]), false),
        Err(RefundRefusal::Nothing)
    );
}

#[test]
fn refusals_say_what_is_wrong() {
    let order = worked_order();
    let none = Refunded::default();
    assert_eq!(
        plan_refund(&order, &none, &units(&[("X", 1), ("Z", 1)]), false),
        Err(RefundRefusal::UnknownSku(sku("Z")))
    );
    assert_eq!(
        plan_refund(&order, &none, &units(&[("X", 2), ("X", 2)]), false),
        Err(RefundRefusal::TooManyUnits {
            sku: sku("X"),
            left: 3
        })
    );
    assert_eq!(
        plan_refund(&order, &none, &units(&[("Y", u32::MAX), ("Y", 1)]), false),
        Err(RefundRefusal::TooManyUnits {
            sku: sku("Y"),
            left: 1
        })
    );
    let two_back = Refunded {
        units: BTreeMap::from([(sku("X"), 2)]),
        shipping: false,
    };
    let refusal = plan_refund(&order, &two_back, &units(&[("X", 2)]), false).unwrap_err();
    assert_eq!(
        refusal,
        RefundRefusal::TooManyUnits {
            sku: sku("X"),
            left: 1
        }
    );
    assert_eq!(
        refusal.message(),
        "Only 1 unit(s) of SKU X are left to refund."
    );
    assert_eq!(
        RefundRefusal::TooManyUnits {
            sku: sku("Y"),
            left: 0
        }
        .message(),
        "Every unit of SKU Y has been refunded already."
    );
    assert_eq!(
        RefundRefusal::UnknownSku(sku("Z")).message(),
        "The order has no line of SKU Z."
    );
    assert!(RefundRefusal::ExceedsCaptured { available: 198 }
        .message()
        .contains("only 198 "));
    assert!(RefundRefusal::Nothing
        .message()
        .starts_with("There is nothing"));
}

#[test]
fn a_claim_never_exceeds_what_was_captured() {
    assert_eq!(check_claim(6_198, 6_000, 198), Ok(6_198));
    assert_eq!(
        check_claim(6_198, 6_000, 199),
        Err(RefundRefusal::ExceedsCaptured { available: 198 })
    );
    assert_eq!(check_claim(6_198, 0, 800), Ok(800));
    assert_eq!(check_claim(6_198, 0, 0), Err(RefundRefusal::Nothing));
    assert_eq!(check_claim(6_198, 0, -5), Err(RefundRefusal::Nothing));
    assert_eq!(
        check_claim(6_198, 6_198, 1),
        Err(RefundRefusal::ExceedsCaptured { available: 0 })
    );
}

#[test]
fn refunded_records_what_each_plan_gave_back_and_round_trips() {
    let order = worked_order();
    let plan = plan_refund(&order, &Refunded::default(), &units(&[("X", 1)]), true).unwrap();
    let refunded = Refunded::default().with(&plan).with(&plan);
    assert_eq!(
        refunded,
        Refunded {
            units: BTreeMap::from([(sku("X"), 2)]),
            shipping: true
        }
    );
    let json = serde_json::to_string(&refunded).unwrap();
    assert_eq!(json, r#"{"units":{"X":2},"shipping":true}"#);
    assert_eq!(serde_json::from_str::<Refunded>(&json).unwrap(), refunded);
    assert_eq!(
        serde_json::to_value(&plan).unwrap()["shippingAmount"],
        serde_json::json!(599)
    );
}

// Thousands of random orders refunded in random steps.
mod random;

use random::Rng;
