use super::*;

#[test]
fn accepts_ordinary_ids() {
    assert!(ProductId::parse("0192f1c4-aaaa-7bbb-8ccc-123456789abc").is_ok());
    assert!(Sku::parse("TSHIRT-RED-M").is_ok());
    assert!(CategoryId::parse("mens-shoes").is_ok());
    assert!(UserId::parse("a1b2c3d4-0000-1111-2222-333344445555").is_ok());
}

#[test]
fn rejects_empty_ids() {
    assert!(Sku::parse("").is_err());
}

#[test]
fn rejects_the_key_separator_and_other_punctuation() {
    for bad in ["a#b", "a b", "a/b", "ä", "x\u{0}"] {
        assert!(ProductId::parse(bad).is_err(), "{bad:?} should be rejected");
    }
}

#[test]
fn rejects_ids_a_url_path_cannot_carry() {
    for bad in [".", "..", ".hidden", "-x", "_x"] {
        assert!(Sku::parse(bad).is_err(), "{bad:?} should be rejected");
        assert!(ProductId::parse(bad).is_err(), "{bad:?} should be rejected");
    }
    assert!(Sku::parse("A.1").is_ok());
}

#[test]
fn skus_are_case_insensitive() {
    assert_eq!(Sku::parse("ab-1").unwrap(), Sku::parse("AB-1").unwrap());
    assert_eq!(Sku::parse("ab-1").unwrap().as_str(), "AB-1");
    assert_eq!(
        serde_json::from_str::<Sku>("\"ab-1\"").unwrap().as_str(),
        "AB-1"
    );
    // Other ids keep their case.
    assert_eq!(CategoryId::parse("Shoes").unwrap().as_str(), "Shoes");
}

#[test]
fn a_sellers_public_id_hides_its_account_id() {
    let sub = UserId::parse("a1b2c3d4-0000-1111-2222-333344445555").unwrap();
    let public = SellerId::of(&sub);
    assert_eq!(public, SellerId::of(&sub), "stable");
    assert_ne!(public, SellerId::of(&UserId::parse("other").unwrap()));
    assert_eq!(public.as_str().len(), 21);
    assert_eq!(SellerId::parse(public.as_str()).unwrap(), public);
    for bad in [
        "",
        "s",
        "x0123456789abcdef0123",
        "s0123456789ABCDEF0123",
        "s0123456789abcdef012",
    ] {
        assert!(SellerId::parse(bad).is_err(), "{bad}");
    }
    assert!(!public.as_str().contains("a1b2c3d4"));
}

#[test]
fn an_import_handle_names_one_product_per_seller() {
    let (a, b) = (UserId::parse("a").unwrap(), UserId::parse("b").unwrap());
    let h = Handle::parse("trail-shoe").unwrap();
    let id = ProductId::for_import(&a, &h);
    assert_eq!(id, ProductId::for_import(&a, &h), "stable");
    assert_ne!(id, ProductId::for_import(&b, &h), "per seller");
    assert_ne!(
        id,
        ProductId::for_import(&a, &Handle::parse("other").unwrap())
    );
    assert!(ProductId::parse(id.as_str()).is_ok());
    assert_eq!((id.as_str().len(), &id.as_str()[14..15]), (36, "8"));
}

#[test]
fn shipment_id_round_trips_and_refuses_strays() {
    let order = OrderId::parse("0193b0c2-7d4e-7a1b-9c3d-5e6f7a8b9c0d").unwrap();
    let seller = SellerId::of(&UserId::parse("seller-sub").unwrap());
    let id = ShipmentId::new(order.clone(), seller.clone());
    let text = id.to_string();
    assert_eq!(text, format!("{order}.{seller}"));
    assert_eq!(ShipmentId::parse(&text).unwrap(), id);
    assert_eq!((id.order(), id.seller()), (&order, &seller));
    assert_eq!(
        serde_json::from_str::<ShipmentId>(&format!("\"{text}\"")).unwrap(),
        id
    );
    for bad in [
        String::new(),
        text.replace('.', ""),
        format!("{order}."),
        format!(".{seller}"),
        format!("{order}.s0123456789ABCDEF0123"),
        format!("o#1.{seller}"),
        format!("{}.{seller}", "a".repeat(65)),
    ] {
        let err = ShipmentId::parse(&bad).unwrap_err();
        assert_eq!(err.field, "shipmentId", "{bad}");
    }
}

#[test]
fn rejects_overlong_ids() {
    assert!(Sku::parse(&"A".repeat(65)).is_err());
    assert!(Sku::parse(&"A".repeat(64)).is_ok());
}

#[test]
fn generated_product_ids_are_valid_and_distinct() {
    let (a, b) = (ProductId::generate(), ProductId::generate());
    assert_ne!(a, b);
    assert!(ProductId::parse(a.as_str()).is_ok());
}

#[test]
fn deserialising_checks_the_rules_too() {
    assert!(serde_json::from_str::<Sku>("\"OK-1\"").is_ok());
    assert!(serde_json::from_str::<Sku>("\"NOT#OK\"").is_err());
}
