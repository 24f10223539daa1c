//! Where the carrier delivers: its coverage file (`country,postalPrefix,transitDays`), read
//! row by row, and a postcode's serviceability. Flipkart's pin-code check: the longest
//! prefix of the postcode (spaces and `-` removed, upper case) with a row wins; `none` as
//! transit days excludes that prefix, and a postcode with no matching row is not served.

use std::collections::HashSet;

use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::Sku;
use crate::domain::import::Rejection;

/// The header a coverage file starts with, exactly.
pub const COVERAGE_COLUMNS: [&str; 3] = ["country", "postalPrefix", "transitDays"];
/// The longest postal prefix a row may name (and the most characters of a postcode looked up).
pub const MAX_PREFIX: usize = 10;
/// The most transit days a row may name.
pub const MAX_TRANSIT_DAYS: u8 = 30;
/// The most rows a coverage file may hold.
pub const MAX_COVERAGE_ROWS: u64 = 200_000;

/// One row: `transit_days` `None` excludes the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    pub country: String,
    pub prefix: String,
    pub transit_days: Option<u8>,
}

impl CoverageRow {
    /// Reads row `line` (its three cells, as the CSV reader split them).
    pub fn parse(line: u64, cells: &[String]) -> Result<CoverageRow, Vec<Rejection>> {
        if cells.len() != COVERAGE_COLUMNS.len() {
            return Err(vec![Rejection::new(
                line,
                "",
                &format!("has {} cells, not {}", cells.len(), COVERAGE_COLUMNS.len()),
            )]);
        }
        let mut problems = Vec::new();
        let country = cells[0].trim().to_owned();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            problems.push(Rejection::new(
                line,
                "country",
                "must be a two-letter ISO 3166 code in upper case",
            ));
        }
        let prefix = normalise_postcode(&cells[1]);
        if prefix.len() > MAX_PREFIX || !prefix.bytes().all(|b| b.is_ascii_alphanumeric()) {
            problems.push(Rejection::new(
                line,
                "postalPrefix",
                &format!(
                    "must be at most {MAX_PREFIX} letters and digits (empty: the whole country)"
                ),
            ));
        }
        let transit = cells[2].trim();
        let transit_days = match transit {
            "none" => None,
            days => match days.parse::<u8>() {
                Ok(d) if (1..=MAX_TRANSIT_DAYS).contains(&d) => Some(d),
                _ => {
                    problems.push(Rejection::new(
                        line,
                        "transitDays",
                        &format!("must be a whole number from 1 to {MAX_TRANSIT_DAYS}, or none"),
                    ));
                    None
                }
            },
        };
        if problems.is_empty() {
            Ok(CoverageRow {
                country,
                prefix,
                transit_days,
            })
        } else {
            Err(problems)
        }
    }
}

/// Every row of a file, each (country, prefix) once: a second row of a pair is refused.
#[derive(Debug, Default)]
pub struct CoverageCheck {
    seen: HashSet<(String, String)>,
}

impl CoverageCheck {
    pub fn check(&mut self, line: u64, cells: &[String]) -> Result<CoverageRow, Vec<Rejection>> {
        let row = CoverageRow::parse(line, cells)?;
        if !self.seen.insert((row.country.clone(), row.prefix.clone())) {
            return Err(vec![Rejection::new(
                line,
                "postalPrefix",
                "repeats a country and prefix of an earlier row",
            )]);
        }
        Ok(row)
    }
}

/// A postcode as coverage compares it: upper case, without spaces and `-`.
pub fn normalise_postcode(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// The prefixes of a postcode a row may name, shortest first: `""` (the whole country),
/// then each longer start, up to [`MAX_PREFIX`] characters.
pub fn candidate_prefixes(postcode: &str) -> Vec<String> {
    let normal = normalise_postcode(postcode);
    let ends: Vec<usize> = normal
        .char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .take(MAX_PREFIX)
        .collect();
    std::iter::once(String::new())
        .chain(ends.into_iter().map(|end| normal[..end].to_owned()))
        .collect()
}

/// Whether the carrier delivers to a place, and in how many working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serviceability {
    Served { transit_days: u8 },
    NotServed,
}

/// The rows found for a postcode's candidate prefixes (`(prefix, transit days)`): the
/// longest prefix decides.
pub fn best_match(found: &[(String, Option<u8>)]) -> Serviceability {
    match found.iter().max_by_key(|(prefix, _)| prefix.len()) {
        Some((_, Some(transit_days))) => Serviceability::Served {
            transit_days: *transit_days,
        },
        _ => Serviceability::NotServed,
    }
}

/// `GET /delivery/estimate?country=&postalCode=&sku=`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EstimateQuery {
    /// ISO 3166-1 alpha-2, upper case.
    pub country: String,
    pub postal_code: String,
    /// Whose seller's handling time counts; none: the default's.
    pub sku: Option<Sku>,
}

impl EstimateQuery {
    /// The query's parameters: `country` and `postalCode` once each, `sku` at most once,
    /// nothing else (400); a malformed value is a 422 naming it.
    pub fn parse(pairs: &[(String, String)]) -> Result<EstimateQuery, ShopError> {
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in pairs {
            if !matches!(name.as_str(), "country" | "postalCode" | "sku") {
                return Err(ShopError::Malformed(format!(
                    "unknown parameter {name}: country, postalCode and sku are known"
                )));
            }
            if seen.contains(&name.as_str()) {
                return Err(ShopError::Malformed(format!("{name} is given twice")));
            }
            seen.push(name);
        }
        let value = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let (Some(country), Some(postal_code)) = (value("country"), value("postalCode")) else {
            return Err(ShopError::Malformed(
                "country and postalCode are required".into(),
            ));
        };
        let mut v = Validator::default();
        let country = country.trim().to_ascii_uppercase();
        if country.len() != 2 || !country.bytes().all(|b| b.is_ascii_uppercase()) {
            v.check::<()>(Err(FieldError::new(
                "country",
                "must be a two-letter ISO 3166 country code",
            )));
        }
        let postal_code = postal_code.trim().to_owned();
        if !(1..=20).contains(&postal_code.chars().count())
            || !postal_code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        {
            v.check::<()>(Err(FieldError::new(
                "postalCode",
                "must be 1 to 20 letters, digits, spaces and '-'",
            )));
        }
        let sku = value("sku").and_then(|raw| v.check(Sku::parse(raw)));
        v.finish()?;
        Ok(EstimateQuery {
            country,
            postal_code,
            sku,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(row: &str) -> Vec<String> {
        row.split(',').map(str::to_owned).collect()
    }

    fn found(rows: &[(&str, Option<u8>)], postcode: &str) -> Serviceability {
        let candidates = candidate_prefixes(postcode);
        let hits: Vec<(String, Option<u8>)> = rows
            .iter()
            .filter(|(p, _)| candidates.iter().any(|c| c == p))
            .map(|(p, t)| (p.to_string(), *t))
            .collect();
        best_match(&hits)
    }

    #[test]
    fn the_longest_prefix_wins_and_exclusions_exclude() {
        let france = [
            ("", Some(2)),
            ("20", Some(3)),
            ("97", None),
            ("971", Some(5)),
        ];
        assert_eq!(
            found(&france, "75001"),
            Serviceability::Served { transit_days: 2 }
        );
        assert_eq!(
            found(&france, "20000"),
            Serviceability::Served { transit_days: 3 }
        );
        assert_eq!(found(&france, "97200"), Serviceability::NotServed);
        assert_eq!(
            found(&france, "97110"),
            Serviceability::Served { transit_days: 5 }
        );
        assert_eq!(
            found(&[("20", Some(3))], "75001"),
            Serviceability::NotServed
        );
        assert_eq!(found(&[], "75001"), Serviceability::NotServed);
    }

    #[test]
    fn uk_postcodes_match_without_spaces_or_case() {
        let uk = [("", Some(3)), ("BT", None), ("N1", Some(1))];
        assert_eq!(found(&uk, "bt1 5gs"), Serviceability::NotServed);
        assert_eq!(
            found(&uk, "N1 9GU"),
            Serviceability::Served { transit_days: 1 }
        );
        assert_eq!(
            found(&uk, "SW1A 1AA"),
            Serviceability::Served { transit_days: 3 }
        );
        assert_eq!(
            candidate_prefixes("n1 9-gu"),
            ["", "N", "N1", "N19", "N19G", "N19GU"]
        );
        assert_eq!(candidate_prefixes("12345678901234").len(), MAX_PREFIX + 1);
    }

    #[test]
    fn rows_are_checked_cell_by_cell() {
        assert_eq!(
            CoverageRow::parse(2, &cells("FR,,2")).unwrap(),
            CoverageRow {
                country: "FR".into(),
                prefix: String::new(),
                transit_days: Some(2)
            }
        );
        assert_eq!(
            CoverageRow::parse(3, &cells("GB,bt,none")).unwrap().prefix,
            "BT"
        );
        let columns = |row: &str| -> Vec<String> {
            CoverageRow::parse(4, &cells(row))
                .unwrap_err()
                .into_iter()
                .map(|r| r.column)
                .collect()
        };
        assert_eq!(columns("fr,,2"), ["country"]);
        assert_eq!(columns("FRA,,2"), ["country"]);
        assert_eq!(columns("FR,12345678901,2"), ["postalPrefix"]);
        assert_eq!(columns("FR,7500*,2"), ["postalPrefix"]);
        assert_eq!(columns("FR,,0"), ["transitDays"]);
        assert_eq!(columns("FR,,31"), ["transitDays"]);
        assert_eq!(columns("FR,,2.5"), ["transitDays"]);
        assert_eq!(columns("F,x!,"), ["country", "postalPrefix", "transitDays"]);
        assert_eq!(columns("FR,2"), [""]);
        let mut check = CoverageCheck::default();
        assert!(check.check(2, &cells("FR,20,3")).is_ok());
        assert_eq!(
            check.check(3, &cells("FR,2 0,none")).unwrap_err()[0].column,
            "postalPrefix"
        );
        assert!(check.check(4, &cells("DE,20,3")).is_ok());
    }

    fn query(pairs: &[(&str, &str)]) -> Result<EstimateQuery, ShopError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        EstimateQuery::parse(&pairs)
    }

    #[test]
    fn estimate_queries_are_checked() {
        let q = query(&[("country", "fr"), ("postalCode", " 75001 ")]).unwrap();
        assert_eq!(
            (q.country.as_str(), q.postal_code.as_str(), q.sku),
            ("FR", "75001", None)
        );
        assert!(query(&[
            ("country", "GB"),
            ("postalCode", "N1 9GU"),
            ("sku", "TEE-1")
        ])
        .unwrap()
        .sku
        .is_some());
        for bad in [
            vec![("country", "FR")],
            vec![("country", "FR"), ("postalCode", "1"), ("zip", "2")],
            vec![("country", "FR"), ("country", "DE"), ("postalCode", "1")],
        ] {
            assert!(
                matches!(query(&bad), Err(ShopError::Malformed(_))),
                "{bad:?}"
            );
        }
        let fields = |pairs: &[(&str, &str)]| match query(pairs) {
            Err(ShopError::Invalid(errors)) => {
                errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(
            fields(&[("country", "France"), ("postalCode", "75<01"), ("sku", "")]),
            ["country", "postalCode", "sku"]
        );
    }
}
