use super::*;

fn verify() -> Mail {
    Mail::VerifyEmail {
        to: "ada@example.com".into(),
        name: "Ada".into(),
        code: "123456".into(),
        expires_in_minutes: 15,
    }
}

fn cancelled(refunded: Option<i64>) -> Mail {
    Mail::OrderCancelled {
        to: "ada@example.com".into(),
        name: "Ada".into(),
        order_id: "0192f1c4-aaaa-7bbb".into(),
        reason: "payment_timeout".into(),
        refunded,
        currency: "USD".into(),
    }
}

#[test]
fn order_mails_say_what_happened_to_the_money() {
    let confirmed = Mail::OrderConfirmed {
        to: "ada@example.com".into(),
        name: "Ada".into(),
        order_id: "o-1".into(),
        total: 4_798,
        currency: "USD".into(),
        items: 3,
    };
    let r = confirmed.render("Shop");
    assert_eq!(r.subject, "Shop: order o-1 confirmed");
    assert!(r.text.contains("47.98 USD"), "{}", r.text);
    let refunded = cancelled(Some(2_599)).render("Shop").text;
    assert!(
        refunded.contains("not completed in time")
            && refunded.contains("25.99 USD you paid has been refunded"),
        "{refunded}"
    );
    assert!(cancelled(None)
        .render("Shop")
        .text
        .contains("You have not been charged."));
    assert_eq!(
        Mail::from_queue(&cancelled(None).to_queue()),
        Ok(cancelled(None))
    );
    assert_eq!(display_amount(500, "JPY"), "500 JPY");
    assert_eq!(display_amount(5, "EUR"), "0.05 EUR");
}

fn seller_new_order(lines: usize, name_len: usize) -> Mail {
    Mail::SellerNewOrder {
        to: "shop@example.com".into(),
        name: "Acme Outdoor".into(),
        order_id: "0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d".into(),
        shipment_id: "0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d.s0123456789abcdef0123".into(),
        lines: (0..lines)
            .map(|i| MailLine {
                sku: format!("SKU-{i:02}-{}", "X".repeat(55)),
                product_name: "é".repeat(name_len),
                quantity: 99,
            })
            .collect(),
    }
}

#[test]
fn a_seller_is_told_what_to_pack_and_how_to_say_it_is_ready() {
    let mail = Mail::SellerNewOrder {
        to: "shop@example.com".into(),
        name: "Acme Outdoor".into(),
        order_id: "0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d".into(),
        shipment_id: "0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d.s0123456789abcdef0123".into(),
        lines: vec![MailLine {
            sku: "T-1".into(),
            product_name: "Trail Shoe".into(),
            quantity: 2,
        }],
    };
    let r = mail.render("Shop");
    assert_eq!(r.to, "shop@example.com");
    assert_eq!(
        r.subject,
        "Shop: new order 0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d to ship"
    );
    assert!(
        r.text.contains("  2 x Trail Shoe (SKU T-1)\n"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("POST /seller/shipments/0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d.s0123456789abcdef0123/ready"),
        "{}",
        r.text
    );
    assert_eq!(Mail::from_queue(&mail.to_queue()), Ok(mail));
}

#[test]
fn a_full_orders_seller_mail_fits_the_queue() {
    // 25 lines with 64-character SKUs and 200-character (400-byte) product names.
    let mail = seller_new_order(MAX_MAIL_LINES, 200);
    let body = mail.to_queue();
    assert!(body.len() <= MAX_QUEUED_BYTES, "{} bytes", body.len());
    assert_eq!(Mail::from_queue(&body), Ok(mail));
    let too_many = seller_new_order(MAX_MAIL_LINES + 1, 1).to_queue();
    assert_eq!(
        Mail::from_queue(&too_many),
        Err(MailError::BadField("lines"))
    );
    let none = seller_new_order(0, 1).to_queue();
    assert_eq!(Mail::from_queue(&none), Err(MailError::BadField("lines")));
}

#[test]
fn a_queued_mail_round_trips() {
    let body = verify().to_queue();
    assert!(body.contains(r#""kind":"verify_email""#), "{body}");
    assert_eq!(Mail::from_queue(&body).unwrap(), verify());
}

#[test]
fn the_verification_mail_says_the_code_and_its_lifetime() {
    let r = verify().render("Shop");
    assert_eq!(r.to, "ada@example.com");
    assert!(r.subject.contains("123456"));
    assert!(r.text.contains("123456") && r.text.contains("15 minutes") && r.text.contains("Ada"));
}

#[test]
fn poison_messages_are_refused() {
    assert!(matches!(
        Mail::from_queue("not json"),
        Err(MailError::Unreadable(_))
    ));
    assert!(matches!(
        Mail::from_queue(r#"{"kind":"launch_missiles"}"#),
        Err(MailError::Unreadable(_))
    ));
    let extra = r#"{"kind":"verify_email","to":"a@b.co","name":"A","code":"1","expires_in_minutes":1,"bcc":"x@y.z"}"#;
    assert!(matches!(
        Mail::from_queue(extra),
        Err(MailError::Unreadable(_))
    ));
    let bad_code =
        r#"{"kind":"verify_email","to":"a@b.co","name":"A","code":"<b>","expires_in_minutes":1}"#;
    assert_eq!(Mail::from_queue(bad_code), Err(MailError::BadField("code")));
    let bad_to = r#"{"kind":"verify_email","to":"a@b.co\nBcc: x@y.z","name":"A","code":"1","expires_in_minutes":1}"#;
    assert_eq!(Mail::from_queue(bad_to), Err(MailError::BadField("to")));
    assert_eq!(
        Mail::from_queue(&"x".repeat(MAX_QUEUED_BYTES + 1)),
        Err(MailError::TooLarge)
    );
}

fn shipment_update(news: ShipmentNews, lines: usize, name_len: usize) -> Mail {
    let Mail::SellerNewOrder {
        order_id,
        shipment_id,
        lines,
        ..
    } = seller_new_order(lines, name_len)
    else {
        unreachable!()
    };
    Mail::ShipmentUpdate {
        to: "ada@example.com".into(),
        name: "Ada Lovelace".into(),
        order_id,
        shipment_id,
        news,
        carrier: "Colis Rapide".into(),
        tracking_number: "CR123456789FR".into(),
        estimated_delivery: Some("2026-12-15".into()),
        lines,
    }
}

#[test]
fn each_shipment_news_says_what_happened_with_its_carrier_and_tracking_number() {
    let said = |news| shipment_update(news, 2, 5).render("Shop");
    let shipped = said(ShipmentNews::Shipped);
    assert_eq!(
        shipped.subject,
        "Shop: part of order 0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d has shipped"
    );
    for text in [
        "on their way with Colis Rapide, tracking number CR123456789FR",
        "expected on 2026-12-15",
        "99 x ééééé",
    ] {
        assert!(shipped.text.contains(text), "{text}: {}", shipped.text);
    }
    for (news, subject, text) in [
        (
            ShipmentNews::OutForDelivery,
            "out for delivery today",
            "Colis Rapide is delivering these items",
        ),
        (
            ShipmentNews::Delivered,
            "delivered",
            "has delivered these items",
        ),
        (
            ShipmentNews::DeliveryFailed,
            "could not deliver",
            "they go back to the seller",
        ),
    ] {
        let mail = said(news);
        assert!(mail.subject.contains(subject), "{}", mail.subject);
        assert!(mail.text.contains(text), "{}", mail.text);
        assert!(mail.text.contains("CR123456789FR"), "{}", mail.text);
        assert_eq!(mail.to, "ada@example.com");
    }
}

#[test]
fn shipment_mails_fit_the_queue_and_refuse_what_the_shop_never_writes() {
    let full = shipment_update(ShipmentNews::Delivered, MAX_MAIL_LINES, 200);
    let body = full.to_queue();
    assert!(body.len() <= MAX_QUEUED_BYTES, "{} bytes", body.len());
    assert!(body.contains(r#""news":"delivered""#), "{body}");
    assert_eq!(Mail::from_queue(&body), Ok(full));
    let mut bad = shipment_update(ShipmentNews::Shipped, 1, 1);
    if let Mail::ShipmentUpdate {
        tracking_number, ..
    } = &mut bad
    {
        *tracking_number = "CR 1\n".into();
    }
    assert_eq!(
        Mail::from_queue(&bad.to_queue()),
        Err(MailError::BadField("tracking_number"))
    );
}

#[test]
fn cancellations_say_who_cancelled_and_what_comes_back() {
    let why = |reason: &str| {
        Mail::OrderCancelled {
            to: "ada@example.com".into(),
            name: "Ada".into(),
            order_id: "o-1".into(),
            reason: reason.into(),
            refunded: Some(6_198),
            currency: "EUR".into(),
        }
        .render("Shop")
        .text
    };
    assert!(why("customer_cancelled").contains("because you asked us to."));
    assert!(why("admin_cancelled").contains("our customer service cancelled it"));
    assert!(why("sellers_cancelled").contains("its sellers could not fulfil it"));
    assert!(why("customer_cancelled").contains("61.98 EUR you paid has been refunded"));

    let lines = vec![MailLine {
        sku: "T-1".into(),
        product_name: "Trail Shoe".into(),
        quantity: 2,
    }];
    let customer = Mail::ShipmentCancelled {
        to: "ada@example.com".into(),
        name: "Ada".into(),
        order_id: "o-1".into(),
        shipment_id: "o-1.s-1".into(),
        lines: lines.clone(),
        refunded: 3_000,
        currency: "EUR".into(),
    };
    let r = customer.render("Shop");
    assert_eq!(r.subject, "Shop: part of order o-1 was cancelled");
    assert!(
        r.text.contains("  2 x Trail Shoe (SKU T-1)") && r.text.contains("30.00 EUR is refunded"),
        "{}",
        r.text
    );
    assert_eq!(Mail::from_queue(&customer.to_queue()), Ok(customer));
    let seller = Mail::SellerShipmentCancelled {
        to: "shop@example.com".into(),
        name: "Acme".into(),
        order_id: "o-1".into(),
        shipment_id: "o-1.s-1".into(),
        lines,
    };
    let r = seller.render("Shop");
    assert_eq!(r.subject, "Shop: order o-1 cancelled, do not ship");
    assert!(r.text.contains("do not ship these items"), "{}", r.text);
    assert_eq!(Mail::from_queue(&seller.to_queue()), Ok(seller));
    let empty = Mail::SellerShipmentCancelled {
        to: "shop@example.com".into(),
        name: "Acme".into(),
        order_id: "o-1".into(),
        shipment_id: "o-1.s-1".into(),
        lines: Vec::new(),
    };
    assert_eq!(
        Mail::from_queue(&empty.to_queue()),
        Err(MailError::BadField("lines"))
    );
}

fn low_stock(reorder: Option<i64>) -> Mail {
    Mail::SellerLowStock {
        to: "seller@example.com".into(),
        name: "Acme Outdoor".into(),
        product_id: "0192f1c4-aaaa-7bbb-8ccc-00000000f0f1".into(),
        product_name: "Trail Shoe".into(),
        sku: "TS-42".into(),
        available: 3,
        threshold: 5,
        reorder_quantity: reorder,
        alert_id: "TS-42.2".into(),
    }
}

#[test]
fn a_low_stock_mail_says_what_is_left_the_threshold_and_how_to_restock() {
    let r = low_stock(Some(40)).render("Shop");
    assert_eq!(r.to, "seller@example.com");
    assert_eq!(r.subject, "Shop: low stock of Trail Shoe (SKU TS-42)");
    assert!(r.text.contains("down to 3 available unit(s)"), "{}", r.text);
    assert!(r.text.contains("threshold of 5"), "{}", r.text);
    assert!(
        r.text.contains("reorder quantity for it is 40 units"),
        "{}",
        r.text
    );
    assert!(r.text.contains("Alert TS-42.2"), "{}", r.text);
    let plain = low_stock(None).render("Shop");
    assert!(!plain.text.contains("reorder"), "{}", plain.text);
    assert_eq!(
        Mail::from_queue(&low_stock(None).to_queue()),
        Ok(low_stock(None))
    );
}

#[test]
fn a_low_stock_mail_with_a_malformed_sku_is_refused() {
    let mut bad = low_stock(None);
    if let Mail::SellerLowStock { sku, .. } = &mut bad {
        *sku = "TS 42\n".into();
    }
    assert_eq!(
        Mail::from_queue(&bad.to_queue()),
        Err(MailError::BadField("sku"))
    );
}

#[test]
fn a_refund_by_the_shop_says_how_much_and_why() {
    let mail = Mail::RefundIssued {
        to: "ada@example.com".into(),
        name: "Ada".into(),
        order_id: "o-1".into(),
        amount: 1250,
        currency: "EUR".into(),
        reason: "the carrier lost the parcel".into(),
    };
    let r = mail.render("Shop");
    assert_eq!(r.subject, "Shop: a refund for order o-1");
    assert!(
        r.text.contains("refunded 12.50 EUR of your order o-1"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("(the carrier lost the parcel)"),
        "{}",
        r.text
    );
    assert_eq!(Mail::from_queue(&mail.to_queue()), Ok(mail));
}
