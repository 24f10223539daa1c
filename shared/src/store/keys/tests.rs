use super::*;
use crate::domain::refund::RefundCause;

#[test]
fn keys_have_the_documented_shape() {
    let p = ProductId::parse("p-1").unwrap();
    let s = Sku::parse("SKU-1").unwrap();
    let u = UserId::parse("u-1").unwrap();
    let c = CategoryId::parse("shoes").unwrap();
    assert_eq!(product_pk(&p), "PRODUCT#p-1");
    assert_eq!(product_of_pk("PRODUCT#p-1"), Some(p.clone()));
    assert_eq!(product_of_pk("ORDER#p-1"), None);
    assert_eq!(variant_sk(&s), "VARIANT#SKU-1");
    assert_eq!(sku_pk(&s), "SKU#SKU-1");
    assert_eq!(user_pk(&u), "USER#u-1");
    assert_eq!(cart_sk(&s), "CART#SKU-1");
    assert_eq!(wishlist_sk(&p), "WISHLIST#p-1");
    assert_eq!(category_sk(&c), "CATEGORY#shoes");
    assert_eq!(category_products_pk(&c), "CATEGORY#shoes");
    assert_eq!(seller_products_pk(&u), "SELLER#u-1");
    assert_eq!(email_pk("ada@example.com"), "EMAIL#ada@example.com");
    let o = OrderId::parse("o-1").unwrap();
    let t = "2026-11-27T10:00:00Z";
    assert_eq!(order_pk(&o), "ORDER#o-1");
    assert_eq!(order_line_sk(&s), "LINE#SKU-1");
    assert_eq!(customer_orders_pk(&u), "CUSTOMER#u-1");
    assert_eq!(customer_orders_sk(t, &o), "ORDER#2026-11-27T10:00:00Z#o-1");
    assert_eq!(
        seller_order_line_sk(t, &o, &s),
        "ORDERLINE#2026-11-27T10:00:00Z#o-1#SKU-1"
    );
    assert_eq!(idempotency_sk("ab12"), "IDEMPOTENCY#ab12");
    assert_eq!(card_pk("Fp1"), "CARD#Fp1");
    assert_eq!(card_use_sk(t, &o), "USE#2026-11-27T10:00:00Z#o-1");
    let seller = SellerId::of(&u);
    assert_eq!(seller_account_pk(&seller), format!("SELLER#{seller}"));
    assert_eq!(
        sellers_by_status_pk(SellerStatus::Pending),
        "SELLERS#pending"
    );
    assert_eq!(sellers_by_status_sk(t, &seller), format!("{t}#{seller}"));
    let shipment = ShipmentId::new(o.clone(), seller.clone());
    assert_eq!(shipment_sk(&seller), format!("SHIPMENT#{seller}"));
    assert_eq!(
        seller_shipment_sk(t, &shipment),
        format!("SHIPMENT#{t}#o-1.{seller}")
    );
    assert_eq!(ready_shipment_sk(t, &shipment), format!("{t}#o-1.{seller}"));
    let refund = RefundId::of(&o, &RefundCause::Cancel);
    assert_eq!(refund_sk(&refund), "REFUND#o-1.cancel");
    assert_eq!(failed_refund_sk(t, &refund), format!("{t}#o-1.cancel"));
    let ret = ReturnId::new(&shipment, 2);
    assert_eq!(return_sk(&ret), format!("RETURN#o-1.{seller}.r2"));
    assert_eq!(
        seller_return_sk(t, &ret),
        format!("RETURN#{t}#o-1.{seller}.r2")
    );
    let run = RunId::for_slot(time::macros::datetime!(2026-12-08 06:00 UTC));
    assert_eq!(handoff_run_sk(&run), "HANDOFF#20261208T060000Z");
    assert_eq!(handoff_shipments_pk(&run), "HANDOFF#20261208T060000Z");
}

#[test]
fn a_customers_items_all_share_one_partition() {
    let u = UserId::parse("u-1").unwrap();
    assert!(cart_sk(&Sku::parse("A").unwrap()).starts_with(CART_PREFIX));
    assert!(wishlist_sk(&ProductId::parse("B").unwrap()).starts_with(WISHLIST_PREFIX));
    assert_eq!(user_pk(&u), format!("USER#{u}"));
}
