//! Random orders (a seeded generator: the same orders every run), refunded in random steps.

use super::*;

/// xorshift64*: a fixed seed gives the same orders on every run, no crate needed.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform enough in `0..n` for tests.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }
}

const COUNTRIES: [&str; 10] = ["GB", "DE", "FR", "NL", "IE", "IN", "JP", "AU", "CA", "US"];

/// 1–25 lines of 1–50 units at 1–10^7 each, priced and taxed by `pricing::totals` for a
/// random country. Each order's prices stay below a random power of ten, so small orders
/// (which pay shipping) are common too.
fn random_order(rng: &mut Rng) -> Order {
    let most = 10_u64.pow(rng.below(8) as u32);
    let lines: Vec<OrderLine> = (0..rng.range(1, 25))
        .map(|i| {
            let unit_price = rng.range(1, most) as i64;
            line(&format!("SKU-{i}"), unit_price, rng.range(1, 50) as u32)
        })
        .collect();
    let address = address(COUNTRIES[rng.below(COUNTRIES.len() as u64) as usize]);
    let currency = Currency::parse("USD").unwrap();
    let totals = pricing::totals(&lines, currency, &address).unwrap();
    let mut order = order_of(lines, totals.shipping.amount, totals.tax.amount);
    assert_eq!(order.total, totals.total);
    order.shipping_address = address;
    order
}

/// Refunds `order` in random steps of random units of random lines (a SKU sometimes
/// listed twice), the shipping at a random step; checks each step's arithmetic and
/// returns what all steps gave back.
fn refund_in_random_steps(rng: &mut Rng, order: &Order) -> (i64, Refunded) {
    let mut refunded = Refunded::default();
    let mut given_back = 0;
    loop {
        let mut asked = vec![0_u32; order.lines.len()];
        let mut request = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let i = rng.below(order.lines.len() as u64) as usize;
            let line = &order.lines[i];
            let left = line.quantity - refunded.units_of(&line.sku) - asked[i];
            if left == 0 {
                continue;
            }
            // Half of the steps one unit at a time, the others any number left.
            let q = if rng.below(2) == 0 {
                1
            } else {
                rng.range(1, left.into()) as u32
            };
            asked[i] += q;
            if q >= 2 && rng.below(4) == 0 {
                request.push((line.sku.clone(), q / 2));
                request.push((line.sku.clone(), q - q / 2));
            } else {
                request.push((line.sku.clone(), q));
            }
        }
        let units_left = order.lines.iter().any(|l| refunded.left_of(l) > 0);
        let with_shipping = rng.below(4) == 0 || !units_left;
        let plan = match plan_refund(order, &refunded, &request, with_shipping) {
            Ok(plan) => plan,
            Err(RefundRefusal::Nothing) => {
                assert!(request.is_empty() && (refunded.shipping || !with_shipping));
                if !units_left && refunded.shipping {
                    return (given_back, refunded);
                }
                continue;
            }
            Err(other) => panic!("{other:?} for {request:?}"),
        };
        let goods: i64 = order
            .lines
            .iter()
            .zip(&asked)
            .map(|(l, &q)| i64::from(q) * l.unit_price.amount)
            .sum();
        assert_eq!(plan.goods, goods);
        assert!(plan.tax >= 0);
        assert_eq!(plan.amount.currency, order.currency);
        assert_eq!(
            plan.amount.amount,
            plan.goods + plan.tax + plan.shipping_amount
        );
        given_back += plan.amount.amount;
        refunded = refunded.with(&plan);
        if rng.below(8) == 0 {
            assert_eq!(
                given_back + plan_rest(order, &refunded).amount.amount,
                order.total.amount
            );
        }
    }
}

#[test]
fn random_orders_split_their_tax_and_refund_exactly() {
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let (mut with_fee, mut taxed) = (0, 0);
    for _ in 0..10_000 {
        let order = random_order(&mut rng);
        with_fee += usize::from(order.shipping.amount == 499);
        taxed += usize::from(order.tax.amount > 0);

        let shares = tax_shares(&order);
        assert_eq!(shares.lines.len(), order.lines.len());
        assert!(shares.lines.iter().all(|&s| s >= 0) && shares.shipping >= 0);
        assert_eq!(
            shares.lines.iter().sum::<i64>() + shares.shipping,
            order.tax.amount,
            "{order:?}"
        );

        let fresh = plan_rest(&order, &Refunded::default());
        assert_eq!(fresh.amount, order.total);
        assert_eq!(
            (fresh.goods, fresh.tax),
            (order.subtotal.amount, order.tax.amount - shares.shipping)
        );

        let (given_back, refunded) = refund_in_random_steps(&mut rng, &order);
        assert_eq!(given_back, order.total.amount, "{order:?}");
        assert!(is_empty(&plan_rest(&order, &refunded)));
        assert!(refunded.shipping);
        for l in &order.lines {
            assert_eq!(refunded.units[&l.sku], l.quantity);
        }
    }
    // Both shipping outcomes and both tax outcomes were exercised.
    assert!(with_fee > 500 && with_fee < 9_500, "{with_fee}");
    assert!(taxed > 5_000 && taxed < 10_000, "{taxed}");
}
