//! What a customer sends to place an order, read into checked domain values.

use serde::{Deserialize, Serialize};

use crate::domain::cart::Quantity;
use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::{AddressId, Sku};
use crate::domain::money::Money;

/// `POST /orders` as sent. Shape errors (types, unknown or missing fields) are the
/// edge's 400s; [`PlaceOrderInput::parse`] checks the values (422s, every field at once).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlaceOrderInput {
    /// Absent: order the caller's whole cart.
    pub lines: Option<Vec<OrderLineInput>>,
    /// Where to: an address, or the id of one in the caller's address book (one of the two).
    pub shipping_address: Option<AddressInput>,
    pub shipping_address_id: Option<String>,
    pub payment_method_id: String,
    /// The total the customer was shown (`POST /orders/quote`'s `total`): the order is
    /// placed only at it, so a price rise between quote and order is never charged silently.
    pub expected_total: Money,
}

/// `POST /orders/quote` as sent: the lines (absent: the caller's cart) and where they go.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteOrderInput {
    pub lines: Option<Vec<OrderLineInput>>,
    pub shipping_address: Option<AddressInput>,
    pub shipping_address_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrderLineInput {
    pub sku: String,
    pub quantity: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddressInput {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

/// A checked shipping address. `country` is an ISO 3166-1 alpha-2 code, upper case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub name: String,
    pub line1: String,
    pub line2: Option<String>,
    pub city: String,
    pub region: Option<String>,
    pub postal_code: String,
    pub country: String,
}

/// A Stripe PaymentMethod id (`pm_…`): the card stays with Stripe, the shop never sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PaymentMethodId(String);

impl PaymentMethodId {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let rest = value.strip_prefix("pm_").ok_or_else(|| {
            FieldError::new(
                "paymentMethodId",
                "must be a Stripe PaymentMethod id (pm_…)",
            )
        })?;
        if rest.is_empty()
            || rest.len() > 250
            || !rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(FieldError::new(
                "paymentMethodId",
                "is not a valid PaymentMethod id",
            ));
        }
        Ok(PaymentMethodId(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PaymentMethodId {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, FieldError> {
        PaymentMethodId::parse(&value)
    }
}

impl From<PaymentMethodId> for String {
    fn from(id: PaymentMethodId) -> String {
        id.0
    }
}

/// The client's `Idempotency-Key`: 1–255 printable ASCII characters. Only its digest
/// is stored, so a key's content never reaches a table key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const HEADER: &'static str = "Idempotency-Key";

    pub fn parse(value: Option<&str>) -> Result<Self, ShopError> {
        let value = value.ok_or_else(|| {
            ShopError::Malformed(format!(
                "the {} header is required: send a unique value per order (a UUID) and the same value when retrying",
                Self::HEADER
            ))
        })?;
        if value.is_empty()
            || value.len() > 255
            || !value.bytes().all(|b| (0x20..=0x7e).contains(&b))
        {
            return Err(ShopError::Malformed(format!(
                "the {} header must be 1 to 255 printable ASCII characters",
                Self::HEADER
            )));
        }
        Ok(IdempotencyKey(value.to_owned()))
    }

    pub fn digest(&self) -> String {
        crate::domain::sha256_hex(&[b"idempotency-key:", self.0.as_bytes()])
    }
}

/// Where an order goes, as the request names it. Serialised flat into the request's
/// fingerprint (`address` or `addressId`), so a retry naming the same saved address is the
/// same request even if the entry was edited meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Destination {
    Address(Address),
    AddressId(AddressId),
}

/// A checked order request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceOrder {
    /// `None`: the caller's cart. SKUs are distinct.
    pub lines: Option<Vec<(Sku, u32)>>,
    #[serde(flatten)]
    pub destination: Destination,
    pub payment_method_id: PaymentMethodId,
    pub expected_total: Money,
}

/// A checked quote request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuoteOrder {
    /// `None`: the caller's cart. SKUs are distinct.
    pub lines: Option<Vec<(Sku, u32)>>,
    pub destination: Destination,
}

impl PlaceOrder {
    /// A digest of the request as understood (normalised values), so a retry that
    /// differs only in spacing or SKU case is the same request, and any real change is not.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        crate::domain::sha256_hex(&[b"place-order:", json.as_bytes()])
    }
}

pub(crate) fn text(v: &mut Validator, field: &str, value: &str, max: usize) -> Option<String> {
    checked_text(v, field, value, max, false)
}

/// Trimmed, 1 to `max` characters, no control characters (but line breaks and tabs when
/// `line_breaks`, for text people write in paragraphs).
pub(crate) fn checked_text(
    v: &mut Validator,
    field: &str,
    value: &str,
    max: usize,
    line_breaks: bool,
) -> Option<String> {
    let value = value.trim();
    let forbidden = |c: char| c.is_control() && !(line_breaks && matches!(c, '\n' | '\r' | '\t'));
    v.check(if value.is_empty() {
        Err(FieldError::new(field, "is required"))
    } else if value.chars().count() > max {
        Err(FieldError::new(
            field,
            &format!("must be at most {max} characters"),
        ))
    } else if value.chars().any(forbidden) {
        Err(FieldError::new(
            field,
            "must not contain control characters",
        ))
    } else {
        Ok(value.to_owned())
    })
}

pub(crate) fn optional_text(
    v: &mut Validator,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<Option<String>> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => text(v, field, s, max).map(Some),
    }
}

impl AddressInput {
    /// The address, its problems reported as `<field>.<name>` (`shippingAddress.city`), or
    /// as `<name>` when `field` is empty.
    pub(crate) fn parse_as(&self, v: &mut Validator, field: &str) -> Option<Address> {
        let f = |name: &str| {
            if field.is_empty() {
                name.to_owned()
            } else {
                format!("{field}.{name}")
            }
        };
        let name = text(v, &f("name"), &self.name, 100);
        let line1 = text(v, &f("line1"), &self.line1, 200);
        let line2 = optional_text(v, &f("line2"), self.line2.as_deref(), 200);
        let city = text(v, &f("city"), &self.city, 100);
        let region = optional_text(v, &f("region"), self.region.as_deref(), 100);
        let postal_code = text(v, &f("postalCode"), &self.postal_code, 20).and_then(|p| {
            v.check(
                if p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
                {
                    Ok(p.to_ascii_uppercase())
                } else {
                    Err(FieldError::new(
                        &f("postalCode"),
                        "may contain only letters, digits, spaces and '-'",
                    ))
                },
            )
        });
        let country = v.check({
            let c = self.country.trim();
            if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                Ok(c.to_ascii_uppercase())
            } else {
                Err(FieldError::new(
                    &f("country"),
                    "must be a two-letter ISO 3166 country code",
                ))
            }
        });
        Some(Address {
            name: name?,
            line1: line1?,
            line2: line2?,
            city: city?,
            region: region?,
            postal_code: postal_code?,
            country: country?,
        })
    }
}

/// The request's lines, checked: valid SKUs and quantities, each SKU once, not empty.
fn parse_lines(v: &mut Validator, lines: Option<&[OrderLineInput]>) -> Option<Vec<(Sku, u32)>> {
    let lines = lines?;
    let mut parsed: Vec<(Sku, u32)> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let sku = v.check(
            Sku::parse(&line.sku)
                .map_err(|e| FieldError::new(&format!("lines[{i}].sku"), &e.message)),
        );
        let quantity = v.check(
            Quantity::parse(line.quantity)
                .map_err(|e| FieldError::new(&format!("lines[{i}].quantity"), &e.message)),
        );
        if let (Some(sku), Some(q)) = (sku, quantity) {
            if parsed.iter().any(|(s, _)| *s == sku) {
                v.check::<()>(Err(FieldError::new(
                    &format!("lines[{i}].sku"),
                    "appears more than once",
                )));
            } else {
                parsed.push((sku, q.get()));
            }
        }
    }
    if lines.is_empty() {
        v.check::<()>(Err(FieldError::new("lines", "must not be empty")));
    }
    Some(parsed)
}

/// The request's destination: exactly one of an address and a saved address's id (both
/// or neither is a malformed request, 400).
fn destination(
    v: &mut Validator,
    address: Option<&AddressInput>,
    id: Option<&str>,
) -> Result<Option<Destination>, ShopError> {
    match (address, id) {
        (Some(address), None) => Ok(address
            .parse_as(v, "shippingAddress")
            .map(Destination::Address)),
        (None, Some(id)) => Ok(v
            .check(
                AddressId::parse(id.trim())
                    .map_err(|e| FieldError::new("shippingAddressId", &e.message)),
            )
            .map(Destination::AddressId)),
        _ => Err(ShopError::Malformed(
            "send either shippingAddress or shippingAddressId (one of the two)".into(),
        )),
    }
}

impl PlaceOrderInput {
    pub fn parse(self) -> Result<PlaceOrder, ShopError> {
        let mut v = Validator::default();
        let lines = parse_lines(&mut v, self.lines.as_deref());
        let address = destination(
            &mut v,
            self.shipping_address.as_ref(),
            self.shipping_address_id.as_deref(),
        )?;
        let payment_method_id = v.check(PaymentMethodId::parse(self.payment_method_id.trim()));
        if self.expected_total.amount < 0 {
            v.check::<()>(Err(FieldError::new(
                "expectedTotal.amount",
                "must not be negative",
            )));
        }
        v.finish()?;
        match (address, payment_method_id) {
            (Some(destination), Some(payment_method_id)) => Ok(PlaceOrder {
                lines,
                destination,
                payment_method_id,
                expected_total: self.expected_total,
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

impl QuoteOrderInput {
    pub fn parse(self) -> Result<QuoteOrder, ShopError> {
        let mut v = Validator::default();
        let lines = parse_lines(&mut v, self.lines.as_deref());
        let destination = destination(
            &mut v,
            self.shipping_address.as_ref(),
            self.shipping_address_id.as_deref(),
        )?;
        v.finish()?;
        match destination {
            Some(destination) => Ok(QuoteOrder { lines, destination }),
            None => Err(ShopError::internal("a field failed without an error")),
        }
    }
}
