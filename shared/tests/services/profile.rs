//! The profile and address book against DynamoDB Local: the book's cap and its one
//! default hold under concurrent writes, and an order can go to a saved address.

use serde_json::json;
use shop::domain::auth::Role;
use shop::domain::profile::{AddressPatchInput, NewAddressInput, ProfilePatchInput, MAX_ADDRESSES};
use shop::services::profile as svc;
use shop::ShopError;

use crate::support::*;

fn new_address(city: &str, is_default: Option<bool>) -> shop::domain::profile::NewAddress {
    serde_json::from_value::<NewAddressInput>(json!({
        "isDefault": is_default,
        "address": {"name": "Ada", "line1": "1 Main St", "city": city,
                    "postalCode": "N1 9GU", "country": "GB"}
    }))
    .unwrap()
    .parse()
    .unwrap()
}

#[tokio::test]
async fn concurrent_adds_never_overfill_the_book_nor_make_two_defaults() {
    let store = fresh_store().await;
    let who = caller(&[Role::Customer]);
    verified_profile(&store, &who, "book@example.com", "Ada", Role::Customer).await;
    for i in 0..MAX_ADDRESSES - 5 {
        svc::add_address(&store, &who, new_address(&format!("Before {i}"), None))
            .await
            .unwrap();
    }
    // Ten adds at once for five free places, half of them asking to be the default.
    let adds = (0..10).map(|i| {
        let (store, who) = (&store, &who);
        async move {
            svc::add_address(
                store,
                who,
                new_address(&format!("Race {i}"), Some(i % 2 == 0)),
            )
            .await
        }
    });
    let results = futures_util::future::join_all(adds).await;
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(err, ShopError::Conflict(_)), "{err:?}");
    }
    let stored = svc::list_addresses(&store, &who).await.unwrap();
    let me = svc::me(&store, &who).await.unwrap();
    let added = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(
        stored.len(),
        MAX_ADDRESSES - 5 + added,
        "every success stored, no failure stored"
    );
    assert_eq!(
        me.address_count,
        stored.len(),
        "the count matches the items"
    );
    assert!(stored.len() <= MAX_ADDRESSES);
    let defaults: Vec<_> = stored
        .iter()
        .filter(|a| a.is_default)
        .map(|a| &a.entry.id)
        .collect();
    assert_eq!(defaults.len(), 1);
    assert_eq!(me.default_address_id.as_ref(), Some(defaults[0]));
    // Filling up one at a time ends at exactly the cap.
    let mut n = stored.len();
    while svc::add_address(&store, &who, new_address("Fill", None))
        .await
        .is_ok()
    {
        n += 1;
    }
    assert_eq!(n, MAX_ADDRESSES);
    assert_eq!(
        svc::list_addresses(&store, &who).await.unwrap().len(),
        MAX_ADDRESSES
    );
}

#[tokio::test]
async fn a_full_book_refuses_the_next_address_and_deleting_makes_room() {
    let store = fresh_store().await;
    let who = caller(&[Role::Customer]);
    verified_profile(&store, &who, "full@example.com", "Ada", Role::Customer).await;
    let mut ids = Vec::new();
    for i in 0..MAX_ADDRESSES {
        ids.push(
            svc::add_address(&store, &who, new_address(&format!("C{i}"), None))
                .await
                .unwrap()
                .entry
                .id,
        );
    }
    let err = svc::add_address(&store, &who, new_address("One more", None))
        .await
        .unwrap_err();
    assert!(matches!(err, ShopError::Conflict(m) if m.contains("at most 20")));
    // The first is the default; deleting it leaves none, and makes room for one more.
    assert_eq!(
        svc::me(&store, &who)
            .await
            .unwrap()
            .default_address_id
            .as_ref(),
        Some(&ids[0])
    );
    svc::delete_address(&store, &who, &ids[0]).await.unwrap();
    let me = svc::me(&store, &who).await.unwrap();
    assert_eq!(
        (me.default_address_id, me.address_count),
        (None, MAX_ADDRESSES - 1)
    );
    let added = svc::add_address(&store, &who, new_address("Room again", None))
        .await
        .unwrap();
    assert!(
        added.is_default,
        "a book without a default takes the next address as it"
    );
    assert!(matches!(
        svc::delete_address(&store, &who, &ids[0]).await,
        Err(ShopError::NotFound("address"))
    ));
}

#[tokio::test]
async fn another_users_address_is_not_found_and_edits_move_the_default() {
    let store = fresh_store().await;
    let (ada, bob) = (caller(&[Role::Customer]), caller(&[Role::Customer]));
    verified_profile(&store, &ada, "ada-book@example.com", "Ada", Role::Customer).await;
    verified_profile(&store, &bob, "bob-book@example.com", "Bob", Role::Customer).await;
    let home = svc::add_address(&store, &ada, new_address("Home", None))
        .await
        .unwrap()
        .entry
        .id;
    let work = svc::add_address(&store, &ada, new_address("Work", None))
        .await
        .unwrap()
        .entry
        .id;
    let patch = |v: serde_json::Value| {
        serde_json::from_value::<AddressPatchInput>(v)
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(matches!(
        svc::update_address(&store, &bob, &home, patch(json!({"label": "mine"}))).await,
        Err(ShopError::NotFound("address"))
    ));
    assert!(matches!(
        svc::delete_address(&store, &bob, &home).await,
        Err(ShopError::NotFound(_))
    ));
    let edited = svc::update_address(
        &store,
        &ada,
        &work,
        patch(json!({"isDefault": true, "label": "Office"})),
    )
    .await
    .unwrap();
    assert!(edited.is_default);
    assert_eq!(edited.entry.label.as_deref(), Some("Office"));
    assert_eq!(edited.entry.address.city, "Work");
    let book = svc::list_addresses(&store, &ada).await.unwrap();
    assert_eq!(
        book.iter()
            .filter(|a| a.is_default)
            .map(|a| &a.entry.id)
            .collect::<Vec<_>>(),
        [&work]
    );
    assert!(svc::list_addresses(&store, &bob).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_profile_patch_keeps_the_book_and_concurrent_patches_all_land() {
    let store = fresh_store().await;
    let who = caller(&[Role::Customer]);
    verified_profile(&store, &who, "prefs@example.com", "Ada", Role::Customer).await;
    svc::add_address(&store, &who, new_address("Home", None))
        .await
        .unwrap();
    let patch = |v: serde_json::Value| {
        serde_json::from_value::<ProfilePatchInput>(v)
            .unwrap()
            .parse()
            .unwrap()
    };
    let (a, b) = tokio::join!(
        svc::update_me(&store, &who, patch(json!({"phone": "+44 20 7946 0958"}))),
        svc::update_me(
            &store,
            &who,
            patch(json!({"preferences": {"marketingEmails": true, "language": "en-gb"}}))
        )
    );
    a.unwrap();
    b.unwrap();
    let me = svc::me(&store, &who).await.unwrap();
    assert_eq!(me.phone.as_ref().map(|p| p.as_str()), Some("+442079460958"));
    assert!(me.preferences.marketing_emails);
    assert_eq!(me.preferences.language, "en-GB");
    assert_eq!(me.address_count, 1);
    assert!(
        me.default_address_id.is_some(),
        "a profile edit kept the book's default"
    );
}
