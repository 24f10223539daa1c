//! Pending email verifications: the attempt cap, the resend interval, completion.

use shop::ShopError;

use crate::support::*;

fn pending_verification(email: &str, now: i64) -> shop::store::VerificationRecord {
    use shop::domain::verification::{digest, Code};
    let user_id = shop::domain::ids::UserId::parse("u-verify").unwrap();
    shop::store::VerificationRecord {
        digest: digest(user_id.as_str(), &Code::from_random(123_456)),
        user_id,
        email: email.to_owned(),
        name: "Ada".into(),
        role: shop::domain::auth::Role::Customer,
        expires_at: now + 900,
        attempts: 0,
        sent_at: now,
    }
}

#[tokio::test]
async fn verification_attempts_stop_at_the_cap_even_when_concurrent() {
    use shop::domain::verification::{refusal, Refusal, MAX_ATTEMPTS};
    let store = fresh_store().await;
    let now = 1_900_000_000;
    store
        .put_verification(&pending_verification("ada@example.com", now))
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..(MAX_ATTEMPTS * 2) {
        let store = store.clone();
        tasks.spawn(async move { store.count_attempt("ada@example.com", now).await.unwrap() });
    }
    let mut counted = 0;
    while let Some(result) = tasks.join_next().await {
        counted += u32::from(result.unwrap().is_some());
    }
    assert_eq!(
        counted, MAX_ATTEMPTS,
        "exactly the cap of attempts were counted"
    );
    let locked = store
        .get_verification("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refusal(Some(&locked.pending()), now),
        Refusal::TooManyAttempts
    );
    // Expired: no attempt counts, whatever the code.
    store
        .put_verification(&pending_verification("bob@example.com", now))
        .await
        .unwrap();
    assert!(store
        .count_attempt("bob@example.com", now + 900)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .count_attempt("nobody@example.com", now)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_new_code_replaces_the_old_only_after_the_resend_interval() {
    use shop::domain::verification::RESEND_AFTER_SECONDS;
    let store = fresh_store().await;
    let now = 1_900_000_000;
    let record = pending_verification("ada@example.com", now);
    store.put_verification(&record).await.unwrap();
    store.count_attempt("ada@example.com", now).await.unwrap();
    let early = now + RESEND_AFTER_SECONDS - 1;
    let replaced = store
        .replace_code(
            "ada@example.com",
            &record.user_id,
            "d2",
            early + 900,
            early,
            early - RESEND_AFTER_SECONDS,
        )
        .await
        .unwrap();
    assert!(!replaced, "too soon");
    let later = now + RESEND_AFTER_SECONDS;
    let other_user = shop::domain::ids::UserId::parse("u-other").unwrap();
    let replaced = store
        .replace_code(
            "ada@example.com",
            &other_user,
            "d2",
            later + 900,
            later,
            later - RESEND_AFTER_SECONDS,
        )
        .await
        .unwrap();
    assert!(!replaced, "another account's verification is not touched");
    let replaced = store
        .replace_code(
            "ada@example.com",
            &record.user_id,
            "d2",
            later + 900,
            later,
            later - RESEND_AFTER_SECONDS,
        )
        .await
        .unwrap();
    assert!(replaced);
    let now_stored = store
        .get_verification("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            now_stored.digest.as_str(),
            now_stored.attempts,
            now_stored.sent_at
        ),
        ("d2", 0, later)
    );
}

#[tokio::test]
async fn completing_a_verification_stores_the_profile_and_ends_the_pending_one() {
    let store = fresh_store().await;
    let now = 1_900_000_000;
    let record = pending_verification("ada@example.com", now);
    store.put_verification(&record).await.unwrap();
    let profile = shop::store::Profile::new(
        record.user_id.clone(),
        record.email.clone(),
        record.name.clone(),
        record.role,
        "2026-11-27T00:00:00Z".into(),
    );
    store
        .complete_verification("ada@example.com", &profile, None)
        .await
        .unwrap();
    assert_eq!(
        store.get_profile(&record.user_id).await.unwrap(),
        Some(profile.clone())
    );
    assert!(store
        .get_verification("ada@example.com")
        .await
        .unwrap()
        .is_none());
    // A second completion (a retried request) finds nothing pending: refused, nothing changed.
    let again = store
        .complete_verification("ada@example.com", &profile, None)
        .await;
    assert!(matches!(again, Err(ShopError::Conflict(_))), "{again:?}");
}
