//! A forgotten password's reset and a change of address, against DynamoDB Local with the
//! identity provider and the mail queue as recording fakes.

use shop::domain::account::{EmailChangeInput, ResetPasswordInput};
use shop::domain::auth::{Caller, Role};
use shop::domain::identity::Credentials;
use shop::domain::mail::{AccountChange, CodePurpose, Mail};
use shop::domain::verification::{Code, MAX_ATTEMPTS};
use shop::services::{account, identity, profile};
use shop::store::Store;
use shop::ShopError;

use crate::identity::{Accounts, Queued};
use crate::support::*;

const PASSWORD: &str = "Old-passw0rd";

/// A verified account with its profile.
async fn member(store: &Store, idp: &Accounts) -> (Caller, String) {
    let who = caller(&[Role::Customer]);
    let email = format!("ada-{}@example.com", uuid::Uuid::new_v4().simple());
    idp.0.lock().unwrap().insert(
        email.clone(),
        (who.user_id.clone(), PASSWORD.into(), true, vec![]),
    );
    verified_profile(store, &who, &email, "Ada Lovelace", Role::Customer).await;
    (who, email)
}

fn codes(queue: &Queued, to: &str, purpose: CodePurpose) -> Vec<Code> {
    queue
        .0
        .lock()
        .unwrap()
        .iter()
        .filter_map(|m| match m {
            Mail::AccountCode {
                to: t,
                purpose: p,
                code,
                ..
            } if t == to && *p == purpose => Code::parse(code),
            _ => None,
        })
        .collect()
}

fn wrong(code: &Code) -> Code {
    let first = if code.expose().starts_with('0') {
        "1"
    } else {
        "0"
    };
    Code::parse(&format!("{first}{}", &code.expose()[1..])).unwrap()
}

fn reset(email: &str, code: &Code, password: &str) -> shop::domain::account::PasswordReset {
    ResetPasswordInput {
        email: email.into(),
        code: code.expose().into(),
        new_password: password.into(),
    }
    .parse()
    .unwrap()
}

async fn signs_in(idp: &Accounts, email: &str, password: &str) -> bool {
    identity::login(
        idp,
        Credentials {
            email: email.into(),
            password: password.into(),
        },
    )
    .await
    .is_ok()
}

#[tokio::test]
async fn a_reset_code_works_once_and_signs_every_session_out() {
    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let (_, email) = member(&store, &idp).await;
    account::forgot_password(&idp, &store, &queue, "nobody@example.com")
        .await
        .unwrap();
    account::forgot_password(&idp, &store, &queue, &email)
        .await
        .unwrap();
    account::forgot_password(&idp, &store, &queue, &email)
        .await
        .unwrap();
    let sent = codes(&queue, &email, CodePurpose::PasswordReset);
    assert_eq!(
        sent.len(),
        1,
        "one code a minute, none to an unknown address"
    );
    assert_eq!(queue.0.lock().unwrap().len(), 1);

    account::reset_password(
        &idp,
        &store,
        &queue,
        reset(&email, &sent[0], "New-passw0rd"),
    )
    .await
    .unwrap();
    assert!(signs_in(&idp, &email, "New-passw0rd").await);
    assert!(!signs_in(&idp, &email, PASSWORD).await);
    assert_eq!(
        idp.1.lock().unwrap().as_slice(),
        std::slice::from_ref(&email),
        "signed out everywhere"
    );
    assert!(queue.0.lock().unwrap().iter().any(|m| matches!(m,
        Mail::AccountChanged { to, change: AccountChange::PasswordReset, .. } if *to == email)));
    // The code is spent.
    let again = account::reset_password(
        &idp,
        &store,
        &queue,
        reset(&email, &sent[0], "Third-passw0rd"),
    )
    .await;
    assert!(
        matches!(again, Err(ShopError::Invalid(ref e)) if e[0].field == "code"),
        "{again:?}"
    );
    assert!(signs_in(&idp, &email, "New-passw0rd").await);
}

#[tokio::test]
async fn five_wrong_codes_lock_the_reset_even_for_the_right_one() {
    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let (_, email) = member(&store, &idp).await;
    account::forgot_password(&idp, &store, &queue, &email)
        .await
        .unwrap();
    let code = codes(&queue, &email, CodePurpose::PasswordReset).remove(0);
    for _ in 0..MAX_ATTEMPTS {
        let err = account::reset_password(
            &idp,
            &store,
            &queue,
            reset(&email, &wrong(&code), "New-passw0rd"),
        )
        .await;
        assert!(matches!(err, Err(ShopError::Invalid(_))), "{err:?}");
    }
    let locked =
        account::reset_password(&idp, &store, &queue, reset(&email, &code, "New-passw0rd")).await;
    assert!(matches!(locked, Err(ShopError::Conflict(_))), "{locked:?}");
    assert!(
        signs_in(&idp, &email, PASSWORD).await,
        "the password is unchanged"
    );
    assert!(idp.1.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_email_change_moves_the_account_only_once_the_new_address_is_proven() {
    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let (who, old) = member(&store, &idp).await;
    let (_, taken) = member(&store, &idp).await;
    let new = format!("new-{}@example.org", uuid::Uuid::new_v4().simple());
    let ask = |email: &str, password: &str| {
        EmailChangeInput {
            new_email: email.into(),
            password: password.into(),
        }
        .parse()
        .unwrap()
    };
    let (e, p) = ask(&new, "Wrong-passw0rd");
    assert!(matches!(
        account::request_email_change(&idp, &store, &queue, &who, &e, p).await,
        Err(ShopError::InvalidCredentials)
    ));
    let (e, p) = ask(&taken, PASSWORD);
    assert!(matches!(
        account::request_email_change(&idp, &store, &queue, &who, &e, p).await,
        Err(ShopError::Conflict(_))
    ));
    let (e, p) = ask(&new, PASSWORD);
    account::request_email_change(&idp, &store, &queue, &who, &e, p)
        .await
        .unwrap();
    let code = codes(&queue, &new, CodePurpose::EmailChange).remove(0);
    // Until the code comes back, nothing moved.
    assert!(signs_in(&idp, &old, PASSWORD).await);
    assert!(!signs_in(&idp, &new, PASSWORD).await);
    assert!(
        account::confirm_email_change(&idp, &store, &queue, &who, &wrong(&code))
            .await
            .is_err()
    );
    let other = caller(&[Role::Customer]);
    assert!(
        account::confirm_email_change(&idp, &store, &queue, &other, &code)
            .await
            .is_err(),
        "a code is its account's alone"
    );

    assert_eq!(
        account::confirm_email_change(&idp, &store, &queue, &who, &code)
            .await
            .unwrap(),
        new
    );
    assert!(signs_in(&idp, &new, PASSWORD).await);
    assert!(!signs_in(&idp, &old, PASSWORD).await);
    assert_eq!(profile::me(&store, &who).await.unwrap().email, new);
    assert!(queue.0.lock().unwrap().iter().any(|m| matches!(m,
        Mail::AccountChanged { to, change: AccountChange::EmailChanged { new_email }, .. }
            if *to == old && new_email.starts_with("n***@"))));
}

#[tokio::test]
async fn deleting_an_account_empties_its_partition_and_is_idempotent() {
    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let (who, email) = member(&store, &idp).await;
    let address: shop::domain::profile::NewAddressInput = serde_json::from_value(serde_json::json!({
        "address": {"name": "Ada", "line1": "1 Main St", "city": "Paris", "postalCode": "75001", "country": "FR"}
    }))
    .unwrap();
    profile::add_address(&store, &who, address.parse().unwrap())
        .await
        .unwrap();
    account::delete_account(&idp, &store, &queue, &who)
        .await
        .unwrap();
    let items = store
        .client()
        .query()
        .table_name(store.table())
        .key_condition_expression("PK = :pk")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(shop::store::keys::user_pk(&who.user_id)),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .items
        .unwrap_or_default();
    let sks: Vec<&str> = items
        .iter()
        .map(|i| i["SK"].as_s().unwrap().as_str())
        .collect();
    assert_eq!(sks, [shop::store::keys::DELETED_SK]);
    assert!(
        !idp.0.lock().unwrap().contains_key(&email),
        "the account is gone"
    );
    // Again: the same answer, nothing more written.
    account::delete_account(&idp, &store, &queue, &who)
        .await
        .unwrap();
    let seller = caller(&[Role::Seller]);
    assert!(matches!(
        account::delete_account(&idp, &store, &queue, &seller).await,
        Err(ShopError::Conflict(_))
    ));
    assert_eq!(
        queue
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|m| matches!(
                m,
                Mail::AccountChanged {
                    change: AccountChange::AccountDeleted,
                    ..
                }
            ))
            .count(),
        1
    );
}
