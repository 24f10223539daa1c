//! Who is calling. The API Gateway JWT authorizer (or the local gateway playing
//! it) has already verified the token's signature, issuer, audience and expiry;
//! here we only read the verified claims it passes in the request context.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::domain::error::ShopError;
use crate::domain::ids::UserId;

/// Roles, from the identity provider's groups (`cognito:groups`), which only an
/// administrator can change. Users cannot grant themselves a role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Seller,
    Admin,
}

impl Role {
    /// Every role; their names are the identity provider's group names. This is the
    /// one source: the template's groups and the local pool are checked against it.
    pub const ALL: [Role; 3] = [Role::Customer, Role::Seller, Role::Admin];

    /// Roles a person may choose when registering; admin is granted by an operator.
    pub fn self_assignable(self) -> bool {
        matches!(self, Role::Customer | Role::Seller)
    }

    pub fn parse(name: &str) -> Option<Role> {
        match name {
            "customer" => Some(Role::Customer),
            "seller" => Some(Role::Seller),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Seller => "seller",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub roles: Vec<Role>,
    pub email: Option<String>,
}

/// API Gateway's HTTP API flattens the `cognito:groups` array claim into `[a b]`;
/// other paths pass a JSON array. Group names cannot contain whitespace (Cognito's
/// rule) but can contain commas and brackets, so only those two exact forms are
/// read and each name is matched whole: a group named `x,admin` is not `admin`.
fn split_groups(raw: &str) -> Vec<String> {
    let trimmed = raw.trim();
    if let Ok(list) = serde_json::from_str::<Vec<String>>(trimmed) {
        return list;
    }
    match trimmed.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(inner) => inner
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        None => vec![trimmed.to_owned()],
    }
}

impl Caller {
    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Caller, ShopError> {
        // Handlers rely on id-token claims (email, groups as the pool issued them): an
        // access token, which the authorizer also accepts for the same client, is refused.
        if claims.get("token_use").map(String::as_str) != Some("id") {
            return Err(ShopError::Unauthenticated);
        }
        let sub = claims.get("sub").ok_or(ShopError::Unauthenticated)?;
        let user_id = UserId::parse(sub).map_err(|_| ShopError::Unauthenticated)?;
        let mut roles: Vec<Role> = claims
            .get("cognito:groups")
            .map(|g| split_groups(g))
            .unwrap_or_default()
            .iter()
            .filter_map(|g| Role::parse(g))
            .collect();
        if roles.is_empty() {
            // Every signed-in user may at least shop.
            roles.push(Role::Customer);
        }
        roles.sort();
        roles.dedup();
        Ok(Caller {
            user_id,
            roles,
            email: claims.get("email").cloned(),
        })
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.has(Role::Admin)
    }

    /// Sellers manage products; administrators may act on any seller's behalf.
    pub fn require_seller(&self) -> Result<(), ShopError> {
        if self.has(Role::Seller) || self.is_admin() {
            Ok(())
        } else {
            Err(ShopError::Forbidden("only sellers may manage products"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An id token's claims plus `pairs`.
    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        std::iter::once(("token_use", "id"))
            .chain(pairs.iter().copied())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn no_sub_means_unauthenticated() {
        assert!(matches!(
            Caller::from_claims(&claims(&[])),
            Err(ShopError::Unauthenticated)
        ));
        assert!(matches!(
            Caller::from_claims(&claims(&[("sub", "bad#sub")])),
            Err(ShopError::Unauthenticated)
        ));
    }

    #[test]
    fn only_id_tokens_identify_a_caller() {
        for token_use in [None, Some("access"), Some("ID")] {
            let mut c = claims(&[("sub", "u1")]);
            match token_use {
                Some(t) => c.insert("token_use".into(), t.into()),
                None => c.remove("token_use"),
            };
            assert!(
                matches!(Caller::from_claims(&c), Err(ShopError::Unauthenticated)),
                "{token_use:?}"
            );
        }
    }

    #[test]
    fn group_names_are_matched_whole() {
        for raw in [
            "[x,admin]",
            "x,admin",
            "[x],[admin]",
            "admin]",
            "[\"x,admin\"]",
        ] {
            let c =
                Caller::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", raw)])).unwrap();
            assert!(!c.is_admin(), "{raw}");
        }
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn groups_in_every_flattened_form() {
        for raw in ["[seller admin]", "[\"seller\",\"admin\"]"] {
            let c =
                Caller::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", raw)])).unwrap();
            assert_eq!(c.roles, [Role::Seller, Role::Admin], "{raw}");
        }
    }

    #[test]
    fn no_groups_means_customer_and_unknown_groups_are_ignored() {
        let c =
            Caller::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", "[vip]")])).unwrap();
        assert_eq!(c.roles, [Role::Customer]);
        assert!(c.require_seller().is_err());
    }

    #[test]
    fn sellers_and_admins_may_manage_products() {
        let seller =
            Caller::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", "[seller]")])).unwrap();
        let admin =
            Caller::from_claims(&claims(&[("sub", "u2"), ("cognito:groups", "[admin]")])).unwrap();
        assert!(seller.require_seller().is_ok());
        assert!(admin.require_seller().is_ok());
    }
}
