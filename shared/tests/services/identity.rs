//! Registration, verification and sign-in against DynamoDB Local, with the identity
//! provider and the mail queue as recording fakes; and the mailer's delivery of a queued
//! mail with a recording sender.

use std::collections::HashMap;
use std::sync::Mutex;

use shop::adapters::cognito::{IdentityProvider, Tokens};
use shop::adapters::mail::{MailQueue, Mailer};
use shop::domain::auth::Role;
use shop::domain::identity::{Credentials, RegisterInput, Registration};
use shop::domain::ids::{SellerId, UserId};
use shop::domain::mail::{Mail, Rendered};
use shop::domain::seller::SellerStatus;
use shop::domain::verification::Code;
use shop::services::{identity, mail};
use shop::ShopError;

use crate::support::*;

/// An account: (sub, password, verified, groups).
pub(crate) type Account = (UserId, String, bool, Vec<Role>);

/// Accounts by email, and the emails of accounts signed out everywhere.
#[derive(Default)]
pub(crate) struct Accounts(
    pub(crate) Mutex<HashMap<String, Account>>,
    pub(crate) Mutex<Vec<String>>,
);

#[async_trait::async_trait]
impl IdentityProvider for Accounts {
    async fn create_unverified(&self, r: &Registration) -> Result<Option<UserId>, ShopError> {
        let mut accounts = self.0.lock().unwrap();
        if accounts.contains_key(&r.email) {
            return Ok(None);
        }
        let id = UserId::parse(&format!("u-{}", uuid::Uuid::new_v4().simple())).unwrap();
        let password = r.password.expose().to_owned();
        accounts.insert(r.email.clone(), (id.clone(), password, false, Vec::new()));
        Ok(Some(id))
    }

    async fn is_unverified(&self, email: &str) -> Result<bool, ShopError> {
        Ok(self.0.lock().unwrap().get(email).is_some_and(|a| !a.2))
    }

    async fn mark_verified(&self, email: &str) -> Result<(), ShopError> {
        let mut accounts = self.0.lock().unwrap();
        accounts
            .get_mut(email)
            .ok_or(ShopError::NotFound("account"))?
            .2 = true;
        Ok(())
    }

    async fn add_to_group(&self, email: &str, role: Role) -> Result<(), ShopError> {
        let mut accounts = self.0.lock().unwrap();
        accounts
            .get_mut(email)
            .ok_or(ShopError::NotFound("account"))?
            .3
            .push(role);
        Ok(())
    }

    async fn delete(&self, email: &str) -> Result<(), ShopError> {
        self.0.lock().unwrap().remove(email);
        Ok(())
    }

    async fn find(
        &self,
        email: &str,
    ) -> Result<Option<shop::adapters::cognito::Account>, ShopError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .get(email)
            .map(|a| shop::adapters::cognito::Account {
                user_id: a.0.clone(),
                email_verified: a.2,
                enabled: a.2,
            }))
    }

    async fn set_password(
        &self,
        email: &str,
        password: &shop::domain::identity::Password,
    ) -> Result<(), ShopError> {
        let mut accounts = self.0.lock().unwrap();
        accounts
            .get_mut(email)
            .ok_or(ShopError::NotFound("account"))?
            .1 = password.expose().to_owned();
        Ok(())
    }

    async fn sign_out_everywhere(&self, email: &str) -> Result<(), ShopError> {
        self.1.lock().unwrap().push(email.to_owned());
        Ok(())
    }

    async fn change_email(&self, email: &str, new_email: &str) -> Result<(), ShopError> {
        let mut accounts = self.0.lock().unwrap();
        if accounts.contains_key(new_email) {
            return Err(ShopError::Conflict(
                "an account with this email exists".into(),
            ));
        }
        let account = accounts
            .remove(email)
            .ok_or(ShopError::NotFound("account"))?;
        accounts.insert(new_email.to_owned(), account);
        Ok(())
    }

    async fn disable(&self, email: &str) -> Result<(), ShopError> {
        if let Some(a) = self.0.lock().unwrap().get_mut(email) {
            a.2 = false;
        }
        Ok(())
    }

    async fn sign_in(&self, c: &Credentials) -> Result<Tokens, ShopError> {
        match self.0.lock().unwrap().get(&c.email) {
            Some((_, password, true, _)) if *password == c.password => Ok(Tokens {
                token_type: "Bearer",
                id_token: "id".into(),
                access_token: "access".into(),
                refresh_token: None,
                expires_in: 3600,
            }),
            _ => Err(ShopError::InvalidCredentials),
        }
    }
}

/// Mails handed to the queue.
#[derive(Default)]
pub(crate) struct Queued(pub(crate) Mutex<Vec<Mail>>);

#[async_trait::async_trait]
impl MailQueue for Queued {
    async fn enqueue(&self, mail: &Mail) -> Result<(), ShopError> {
        self.0.lock().unwrap().push(mail.clone());
        Ok(())
    }
}

impl Queued {
    /// The code of the last verification mail to `to`.
    fn code_for(&self, to: &str) -> Code {
        let mails = self.0.lock().unwrap();
        let code = mails.iter().rev().find_map(|m| match m {
            Mail::VerifyEmail { to: t, code, .. } if t == to => Some(code.clone()),
            _ => None,
        });
        Code::parse(&code.expect("a verification mail")).unwrap()
    }
}

fn registration(email: &str, role: &str) -> Registration {
    RegisterInput {
        email: email.into(),
        password: "Passw0rd-ok".into(),
        name: "Ada".into(),
        role: Some(role.into()),
    }
    .parse()
    .unwrap()
}

fn credentials(email: &str) -> Credentials {
    Credentials {
        email: email.into(),
        password: "Passw0rd-ok".into(),
    }
}

fn email() -> String {
    format!("ada-{}@example.com", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn an_account_signs_in_only_once_its_mailed_code_is_verified() {
    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let address = email();
    let registered = identity::register(&idp, &store, &queue, registration(&address, "customer"))
        .await
        .unwrap();
    assert_eq!(
        (registered.status, registered.role),
        ("pending_verification", Role::Customer)
    );
    assert_eq!(
        idp.0.lock().unwrap()[&address].3,
        [Role::Customer],
        "in its group"
    );
    let refused = identity::login(&idp, credentials(&address)).await;
    assert!(
        matches!(refused, Err(ShopError::InvalidCredentials)),
        "unverified: {refused:?}"
    );

    let real = queue.code_for(&address);
    let first = if real.expose().starts_with('0') {
        "1"
    } else {
        "0"
    };
    let wrong = Code::parse(&format!("{first}{}", &real.expose()[1..])).unwrap();
    assert!(identity::verify(&idp, &store, &address, &wrong)
        .await
        .is_err());
    assert!(
        idp.is_unverified(&address).await.unwrap(),
        "a wrong code verifies nothing"
    );
    let profile = identity::verify(&idp, &store, &address, &queue.code_for(&address))
        .await
        .unwrap();
    assert_eq!(
        (profile.user_id.clone(), profile.role),
        (registered.user_id.clone(), Role::Customer)
    );
    assert_eq!(
        store.get_profile(&registered.user_id).await.unwrap(),
        Some(profile)
    );
    identity::login(&idp, credentials(&address)).await.unwrap();
}

#[tokio::test]
async fn registering_an_unverified_address_again_replaces_the_account_and_its_code() {
    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let address = email();
    let first = identity::register(&idp, &store, &queue, registration(&address, "customer"))
        .await
        .unwrap();
    let old_code = queue.code_for(&address);
    let second = identity::register(&idp, &store, &queue, registration(&address, "seller"))
        .await
        .unwrap();
    assert_ne!(
        first.user_id, second.user_id,
        "the squatted account is replaced"
    );
    assert_eq!(idp.0.lock().unwrap()[&address].0, second.user_id);
    let new_code = queue.code_for(&address);
    if old_code.expose() != new_code.expose() {
        assert!(
            identity::verify(&idp, &store, &address, &old_code)
                .await
                .is_err(),
            "the old code is void"
        );
    }
    let profile = identity::verify(&idp, &store, &address, &new_code)
        .await
        .unwrap();
    assert_eq!(profile.role, Role::Seller);
    // A seller's verification opens its application, pending an administrator.
    let seller = store
        .get_seller(&SellerId::of(&second.user_id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(seller.status, SellerStatus::Pending);
    // A verified address is taken.
    let taken = identity::register(&idp, &store, &queue, registration(&address, "customer")).await;
    assert!(matches!(taken, Err(ShopError::Conflict(_))), "{taken:?}");
}

/// A code's lifetime and the resend pause, on a clock the test sets: no new code within
/// the pause, a new one (the old void) after it, and the new code refused from the
/// minute it expires — the account stays unverified.
#[tokio::test]
async fn a_code_is_resent_only_after_the_pause_and_refused_once_expired() {
    use shop::clock::frozen_at;
    use shop::domain::verification::{CODE_LIFETIME_MINUTES, RESEND_AFTER_SECONDS};
    use time::Duration;

    let store = fresh_store().await;
    let (idp, queue) = (Accounts::default(), Queued::default());
    let address = email();
    let t0 = time::macros::datetime!(2026-11-27 10:00:00 UTC);
    let mails = || queue.0.lock().unwrap().len();
    frozen_at(
        t0,
        identity::register(&idp, &store, &queue, registration(&address, "customer")),
    )
    .await
    .unwrap();
    let first = queue.code_for(&address);

    let early = t0 + Duration::seconds(RESEND_AFTER_SECONDS - 1);
    frozen_at(early, identity::resend(&store, &queue, &address))
        .await
        .unwrap();
    assert_eq!(mails(), 1, "no second code within the pause");

    let resent_at = t0 + Duration::seconds(RESEND_AFTER_SECONDS);
    frozen_at(resent_at, identity::resend(&store, &queue, &address))
        .await
        .unwrap();
    assert_eq!(mails(), 2, "a new code after the pause");
    let second = queue.code_for(&address);

    let expiry = resent_at + Duration::minutes(i64::from(CODE_LIFETIME_MINUTES));
    let expired = frozen_at(expiry, identity::verify(&idp, &store, &address, &second)).await;
    assert!(expired.is_err(), "expired: {expired:?}");
    if first.expose() != second.expose() {
        let old = frozen_at(resent_at, identity::verify(&idp, &store, &address, &first)).await;
        assert!(old.is_err(), "the replaced code is void: {old:?}");
    }
    assert!(idp.is_unverified(&address).await.unwrap());

    let in_time = expiry - Duration::seconds(1);
    frozen_at(in_time, identity::verify(&idp, &store, &address, &second))
        .await
        .unwrap();
    assert!(!idp.is_unverified(&address).await.unwrap());
}

/// Rendered mails the sender was given.
#[derive(Default)]
struct Sent(Mutex<Vec<Rendered>>);

#[async_trait::async_trait]
impl Mailer for Sent {
    fn shop_name(&self) -> &str {
        "Test Shop"
    }

    async fn send(&self, mail: &Rendered) -> Result<String, ShopError> {
        let mut sent = self.0.lock().unwrap();
        sent.push(mail.clone());
        Ok(format!("msg-{}", sent.len()))
    }
}

#[tokio::test]
async fn the_mailer_renders_and_sends_a_queued_mail_and_refuses_anything_else() {
    let sender = Sent::default();
    let queued = Mail::VerifyEmail {
        to: "ada@example.com".into(),
        name: "Ada".into(),
        code: "123456".into(),
        expires_in_minutes: 15,
    };
    let id = mail::deliver(&sender, &queued.to_queue()).await.unwrap();
    assert_eq!(id, "msg-1");
    let sent = sender.0.lock().unwrap().clone();
    assert_eq!(sent, [queued.render("Test Shop")]);
    assert!(sent[0].text.contains("123456"));

    for junk in ["", "{}", r#"{"kind":"unknown"}"#, "not json"] {
        let refused = mail::deliver(&sender, junk).await;
        assert!(
            matches!(refused, Err(ShopError::Malformed(_))),
            "{junk}: {refused:?}"
        );
    }
    assert_eq!(sender.0.lock().unwrap().len(), 1, "nothing else was sent");
}
