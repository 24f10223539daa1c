//! The automatic moderation pass: pure rules over a review's text. A clean review is
//! approved at once; one that trips a rule waits, `pending`, for an administrator
//! (`GET /admin/reviews?status=pending`) with the rules it tripped as `heldFor`.
//! The pass never rejects: only a person does.

/// Words that hold a review for a person's look, one per line (`#` starts a comment),
/// matched whole and case-insensitively. The shop's operator edits the file.
const BANNED_WORDS: &str = include_str!("banned_words.txt");

/// A product review's body shorter than this helps no shopper: a person decides.
pub const MIN_USEFUL_BODY: usize = 20;
/// The same character this many times in a row ("!!!!!!", "sooooooo") holds a review.
const REPEAT_RUN: usize = 6;
/// Top-level domains that make a bare `word.tld` a link.
const LINK_TLDS: [&str; 14] = [
    "com", "net", "org", "io", "co", "ru", "cn", "xyz", "info", "biz", "top", "shop", "store", "ly",
];

/// Why the pass held a review, as stored and shown to moderators.
pub const LINK: &str = "contains a link";
pub const REPEATED: &str = "repeated characters";
pub const BANNED: &str = "a word on the banned list";
pub const MARKUP: &str = "looks like HTML markup";
pub const SHOUTING: &str = "written in capitals";
pub const TOO_SHORT: &str = "too short to help other shoppers";

fn banned_words() -> impl Iterator<Item = &'static str> {
    BANNED_WORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn has_link(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return true;
    }
    lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | '"' | '\''))
        .any(|token| {
            let token = token.trim_end_matches(['.', '!', '?', ':']);
            token.rsplit_once('.').is_some_and(|(name, tld)| {
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.'))
                    && LINK_TLDS.contains(&tld)
            })
        })
}

fn has_repeated_run(text: &str) -> bool {
    let mut run = 0;
    let mut last = None;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        if Some(c) == last {
            run += 1;
        } else {
            run = 1;
            last = Some(c);
        }
        if run >= REPEAT_RUN {
            return true;
        }
    }
    false
}

fn has_banned_word(text: &str) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    banned_words().any(|banned| words.iter().any(|w| w == banned))
}

/// `<` followed by a letter, `/` or `!`: a tag (`<script>`, `</b>`, `<!--`). Stored as
/// text and never rendered by the shop, but a person looks before it shows.
fn has_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!'))
}

fn is_shouting(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 20
        && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 7
}

/// The rules `text` trips, in a fixed order; empty when it is clean. `min_body` is the
/// shortest useful body (a seller rating's optional comment has none).
pub fn held_for(title: Option<&str>, body: Option<&str>, min_body: usize) -> Vec<&'static str> {
    let all: String = [title.unwrap_or(""), body.unwrap_or("")].join("\n");
    let mut reasons = Vec::new();
    if has_link(&all) {
        reasons.push(LINK);
    }
    if has_repeated_run(&all) {
        reasons.push(REPEATED);
    }
    if has_banned_word(&all) {
        reasons.push(BANNED);
    }
    if has_markup(&all) {
        reasons.push(MARKUP);
    }
    if is_shouting(&all) {
        reasons.push(SHOUTING);
    }
    if body.map_or(0, |b| b.chars().count()) < min_body {
        reasons.push(TOO_SHORT);
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(body: &str) -> Vec<&'static str> {
        held_for(Some("Good shoes"), Some(body), MIN_USEFUL_BODY)
    }

    #[test]
    fn a_clean_review_passes() {
        assert!(
            review("Comfortable from the first day; the sole grips well on wet rock.").is_empty()
        );
        assert!(review(
            "Size runs small: order one up. Worth it at 49.99 (about 3.5 stars for me)"
        )
        .is_empty());
    }

    #[test]
    fn links_in_any_spelling_are_held() {
        for body in [
            "Buy cheaper at https://example.net/shoes today",
            "see www.cheap-shoes.example for a better deal",
            "Great deal, more at cheapshoes.com, really great",
        ] {
            assert_eq!(review(body), [LINK], "{body}");
        }
    }

    #[test]
    fn repeats_banned_words_markup_and_capitals_are_held() {
        assert_eq!(
            review("Sooooooo good, I love these shoes a lot"),
            [REPEATED]
        );
        assert_eq!(review("These are a total scam, do not buy them"), [BANNED]);
        assert_eq!(
            review("<script>alert(1)</script> nice shoes indeed"),
            [MARKUP]
        );
        assert_eq!(
            review("WORST SHOES I HAVE EVER OWNED, FELL APART"),
            [SHOUTING]
        );
        assert_eq!(review("ok"), [TOO_SHORT]);
        // A comparison is not markup; a banned word inside another word is not the word.
        assert!(review("Fits when size < 42 and the arch is high, scampering about").is_empty());
    }

    #[test]
    fn a_seller_rating_without_a_comment_passes() {
        assert!(held_for(None, None, 0).is_empty());
        assert_eq!(held_for(None, Some("visit shop.xyz"), 0), [LINK]);
    }

    #[test]
    fn the_banned_list_is_read_from_its_file() {
        assert!(banned_words().count() >= 5);
        assert!(banned_words().all(|w| w == w.to_lowercase() && !w.contains(' ')));
    }
}
