//! Reviews, seller ratings and helpful votes. Every change of a review is one
//! transaction: the review's write, conditional on the revision it was decided on, and
//! the subject's rating summary moved by server-side arithmetic
//! (`rating.#count = rating.#count + :count`, never a value computed from a read), with
//! the subject's `version` raised so a concurrent whole-item write of the product or the
//! seller account (conditional on the version it read) cannot undo it, and so the search
//! index takes the product's new state.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};

use super::cursor::{Equals, Index, Page};
use super::keys;
use super::{build, from_item, key, n, s, to_item, tx, Item, Read, Store, TxOutcome};
use crate::domain::error::ShopError;
use crate::domain::reviews::{
    helpful_sort_key, RatingDelta, Review, ReviewId, ReviewSort, ReviewStatus, Stars, Subject,
};

/// What became of a conditional review write.
#[derive(Debug, PartialEq, Eq)]
pub enum ReviewWrite {
    Written,
    /// The review changed since it was read (or exists already, for a new one): read again.
    Moved,
    /// The subject (product or seller account) is gone.
    SubjectGone,
}

/// What became of a helpful vote.
#[derive(Debug, PartialEq, Eq)]
pub enum VoteWrite {
    Counted,
    AlreadyVoted,
    Moved,
}

fn review_key(id: &ReviewId) -> Item {
    key(keys::reviews_pk(&id.subject()), keys::review_sk(id))
}

/// The review as stored, with its index keys for its status: approved reviews in their
/// subject's three listings, the others in the moderation queue of their status.
fn review_item(review: &Review) -> Result<Item, ShopError> {
    let id = &review.id;
    let subject = keys::reviews_pk(&id.subject());
    let mut item = to_item(review, subject.clone(), keys::review_sk(id), "review")?;
    // Top-level copy of the stars, for a listing's `rating=` filter.
    item.insert("stars".into(), n(review.content.stars.get()));
    let mut index = |pk: &str, sk: &str, value_pk: String, value_sk: String| {
        item.insert(pk.into(), s(value_pk));
        item.insert(sk.into(), s(value_sk));
    };
    match review.status {
        ReviewStatus::Approved => {
            index(
                keys::GSI1PK,
                keys::GSI1SK,
                subject.clone(),
                keys::review_time_sk(&review.created_at, id),
            );
            index(
                keys::GSI2PK,
                keys::GSI2SK,
                subject.clone(),
                keys::review_helpful_sk(&helpful_sort_key(review.helpful), &review.created_at, id),
            );
            index(
                keys::GSI3PK,
                keys::GSI3SK,
                subject,
                keys::review_rating_sk(review.content.stars.get(), &review.created_at, id),
            );
        }
        other => index(
            keys::GSI1PK,
            keys::GSI1SK,
            keys::reviews_by_status_pk(other),
            keys::review_time_sk(&review.updated_at, id),
        ),
    }
    Ok(item)
}

fn outcome(written: TxOutcome, subject_at: Option<usize>) -> ReviewWrite {
    match written {
        TxOutcome::Written => ReviewWrite::Written,
        TxOutcome::Cancelled(c) if subject_at.is_some_and(|i| c.failed(i)) => {
            ReviewWrite::SubjectGone
        }
        TxOutcome::Cancelled(_) => ReviewWrite::Moved,
    }
}

impl Store {
    pub async fn get_review(&self, id: &ReviewId) -> Result<Option<Review>, ShopError> {
        self.read(review_key(id), Read::Consistent).await
    }

    /// The subject's rating summary moved by `delta`, its version raised; refused if the
    /// subject is gone.
    fn summary_update(
        &self,
        subject: &Subject,
        delta: &RatingDelta,
    ) -> Result<TransactWriteItem, ShopError> {
        let (pk, sk) = match subject {
            Subject::Product(id) => (keys::product_pk(id), keys::PRODUCT_SK.to_owned()),
            Subject::Seller(id) => (
                keys::seller_account_pk(id),
                keys::SELLER_ACCOUNT_SK.to_owned(),
            ),
        };
        let mut values: HashMap<String, AttributeValue> = HashMap::from([
            (":count".into(), n(delta.count)),
            (":total".into(), n(delta.total_stars)),
            (":zero".into(), n(0)),
            (":one".into(), n(1)),
        ]);
        let mut sets = vec![
            "rating.#count = if_not_exists(rating.#count, :zero) + :count".to_owned(),
            "rating.totalStars = if_not_exists(rating.totalStars, :zero) + :total".to_owned(),
            "version = version + :one".to_owned(),
        ];
        for (i, d) in delta.per_star.iter().enumerate().filter(|(_, d)| **d != 0) {
            let star = i + 1;
            values.insert(format!(":s{star}"), n(*d));
            sets.push(format!(
                "rating.stars{star} = if_not_exists(rating.stars{star}, :zero) + :s{star}"
            ));
        }
        Ok(tx(build(
            Update::builder()
                .table_name(self.table())
                .set_key(Some(key(pk, sk)))
                .update_expression(format!("SET {}", sets.join(", ")))
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_names("#count", "count")
                .set_expression_attribute_values(Some(values))
                .build(),
        )?))
    }

    /// Stores a new review with its author's marker (`USER#<sub>` / `REVIEWED#<id>`, so an
    /// account's reviews are found when it is deleted). `Moved` when one exists already.
    pub async fn create_review(&self, review: &Review) -> Result<ReviewWrite, ShopError> {
        let marker = to_item(
            &serde_json::json!({ "reviewId": review.id.to_string() }),
            keys::user_pk(&review.author),
            keys::user_review_sk(&review.id),
            "reviewMarker",
        )?;
        let actions = vec![self.put_new(review_item(review)?)?, self.put_new(marker)?];
        Ok(outcome(self.try_transact(actions).await?, None))
    }

    /// Writes `next` over the review at revision `read_rev`, and moves the subject's
    /// summary by `delta`, in one transaction.
    pub async fn write_review(
        &self,
        read_rev: u64,
        next: &Review,
        delta: &RatingDelta,
    ) -> Result<ReviewWrite, ShopError> {
        let put = tx(build(
            Put::builder()
                .table_name(self.table())
                .set_item(Some(review_item(next)?))
                .condition_expression("rev = :rev")
                .expression_attribute_values(":rev", n(read_rev))
                .build(),
        )?);
        let mut actions = vec![put];
        if !delta.is_zero() {
            actions.push(self.summary_update(&next.id.subject(), delta)?);
        }
        let subject_at = (!delta.is_zero()).then_some(1);
        Ok(outcome(self.try_transact(actions).await?, subject_at))
    }

    /// Deletes the review at revision `review.rev` with its author's marker, taking what
    /// it counted out of the summary (a gone subject has no summary to correct).
    pub async fn delete_review(
        &self,
        review: &Review,
        subject_exists: bool,
    ) -> Result<ReviewWrite, ShopError> {
        let delete = tx(build(
            Delete::builder()
                .table_name(self.table())
                .set_key(Some(review_key(&review.id)))
                .condition_expression("rev = :rev")
                .expression_attribute_values(":rev", n(review.rev))
                .build(),
        )?);
        let marker = tx(build(
            Delete::builder()
                .table_name(self.table())
                .set_key(Some(key(
                    keys::user_pk(&review.author),
                    keys::user_review_sk(&review.id),
                )))
                .build(),
        )?);
        let mut actions = vec![delete, marker];
        let delta = review.deletion();
        if subject_exists && !delta.is_zero() {
            actions.push(self.summary_update(&review.id.subject(), &delta)?);
        }
        let subject_at = (subject_exists && !delta.is_zero()).then_some(2);
        Ok(outcome(self.try_transact(actions).await?, subject_at))
    }

    /// One helpful vote by `voter` (a one-way key of the account): the vote's item, new,
    /// and the review's count and helpful-order key, at the revision read, together.
    pub async fn vote_helpful(&self, review: &Review, voter: &str) -> Result<VoteWrite, ShopError> {
        let id = &review.id;
        let subject = keys::reviews_pk(&id.subject());
        let vote = to_item(
            &serde_json::json!({ "reviewId": id.to_string() }),
            subject.clone(),
            keys::vote_sk(id, voter),
            "helpfulVote",
        )?;
        let helpful = review.helpful + 1;
        let update = tx(build(
            Update::builder()
                .table_name(self.table())
                .set_key(Some(review_key(id)))
                .update_expression("SET helpful = :helpful, GSI2SK = :sk, rev = :next")
                .condition_expression("rev = :rev AND #status = :approved")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":helpful", n(helpful))
                .expression_attribute_values(
                    ":sk",
                    s(keys::review_helpful_sk(
                        &helpful_sort_key(helpful),
                        &review.created_at,
                        id,
                    )),
                )
                .expression_attribute_values(":next", n(review.rev + 1))
                .expression_attribute_values(":rev", n(review.rev))
                .expression_attribute_values(":approved", s(ReviewStatus::Approved.as_str()))
                .build(),
        )?);
        match self.try_transact(vec![self.put_new(vote)?, update]).await? {
            TxOutcome::Written => Ok(VoteWrite::Counted),
            TxOutcome::Cancelled(c) if c.failed(0) => Ok(VoteWrite::AlreadyVoted),
            TxOutcome::Cancelled(_) => Ok(VoteWrite::Moved),
        }
    }

    /// A subject's approved reviews, a page at a time, in `sort` order; only those with
    /// `stars` when given.
    pub async fn approved_reviews(
        &self,
        subject: &Subject,
        sort: ReviewSort,
        stars: Option<Stars>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Review>, ShopError> {
        let partition = keys::reviews_pk(subject);
        let star_prefix = stars.map(|s| format!("{}#", s.get()));
        let page = match (sort, &star_prefix) {
            // By stars, or one star count in either time order: the rating index's prefix.
            (ReviewSort::Rating | ReviewSort::Newest, Some(prefix)) => {
                self.index_page(
                    Index::Gsi3,
                    partition,
                    Some(prefix),
                    false,
                    limit,
                    cursor,
                    None,
                )
                .await?
            }
            (ReviewSort::Rating, None) => {
                self.index_page(Index::Gsi3, partition, None, false, limit, cursor, None)
                    .await?
            }
            (ReviewSort::Newest, None) => {
                self.index_page(Index::Gsi1, partition, None, false, limit, cursor, None)
                    .await?
            }
            (ReviewSort::Helpful, _) => {
                let filter = stars.map(|s| Equals::number("stars", u64::from(s.get())));
                self.index_page(Index::Gsi2, partition, None, false, limit, cursor, filter)
                    .await?
            }
        };
        page.map(from_item)
    }

    /// Reviews in `status` (pending or rejected), oldest change first: the moderators' queue.
    pub async fn reviews_in_status(
        &self,
        status: ReviewStatus,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Review>, ShopError> {
        self.index_page(
            Index::Gsi1,
            keys::reviews_by_status_pk(status),
            None,
            true,
            limit,
            cursor,
            None,
        )
        .await?
        .map(from_item)
    }

    /// The ids of the reviews `user` wrote (their markers).
    pub async fn reviews_by(
        &self,
        user: &crate::domain::ids::UserId,
    ) -> Result<Vec<ReviewId>, ShopError> {
        let items = self
            .query_prefix(keys::user_pk(user), keys::REVIEWED_PREFIX, true)
            .await?;
        items
            .into_iter()
            .map(|item| {
                let raw = item
                    .get("reviewId")
                    .and_then(|v| v.as_s().ok())
                    .ok_or_else(|| ShopError::internal("a review marker without its id"))?;
                ReviewId::parse(raw).map_err(|e| ShopError::internal(e.message))
            })
            .collect()
    }
}
