//! The audit trail, for administrators: entries newest first with the same
//! filters and paging as the audit page (`/admin/audit`).

use axum::extract::State;

use super::dto::{AuditEntry, AuditList};
use super::{JsonBody, QueryPairs};
use crate::AppState;
use crate::access::{Can, ViewAudit};
use crate::error::ApiError;
use crate::input::audit_query;

#[utoipa::path(get, operation_id = "listAuditEntries", path = "/api/v1/audit", tag = "audit",
    description = "Audit entries, newest first: when, who, which record, the action, and each field from what to what. Filters combine; days are UK days (GMT, or BST in summer). Pages follow entry numbers: give `next_before` as `before` for older entries, `previous_after` as `after` for newer ones. Administrators only (`view-audit`).",
    params(
        ("entity_kind" = Option<String>, Query, description = "Entries about one kind of record"),
        ("entity_id" = Option<String>, Query, description = "Entries about one record, by its id as entries name it (`12`; a key influence: `1/3.1.1`); needs `entity_kind`"),
        ("actor_kind" = Option<String>, Query, description = "Entries made one way: an account (`user`), an API token, the command line, Waymark itself, or an anonymous visitor"),
        ("actor" = Option<String>, Query, description = "Entries whose actor's name (as shown then) or id contains this text; ASCII letters match in either case"),
        ("action" = Option<String>, Query, description = "Entries of one action"),
        ("from" = Option<String>, Query, description = "Entries from the start of this UK day, `YYYY-MM-DD`"),
        ("to" = Option<String>, Query, description = "Entries up to the end of this UK day, `YYYY-MM-DD`; not before `from`"),
        ("before" = Option<u64>, Query, description = "Entries numbered below this one (older); not with `after`"),
        ("after" = Option<u64>, Query, description = "The entries just above this number (newer), still listed newest first; not with `before`"),
        ("per_page" = Option<u32>, Query, description = "1 to 500, default 50"),
    ),
    responses((status = 200, body = AuditList), (status = 422, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn list(
    _can: Can<ViewAudit>,
    State(state): State<AppState>,
    QueryPairs(pairs): QueryPairs,
) -> Result<JsonBody<AuditList>, ApiError> {
    let query = audit_query(&pairs).map_err(ApiError::Validation)?;
    let asked = query.clone();
    let (head, fetched) = state
        .run(move |s| {
            Ok((
                s.audit_head()?,
                s.audit_entries(&asked.filter, asked.fetch_limit())?,
            ))
        })
        .await?;
    let page = query.page(fetched);
    let capacity = 512 + page.entries.len() * 1024;
    Ok(JsonBody(
        AuditList {
            items: page.entries.into_iter().map(AuditEntry::from).collect(),
            next_before: page.older,
            previous_after: page.newer.flatten(),
            head: head.into(),
        },
        capacity,
    ))
}
