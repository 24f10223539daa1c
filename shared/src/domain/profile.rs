//! A person's own account data: the profile they may edit (name, phone, preferences) and
//! their address book. Checked here, pure; stored by `store/users.rs`.

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::AddressId;
use crate::domain::money::Currency;
use crate::domain::order::input::{optional_text, text};
use crate::domain::order::{Address, AddressInput};

/// Most saved addresses per account: a book, not a log of every address ever typed.
pub const MAX_ADDRESSES: usize = 20;
pub const MAX_NAME: usize = 100;
pub const MAX_LABEL: usize = 40;

/// What a person chose about the shop's behaviour towards them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    /// A BCP 47 language tag (`en`, `pt-BR`) for mails and pages.
    pub language: String,
    /// The currency to show prices in where a product offers it.
    pub currency: Currency,
    /// Marketing mail (offers, recommendations) only with consent; mail about the
    /// person's own orders, shipments, refunds and account is always sent.
    pub marketing_emails: bool,
}

impl Default for Preferences {
    fn default() -> Self {
        Preferences {
            language: "en".into(),
            currency: Currency::parse("USD").expect("USD is a currency"),
            marketing_emails: false,
        }
    }
}

/// `null` and absent are different in a PATCH: `Some(None)` clears, `None` keeps.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `PATCH /me` as sent: every field optional; `phone: null` removes the phone.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfilePatchInput {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub phone: Option<Option<String>>,
    pub preferences: Option<PreferencesPatchInput>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreferencesPatchInput {
    pub language: Option<String>,
    pub currency: Option<String>,
    pub marketing_emails: Option<bool>,
}

/// A checked `PATCH /me`: `None` keeps a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub phone: Option<Option<Phone>>,
    pub language: Option<String>,
    pub currency: Option<Currency>,
    pub marketing_emails: Option<bool>,
}

/// The editable part of a profile, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editable {
    pub name: String,
    pub phone: Option<Phone>,
    pub preferences: Preferences,
}

impl ProfilePatch {
    /// `current` with the patch's fields applied.
    pub fn apply(&self, current: &Editable) -> Editable {
        let prefs = &current.preferences;
        Editable {
            name: self.name.clone().unwrap_or_else(|| current.name.clone()),
            phone: self.phone.clone().unwrap_or_else(|| current.phone.clone()),
            preferences: Preferences {
                language: self
                    .language
                    .clone()
                    .unwrap_or_else(|| prefs.language.clone()),
                currency: self.currency.unwrap_or(prefs.currency),
                marketing_emails: self.marketing_emails.unwrap_or(prefs.marketing_emails),
            },
        }
    }
}

impl ProfilePatchInput {
    pub fn parse(self) -> Result<ProfilePatch, ShopError> {
        let mut v = Validator::default();
        let name = self
            .name
            .as_deref()
            .and_then(|n| text(&mut v, "name", n, MAX_NAME).map(Some))
            .unwrap_or(None);
        let phone = match self.phone {
            None => None,
            Some(None) => Some(None),
            Some(Some(raw)) => v.check(Phone::parse(&raw)).map(Some),
        };
        let (mut language, mut currency, mut marketing_emails) = (None, None, None);
        if let Some(p) = self.preferences {
            language = p.language.as_deref().and_then(|l| v.check(language_tag(l)));
            currency = p.currency.as_deref().and_then(|c| {
                v.check(
                    Currency::parse(c)
                        .map_err(|e| FieldError::new("preferences.currency", &e.message)),
                )
            });
            marketing_emails = p.marketing_emails;
        }
        v.finish()?;
        Ok(ProfilePatch {
            name,
            phone,
            language,
            currency,
            marketing_emails,
        })
    }
}

/// A phone number in E.164 (`+` and 8 to 15 digits, the first not 0); spaces, dots,
/// dashes and parentheses as people type them are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, FieldError> {
        let refuse = || {
            Err(FieldError::new(
                "phone",
                "must be an international number: + and 8 to 15 digits (E.164)",
            ))
        };
        let raw = raw.trim();
        let Some(rest) = raw.strip_prefix('+') else {
            return refuse();
        };
        if !rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        {
            return refuse();
        }
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return refuse();
        }
        Ok(Phone(format!("+{digits}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Phone {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, FieldError> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

/// A BCP 47 language tag of the common shape: a 2–3 letter language and an optional
/// 2-letter region or 3-digit area (`en`, `en-GB`, `es-419`), normalised to that case.
fn language_tag(raw: &str) -> Result<String, FieldError> {
    let refuse = || {
        Err(FieldError::new(
            "preferences.language",
            "must be a language tag such as en, en-GB or es-419",
        ))
    };
    let raw = raw.trim();
    let (lang, region) = match raw.split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (raw, None),
    };
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return refuse();
    }
    let region = match region {
        None => String::new(),
        Some(r) if r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()) => {
            format!("-{}", r.to_ascii_uppercase())
        }
        Some(r) if r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()) => format!("-{r}"),
        Some(_) => return refuse(),
    };
    Ok(format!("{}{region}", lang.to_ascii_lowercase()))
}

/// `POST /me/addresses` as sent. The address is checked exactly as checkout checks one.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAddressInput {
    pub label: Option<String>,
    pub is_default: Option<bool>,
    pub address: AddressInput,
}

/// `PATCH /me/addresses/{id}` as sent: a new label (`null` removes it), a new address
/// (whole, checked as checkout checks one), or `isDefault`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressPatchInput {
    #[serde(default, deserialize_with = "present")]
    pub label: Option<Option<String>>,
    pub is_default: Option<bool>,
    pub address: Option<AddressInput>,
}

/// A checked new address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAddress {
    pub label: Option<String>,
    pub is_default: Option<bool>,
    pub address: Address,
}

/// A checked address change; `None` keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressPatch {
    pub label: Option<Option<String>>,
    pub is_default: Option<bool>,
    pub address: Option<Address>,
}

fn label(v: &mut Validator, raw: Option<&str>) -> Option<Option<String>> {
    optional_text(v, "label", raw, MAX_LABEL)
}

impl NewAddressInput {
    pub fn parse(self) -> Result<NewAddress, ShopError> {
        let mut v = Validator::default();
        let label = label(&mut v, self.label.as_deref());
        let address = self.address.parse_as(&mut v, "address");
        v.finish()?;
        match (label, address) {
            (Some(label), Some(address)) => Ok(NewAddress {
                label,
                is_default: self.is_default,
                address,
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

impl AddressPatchInput {
    pub fn parse(self) -> Result<AddressPatch, ShopError> {
        let mut v = Validator::default();
        let label = match self.label {
            None => Some(None),
            Some(raw) => label(&mut v, raw.as_deref()).map(Some),
        };
        let address = match self.address {
            None => Some(None),
            Some(a) => a.parse_as(&mut v, "address").map(Some),
        };
        v.finish()?;
        match (label, address) {
            (Some(label), Some(address)) => Ok(AddressPatch {
                label,
                is_default: self.is_default,
                address,
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

/// An entry of the address book as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedAddress {
    pub id: AddressId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub address: Address,
    pub created_at: String,
    pub updated_at: String,
}

/// The address book as a whole: its entries and which one is the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressBook {
    pub count: usize,
    pub default: Option<AddressId>,
}

/// What an address-book write does to the book's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultChange {
    Keep,
    Set(AddressId),
    Clear,
}

impl AddressBook {
    /// Whether another address fits.
    pub fn check_room(&self) -> Result<(), ShopError> {
        if self.count >= MAX_ADDRESSES {
            return Err(ShopError::Conflict(format!(
                "an address book holds at most {MAX_ADDRESSES} addresses; delete one first"
            )));
        }
        Ok(())
    }

    /// A new address becomes the default when asked, or when the book has none (the
    /// first address saved is the default until another is chosen).
    pub fn on_add(&self, id: &AddressId, wants_default: Option<bool>) -> DefaultChange {
        if wants_default.unwrap_or(self.default.is_none()) {
            DefaultChange::Set(id.clone())
        } else {
            DefaultChange::Keep
        }
    }

    /// `isDefault: true` makes the address the default; `false` on the default leaves the
    /// book without one; otherwise nothing changes.
    pub fn on_edit(&self, id: &AddressId, wants_default: Option<bool>) -> DefaultChange {
        let is_default = self.default.as_ref() == Some(id);
        match wants_default {
            Some(true) if !is_default => DefaultChange::Set(id.clone()),
            Some(false) if is_default => DefaultChange::Clear,
            _ => DefaultChange::Keep,
        }
    }

    /// Deleting the default leaves the book without one: which address is next is the
    /// person's choice, not the shop's guess.
    pub fn on_delete(&self, id: &AddressId) -> DefaultChange {
        if self.default.as_ref() == Some(id) {
            DefaultChange::Clear
        } else {
            DefaultChange::Keep
        }
    }
}

impl SavedAddress {
    pub fn edited(&self, patch: &AddressPatch, now: &str) -> SavedAddress {
        SavedAddress {
            id: self.id.clone(),
            label: patch.label.clone().unwrap_or_else(|| self.label.clone()),
            address: patch
                .address
                .clone()
                .unwrap_or_else(|| self.address.clone()),
            created_at: self.created_at.clone(),
            updated_at: now.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            serde_json::from_value::<ProfilePatchInput>(serde_json::json!({"email": "x@y"}))
                .is_err()
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
}
