use super::*;
use crate::domain::ids::AddressId;

fn address_json() -> serde_json::Value {
    serde_json::json!({"name": "Ada", "line1": "1 Main St", "city": "Springfield",
        "postalCode": "12345", "country": "us"})
}

fn fields(err: ShopError) -> Vec<String> {
    match err {
        ShopError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

fn patch(json: serde_json::Value) -> Result<ProfilePatch, ShopError> {
    serde_json::from_value::<ProfilePatchInput>(json)
        .expect("shape")
        .parse()
}

#[test]
fn phones_are_e164_with_typing_noise_dropped() {
    assert_eq!(
        Phone::parse("+1 (555) 010-9999").unwrap().as_str(),
        "+15550109999"
    );
    assert_eq!(
        Phone::parse(" +44 20 7946 0958 ").unwrap().as_str(),
        "+442079460958"
    );
    for bad in [
        "5550109999",
        "+0123456789",
        "+1234567",
        "+1234567890123456",
        "+1 555 abc 1234",
        "+",
    ] {
        assert!(Phone::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn language_tags_are_normalised_and_checked() {
    assert_eq!(language_tag("EN").unwrap(), "en");
    assert_eq!(language_tag("pt_br").unwrap(), "pt-BR");
    assert_eq!(language_tag("es-419").unwrap(), "es-419");
    for bad in ["", "e", "english", "en-", "en-GBR", "e1", "en-4"] {
        assert!(language_tag(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_patch_changes_only_what_it_names_and_null_clears_the_phone() {
    let current = Editable {
        name: "Ada".into(),
        phone: Some(Phone::parse("+15550109999").unwrap()),
        preferences: Preferences::default(),
    };
    let p = patch(serde_json::json!({"preferences": {"marketingEmails": true}})).unwrap();
    let next = p.apply(&current);
    assert_eq!(next.name, "Ada");
    assert_eq!(next.phone, current.phone);
    assert!(next.preferences.marketing_emails);
    assert_eq!(next.preferences.language, "en");

    let cleared = patch(serde_json::json!({"phone": null, "name": " Ada L. "}))
        .unwrap()
        .apply(&current);
    assert_eq!(cleared.phone, None);
    assert_eq!(cleared.name, "Ada L.");
    assert_eq!(
        patch(serde_json::json!({})).unwrap().apply(&current),
        current
    );
}

#[test]
fn a_bad_patch_names_every_field() {
    let err = patch(serde_json::json!({"name": " ", "phone": "12",
        "preferences": {"language": "klingon", "currency": "usd"}}))
    .unwrap_err();
    assert_eq!(
        fields(err),
        [
            "name",
            "phone",
            "preferences.language",
            "preferences.currency"
        ]
    );
    assert!(
        serde_json::from_value::<ProfilePatchInput>(serde_json::json!({"email": "x@y"})).is_err()
    );
}

#[test]
fn saved_addresses_are_checked_as_checkout_checks_them() {
    let ok: NewAddressInput = serde_json::from_value(serde_json::json!({
        "label": "Home", "address": address_json()}))
    .unwrap();
    let parsed = ok.parse().unwrap();
    assert_eq!(parsed.address.country, "US");
    assert_eq!(parsed.label.as_deref(), Some("Home"));

    let bad: NewAddressInput = serde_json::from_value(serde_json::json!({
        "label": "x".repeat(MAX_LABEL + 1),
        "address": {"name": "", "line1": "1", "city": "c", "postalCode": "1$", "country": "USA"}}))
    .unwrap();
    assert_eq!(
        fields(bad.parse().unwrap_err()),
        [
            "label",
            "address.name",
            "address.postalCode",
            "address.country"
        ]
    );
}

#[test]
fn the_first_address_is_the_default_and_a_full_book_refuses_more() {
    let id = AddressId::generate();
    let empty = AddressBook {
        count: 0,
        default: None,
    };
    assert_eq!(empty.on_add(&id, None), DefaultChange::Set(id.clone()));
    assert_eq!(empty.on_add(&id, Some(false)), DefaultChange::Keep);
    let other = AddressId::generate();
    let book = AddressBook {
        count: 3,
        default: Some(other.clone()),
    };
    assert_eq!(book.on_add(&id, None), DefaultChange::Keep);
    assert_eq!(book.on_add(&id, Some(true)), DefaultChange::Set(id.clone()));
    assert!(book.check_room().is_ok());
    let full = AddressBook {
        count: MAX_ADDRESSES,
        default: None,
    };
    assert!(matches!(full.check_room(), Err(ShopError::Conflict(_))));
}

#[test]
fn edits_and_deletes_move_the_default_only_as_asked() {
    let (a, b) = (AddressId::generate(), AddressId::generate());
    let book = AddressBook {
        count: 2,
        default: Some(a.clone()),
    };
    assert_eq!(book.on_edit(&b, Some(true)), DefaultChange::Set(b.clone()));
    assert_eq!(book.on_edit(&a, Some(true)), DefaultChange::Keep);
    assert_eq!(book.on_edit(&a, Some(false)), DefaultChange::Clear);
    assert_eq!(book.on_edit(&b, Some(false)), DefaultChange::Keep);
    assert_eq!(book.on_edit(&a, None), DefaultChange::Keep);
    assert_eq!(book.on_delete(&a), DefaultChange::Clear);
    assert_eq!(book.on_delete(&b), DefaultChange::Keep);
}
