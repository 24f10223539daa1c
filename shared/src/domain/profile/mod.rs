//! A person's own account data: the profile they may edit (name, phone, preferences) and
//! their address book. Checked here, pure; stored by `store/users.rs`.

mod address_book;

pub use address_book::{
    AddressBook, AddressPatch, AddressPatchInput, DefaultChange, NewAddress, NewAddressInput,
    SavedAddress, MAX_ADDRESSES, MAX_LABEL,
};

use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::money::Currency;
use crate::domain::order::input::text;

pub const MAX_NAME: usize = 100;

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
pub(super) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
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

#[cfg(test)]
mod tests;
