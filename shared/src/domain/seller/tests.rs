use super::*;

fn patch(name: Option<&str>, description: Option<&str>) -> ProfilePatchInput {
    ProfilePatchInput {
        display_name: name.map(str::to_owned),
        description: description.map(str::to_owned),
        pickup_address: None,
        handling_days: None,
    }
}

#[test]
fn only_approved_sellers_sell() {
    assert!(SellerStatus::Approved.may_sell().is_ok());
    for status in [SellerStatus::Pending, SellerStatus::Suspended] {
        assert!(matches!(status.may_sell(), Err(ShopError::Forbidden(_))));
    }
}

#[test]
fn approving_restores_and_suspending_withdraws_from_any_status() {
    for from in SellerStatus::ALL {
        assert_eq!(
            transition(from, SellerAction::Approve),
            (SellerStatus::Approved, ListingEffect::Restore)
        );
        assert_eq!(
            transition(from, SellerAction::Suspend),
            (SellerStatus::Suspended, ListingEffect::Withdraw)
        );
    }
}

#[test]
fn statuses_round_trip_and_others_are_refused() {
    for status in SellerStatus::ALL {
        assert_eq!(SellerStatus::parse(status.as_str()).unwrap(), status);
    }
    assert!(SellerStatus::parse("Approved").is_err());
    assert!(SellerStatus::parse("").is_err());
}

#[test]
fn an_application_starts_pending_under_the_public_id() {
    let user = UserId::parse("u-1").unwrap();
    let s = Seller::application(&user, "Ada's Shoes", "2026-11-27T10:00:00Z");
    assert_eq!(s.status, SellerStatus::Pending);
    assert_eq!(s.seller_id, SellerId::of(&user));
    let public = serde_json::to_value(s.public_view()).unwrap();
    assert!(!public.to_string().contains("u-1"), "the sub never shows");
    assert!(public.get("status").is_none());
}

#[test]
fn a_patch_changes_what_it_names_and_bumps_the_version() {
    let user = UserId::parse("u-1").unwrap();
    let s = Seller::application(&user, "Old", "t");
    let p = patch(None, Some("  We sell shoes.\nSince 1990.  "))
        .parse()
        .unwrap();
    let changed = p.apply(&s);
    assert_eq!(changed.display_name, "Old");
    assert_eq!(changed.description, "We sell shoes.\nSince 1990.");
    assert_eq!(changed.version, 2);
}

#[test]
fn a_pickup_address_is_checked_under_its_own_name() {
    let user = UserId::parse("u-1").unwrap();
    let s = Seller::application(&user, "Old", "t");
    let input: ProfilePatchInput = serde_json::from_str(
        r#"{"pickupAddress":{"name":"Acme Outdoor","line1":"4 Quai de Bercy","city":"Paris","postalCode":"75012","country":"fr"}}"#,
    )
    .unwrap();
    let changed = input.parse().unwrap().apply(&s);
    let pickup = changed.pickup_address.clone().unwrap();
    assert_eq!(
        (pickup.country.as_str(), pickup.postal_code.as_str()),
        ("FR", "75012")
    );
    assert_eq!(changed.display_name, "Old");
    let renamed = patch(Some("New name"), None)
        .parse()
        .unwrap()
        .apply(&changed);
    assert_eq!(
        renamed.pickup_address, changed.pickup_address,
        "kept when not sent"
    );
    let bad: ProfilePatchInput = serde_json::from_str(
        r#"{"pickupAddress":{"name":"","line1":"x","city":"Paris","postalCode":"7#","country":"FRA"}}"#,
    )
    .unwrap();
    match bad.parse() {
        Err(ShopError::Invalid(errors)) => {
            let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(
                fields,
                [
                    "pickupAddress.name",
                    "pickupAddress.postalCode",
                    "pickupAddress.country"
                ]
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn bad_patches_are_refused() {
    assert!(matches!(
        patch(None, None).parse(),
        Err(ShopError::Malformed(_))
    ));
    for (name, description) in [
        (Some("x"), None),
        (Some(" "), None),
        (Some("a\u{7}b"), None),
        (None, Some("tab\there")),
    ] {
        assert!(
            matches!(patch(name, description).parse(), Err(ShopError::Invalid(_))),
            "{name:?} {description:?}"
        );
    }
    let long = "n".repeat(MAX_DISPLAY_NAME_CHARS + 1);
    assert!(patch(Some(&long), None).parse().is_err());
    let long = "d".repeat(MAX_DESCRIPTION_CHARS + 1);
    assert!(patch(None, Some(&long)).parse().is_err());
}

#[test]
fn handling_days_are_whole_days_up_to_ten() {
    let with = |days: i64| ProfilePatchInput {
        handling_days: Some(days),
        ..patch(None, None)
    };
    let seller = Seller::application(&UserId::parse("u-1").unwrap(), "Acme", "t0");
    assert_eq!(seller.handling_days, DEFAULT_HANDLING_DAYS);
    let patched = with(0).parse().unwrap().apply(&seller);
    assert_eq!(
        (patched.handling_days, patched.display_name.as_str()),
        (0, "Acme")
    );
    assert_eq!(with(10).parse().unwrap().handling_days, Some(10));
    for bad in [-1, 11, 300] {
        match with(bad).parse() {
            Err(ShopError::Invalid(errors)) => assert_eq!(errors[0].field, "handlingDays"),
            other => panic!("{bad}: {other:?}"),
        }
    }
    // A seller stored before handling days existed reads as the default.
    let mut stored = serde_json::to_value(&seller).unwrap();
    stored.as_object_mut().unwrap().remove("handlingDays");
    let read: Seller = serde_json::from_value(stored).unwrap();
    assert_eq!(read.handling_days, DEFAULT_HANDLING_DAYS);
}
