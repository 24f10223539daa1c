use super::*;
use crate::domain::ids::ProductId;

fn stars(n: i64) -> Stars {
    Stars::parse(n).unwrap()
}

fn content(n: i64) -> Content {
    Content {
        stars: stars(n),
        title: Some("Good".into()),
        body: Some("Comfortable from the first day.".into()),
    }
}

fn review(n: i64) -> Review {
    let product = ProductId::parse("p-1").unwrap();
    let author = UserId::parse("sub-1").unwrap();
    Review::submitted(
        ReviewId::of_product(&product, &author),
        author,
        "Ada".into(),
        content(n),
        "2026-12-07T10:00:00Z",
    )
}

fn fields(err: ShopError) -> Vec<String> {
    match err {
        ShopError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn ratings_are_one_to_five_whole_stars() {
    for ok in 1..=5 {
        assert_eq!(Stars::parse(ok).unwrap().get() as i64, ok);
    }
    for bad in [0, 6, -1, 256] {
        assert!(Stars::parse(bad).is_err(), "{bad}");
    }
    assert!(serde_json::from_str::<Stars>("0").is_err());
}

#[test]
fn a_review_needs_a_title_and_a_body_within_their_limits() {
    let input = |v: serde_json::Value| serde_json::from_value::<ReviewInput>(v).unwrap().parse();
    let ok =
        input(serde_json::json!({"rating": 4, "title": " Good ", "body": "Line one\nline two"}))
            .unwrap();
    assert_eq!(ok.title.as_deref(), Some("Good"));
    assert_eq!(ok.body.as_deref(), Some("Line one\nline two"));
    let err =
        input(serde_json::json!({"rating": 6, "title": "", "body": "x".repeat(MAX_BODY + 1)}))
            .unwrap_err();
    assert_eq!(fields(err), ["rating", "title", "body"]);
    let err =
        input(serde_json::json!({"rating": 0, "title": "a\u{0}b", "body": "ok"})).unwrap_err();
    assert_eq!(fields(err), ["rating", "title"]);
    // Markup is text: stored as sent.
    let html = input(
        serde_json::json!({"rating": 1, "title": "<b>x</b>", "body": "<script>alert(1)</script>"}),
    )
    .unwrap();
    assert_eq!(html.body.as_deref(), Some("<script>alert(1)</script>"));
}

#[test]
fn a_seller_rating_takes_an_optional_comment() {
    let input = |v: serde_json::Value| {
        serde_json::from_value::<SellerRatingInput>(v)
            .unwrap()
            .parse()
    };
    assert_eq!(input(serde_json::json!({"rating": 5})).unwrap().body, None);
    assert_eq!(
        input(serde_json::json!({"rating": 5, "comment": "  "}))
            .unwrap()
            .body,
        None
    );
    assert_eq!(
        fields(
            input(serde_json::json!({"rating": 0, "comment": "x".repeat(MAX_COMMENT + 1)}))
                .unwrap_err()
        ),
        ["rating", "comment"]
    );
}

#[test]
fn review_ids_name_their_subject_and_round_trip() {
    let product = ProductId::parse("shoe.v2").unwrap();
    let author = UserId::parse("sub-1").unwrap();
    let id = ReviewId::of_product(&product, &author);
    let text = id.to_string();
    assert!(
        text.starts_with("shoe.v2.u") && text.len() == "shoe.v2.".len() + 21,
        "{text}"
    );
    assert_eq!(ReviewId::parse(&text).unwrap(), id);
    assert_eq!(id.subject(), Subject::Product(product.clone()));
    assert_ne!(
        ReviewId::of_product(&product, &UserId::parse("sub-2").unwrap()),
        id
    );
    assert!(!text.contains("sub-1"), "the account id must not show");

    let shipment = "0193a8c2-0000-7000-8000-000000000001.s0123456789abcdef0123";
    let rating = ReviewId::parse(shipment).unwrap();
    assert!(matches!(&rating, ReviewId::Seller(_)));
    assert_eq!(rating.to_string(), shipment);
    for bad in [
        "",
        "p-1",
        "p-1.u123",
        "p-1.UABCDEF0123456789ABCD",
        "p#1.u0123456789abcdef0123",
    ] {
        assert!(ReviewId::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn approval_counts_the_stars_once_and_rejection_takes_them_back() {
    let pending = review(4);
    assert_eq!(pending.status, ReviewStatus::Pending);
    let approved = pending.approved("admin-1", "t1").unwrap();
    assert_eq!(approved.review.counted, Some(stars(4)));
    assert_eq!(approved.delta.count, 1);
    assert_eq!(approved.delta.total_stars, 4);
    assert_eq!(approved.delta.per_star, [0, 0, 0, 1, 0]);
    assert_eq!(approved.review.rev, pending.rev + 1);
    assert!(matches!(
        approved.review.approved("a", "t"),
        Err(ShopError::Conflict(_))
    ));

    let rejected = approved
        .review
        .rejected("admin-1", "off-topic".into(), "t2")
        .unwrap();
    assert_eq!(rejected.delta, RatingDelta::between(Some(stars(4)), None));
    assert_eq!(rejected.delta.count, -1);
    assert_eq!(
        rejected.review.decision.as_ref().unwrap().reason.as_deref(),
        Some("off-topic")
    );
    // Rejecting a pending review moves nothing.
    assert!(pending
        .rejected("a", "x".into(), "t")
        .unwrap()
        .delta
        .is_zero());
    // A rejected review approved later counts again.
    assert_eq!(rejected.review.approved("a", "t3").unwrap().delta.count, 1);
}

#[test]
fn an_edit_leaves_the_summary_until_approved_again() {
    let approved = review(5).approved("automatic", "t1").unwrap().review;
    let edit = approved.edited(content(2), "t2");
    assert_eq!(edit.review.status, ReviewStatus::Pending);
    assert_eq!(edit.review.counted, None);
    assert_eq!(edit.delta.per_star, [0, 0, 0, 0, -1]);
    assert_eq!(edit.review.decision, None);
    let again = edit.review.approved("automatic", "t3").unwrap();
    assert_eq!(again.delta.per_star, [0, 1, 0, 0, 0]);
    // Over the whole path the summary holds exactly the latest approved stars.
    let total = [edit.delta, again.delta]
        .iter()
        .fold(RatingDelta::default(), |mut acc, d| {
            acc.count += d.count;
            acc.total_stars += d.total_stars;
            acc
        });
    assert_eq!((total.count, total.total_stars), (0, -3));
}

#[test]
fn the_automatic_pass_approves_clean_reviews_and_holds_the_rest() {
    let pending = review(3);
    let clean = pending.auto_moderated(&[], "t1").unwrap();
    assert_eq!(clean.review.status, ReviewStatus::Approved);
    assert_eq!(clean.review.decision.as_ref().unwrap().by, "automatic");
    let held = pending.auto_moderated(&[moderation::LINK], "t1").unwrap();
    assert_eq!(held.review.status, ReviewStatus::Pending);
    assert_eq!(held.review.held_for, [moderation::LINK]);
    assert!(held.delta.is_zero());
    assert!(
        clean.review.auto_moderated(&[], "t2").is_err(),
        "only a pending review is moderated"
    );
    assert_eq!(clean.review.deletion().count, -1);
    assert!(pending.deletion().is_zero());
}

#[test]
fn views_hide_the_author_and_show_state_only_to_the_owner() {
    let r = review(4);
    let public = serde_json::to_value(r.public_view()).unwrap();
    assert!(public.get("status").is_none() && public.get("author").is_none());
    assert_eq!(public["authorName"], "Ada");
    let own = serde_json::to_value(r.owner_view()).unwrap();
    assert_eq!(own["status"], "pending");
}

#[test]
fn listing_parameters_are_checked() {
    assert_eq!(ReviewSort::parse(None).unwrap(), ReviewSort::Newest);
    assert_eq!(
        ReviewSort::parse(Some("helpful")).unwrap(),
        ReviewSort::Helpful
    );
    assert!(ReviewSort::parse(Some("best")).is_err());
    assert_eq!(parse_rating_filter(Some("5")).unwrap(), Some(stars(5)));
    assert!(parse_rating_filter(Some("0")).is_err());
    assert!(parse_rating_filter(Some("four")).is_err());
    assert!(helpful_sort_key(12) < helpful_sort_key(100));
}

#[test]
fn authors_show_by_first_name_and_initial_and_moderators_stay_anonymous() {
    assert_eq!(display_name(Some("Ada King Lovelace")), "Ada L.");
    assert_eq!(display_name(Some("  Ada ")), "Ada");
    assert_eq!(display_name(None), "Customer");
    let rejected = review(2)
        .rejected("admin-sub-123", "spam".into(), "t")
        .unwrap()
        .review;
    let own = serde_json::to_value(rejected.owner_view()).unwrap();
    assert_eq!(own["decision"]["by"], "moderator");
    assert!(!own.to_string().contains("admin-sub-123"));
}
