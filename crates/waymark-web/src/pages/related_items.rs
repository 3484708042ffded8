//! The related-items register (strategies, plans, systems, ... the packages
//! relate to) and each item's packages: "what depends on the Corporate ICT
//! Strategy?".

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use waymark_core::RelatedKind;
use waymark_store::{PlanId, PlanStore, RelatedItemId};

use super::csrf::{CsrfForm, PostedForm};
use super::error::{HtmlError, render};
use super::form::{
    Again, Cx, Filled, Reread, confirm, ok_page, posted_version, submit, submit_at, with_plan,
};
use super::plans::{Banner, read_query};
use super::view::{Choice, Layout, PlanNav, Section, WpRow, count_of};
use crate::AppState;
use crate::access::{Can, EditPlan, Read};
use crate::error::FieldError;
use crate::input::{RelatedItemFields, RelatedItemMergeFields};

struct ItemView {
    id: i64,
    name: String,
    count_text: String,
    filter_href: String,
}

struct KindGroup {
    label: &'static str,
    anchor: &'static str,
    items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "related_items.html")]
struct RegisterPage {
    layout: Layout,
    kinds: Vec<Choice>,
    groups: Vec<KindGroup>,
    total: String,
    /// A wrong filter, shown in a summary and beside its field.
    errors: Vec<FieldError>,
}

impl RegisterPage {
    fn error(&self, field: &str) -> Option<&str> {
        crate::error::message_for(&self.errors, field)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct KindParams {
    kind: String,
}

pub async fn register(
    _can: Can<Read>,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    uri: Uri,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let (params, mut errors) = read_query::<KindParams>(&uri, &["kind"])?;
    let kind_text = params.kind;
    // A wrong kind is said beside the filter; every kind is listed meanwhile.
    let kind = match kind_text.trim() {
        "" => None,
        _ if !errors.is_empty() => None,
        s => s
            .parse::<RelatedKind>()
            .map_err(|e| {
                errors.push(FieldError::new(
                    "kind",
                    format!(
                        "The kind filter \"{s}\" is not valid: choose {}.",
                        e.expected
                    ),
                ));
            })
            .ok(),
    };
    let plan_id = PlanId(id);
    let (plan, items) = state
        .run(move |s| Ok((s.plan(plan_id)?, s.related_items(plan_id)?)))
        .await?;
    let shown = items
        .iter()
        .filter(|i| kind.is_none_or(|k| i.kind == k))
        .count() as u64;
    let groups = RelatedKind::ALL
        .iter()
        .filter(|k| kind.is_none_or(|want| want == **k))
        .map(|k| KindGroup {
            label: k.label(),
            anchor: k.as_str(),
            items: items
                .iter()
                .filter(|i| i.kind == *k)
                .map(|i| ItemView {
                    id: i.id.0,
                    name: i.name.clone(),
                    count_text: count_of(i.work_package_count, "work package", "work packages"),
                    filter_href: format!("/plans/{id}?related_item={}", i.id),
                })
                .collect(),
        })
        .filter(|g| !g.items.is_empty())
        .collect();
    let mut kinds = vec![Choice::new("", "All kinds", kind_text.trim())];
    kinds.extend(
        RelatedKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label(), kind_text.trim())),
    );
    let (heading, status) = if errors.is_empty() {
        ("Related items", StatusCode::OK)
    } else {
        ("Error: Related items", StatusCode::BAD_REQUEST)
    };
    let page = RegisterPage {
        layout: Layout::new(heading, Some(PlanNav::from(&plan)), Section::RelatedItems)
            .with_banner(flags.ok().and_then(|Query(b)| b.message())),
        kinds,
        groups,
        total: count_of(shown, "related item", "related items"),
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Template)]
#[template(path = "related_item.html")]
struct ItemPage {
    layout: Layout,
    csrf: String,
    id: i64,
    plan_id: i64,
    name: String,
    kind_label: &'static str,
    question: String,
    count_text: String,
    rows: Vec<WpRow>,
    kinds: Vec<Choice>,
    form: Filled<RelatedItemFields>,
}

/// The item's page; `typed`: its form as posted, else as stored.
async fn item_page(
    cx: Cx,
    id: i64,
    typed: Option<Filled<RelatedItemFields>>,
) -> Result<ItemPage, HtmlError> {
    let Cx { state, csrf } = cx;
    let item_id = RelatedItemId(id);
    let ((item, rows), plan) = with_plan(&state, move |s| {
        let (item, plan, rows) = s.related_item(item_id)?;
        Ok(((item, rows), plan))
    })
    .await?;
    let form =
        typed.unwrap_or_else(|| Filled::new(RelatedItemFields::from(&item)).at(item.version));
    Ok(ItemPage {
        layout: form.layout(
            &item.name,
            Some(PlanNav::from(&plan)),
            Section::RelatedItems,
        ),
        csrf,
        id,
        plan_id: plan.id.0,
        name: item.name.clone(),
        kind_label: item.kind.label(),
        question: format!("What depends on the {}?", item.name),
        count_text: count_of(
            item.work_package_count,
            "work package relates",
            "work packages relate",
        ),
        rows: rows.iter().map(WpRow::from).collect(),
        kinds: RelatedKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label(), form.value("kind")))
            .collect(),
        form,
    })
}

pub async fn show(
    _can: Can<Read>,
    Path(id): Path<i64>,
    cx: Cx,
    flags: Result<Query<Banner>, QueryRejection>,
) -> Result<Response, HtmlError> {
    let mut page = item_page(cx, id, None).await?;
    page.layout.banner = flags.ok().and_then(|Query(b)| b.message());
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let item_id = RelatedItemId(id);
    let write = move |s: &dyn PlanStore, to: (String, RelatedKind), expected| {
        let mut to = Some(to);
        s.change_related_item(item_id, expected, &mut |_| to.take(), &by)?;
        Ok(format!("/related-items/{id}?saved=1"))
    };
    let reread: Reread<RelatedItemFields> = Box::new(move |s| {
        let (item, _, _) = s.related_item(item_id)?;
        Ok((item.version, RelatedItemFields::from(&item)))
    });
    submit_at(cx, posted, write, reread, move |cx, form| {
        item_page(cx, id, Some(form))
    })
    .await
}

// ---------------------------------------------------------------- merge and delete

#[derive(Template)]
#[template(path = "related_item_merge.html")]
struct MergePage {
    layout: Layout,
    csrf: String,
    id: i64,
    name: String,
    count_text: String,
    choices: Vec<Choice>,
    form: Filled<RelatedItemMergeFields>,
}

async fn merge_page(
    cx: Cx,
    id: i64,
    form: Filled<RelatedItemMergeFields>,
) -> Result<MergePage, HtmlError> {
    let Cx { state, csrf } = cx;
    let item_id = RelatedItemId(id);
    let ((item, others), plan) = with_plan(&state, move |s| {
        let (item, plan, _) = s.related_item(item_id)?;
        Ok(((item, s.related_items(plan)?), plan))
    })
    .await?;
    let chosen = form.value("into");
    let mut choices = vec![Choice::new("", "Choose an item", chosen)];
    choices.extend(
        others
            .iter()
            .filter(|o| o.id != item.id)
            .map(|o| Choice::new(o.id.0.to_string(), o.name.clone(), chosen)),
    );
    Ok(MergePage {
        layout: form.layout(
            &format!("Merge {} into another related item", item.name),
            Some(PlanNav::from(&plan)),
            Section::RelatedItems,
        ),
        csrf,
        id,
        name: item.name.clone(),
        count_text: count_of(
            item.work_package_count,
            "work package relates",
            "work packages relate",
        ),
        choices,
        form,
    })
}

pub async fn merge_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    let form = Filled::new(RelatedItemMergeFields::default());
    ok_page(merge_page(cx, id, form)).await
}

/// Merge this item into the one chosen: every link moves, this item goes.
pub async fn merge(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    posted: PostedForm,
) -> Result<Response, HtmlError> {
    let write = move |s: &dyn PlanStore, into: RelatedItemId| {
        s.merge_related_item(RelatedItemId(id), into, &by)?;
        Ok(format!("/related-items/{into}?register=merged"))
    };
    submit(cx, posted, write, move |cx, form| merge_page(cx, id, form)).await
}

#[derive(Template)]
#[template(path = "related_item_delete.html")]
struct DeletePage {
    layout: Layout,
    csrf: String,
    id: i64,
    name: String,
    /// Why it cannot be deleted, while packages relate to it.
    refusal: Option<String>,
    /// The version the page shows, which the delete must still find.
    version: i64,
}

async fn delete_page(cx: Cx, id: i64, again: Option<Again>) -> Result<DeletePage, HtmlError> {
    let (refusal, changed) = match again {
        Some(Again::Refused(why)) => (Some(why), None),
        Some(Again::Changed(notice)) => (None, Some(notice)),
        None => (None, None),
    };
    let Cx { state, csrf } = cx;
    let item_id = RelatedItemId(id);
    let (item, plan) = with_plan(&state, move |s| {
        let (item, plan, _) = s.related_item(item_id)?;
        Ok((item, plan))
    })
    .await?;
    let refusal = refusal.or_else(|| {
        (item.work_package_count > 0).then(|| {
            format!(
                "{} to it. Merge it into another related item instead.",
                count_of(
                    item.work_package_count,
                    "work package relates",
                    "work packages relate",
                )
            )
        })
    });
    let heading = if refusal.is_some() {
        format!("You cannot delete {} yet", item.name)
    } else {
        format!("Delete {}", item.name)
    };
    let mut layout = Layout::new(&heading, Some(PlanNav::from(&plan)), Section::RelatedItems);
    layout.notice = changed;
    Ok(DeletePage {
        layout,
        csrf,
        id,
        name: item.name.clone(),
        refusal,
        version: item.version.0,
    })
}

pub async fn delete_form(
    _can: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
) -> Result<Response, HtmlError> {
    ok_page(delete_page(cx, id, None)).await
}

pub async fn delete(
    Can { by, .. }: Can<EditPlan>,
    Path(id): Path<i64>,
    cx: Cx,
    form: CsrfForm,
) -> Result<Response, HtmlError> {
    let item_id = RelatedItemId(id);
    let expected = posted_version(&form);
    let write = move |s: &dyn PlanStore| {
        let (_, plan, _) = s.related_item(item_id)?;
        s.delete_related_item(item_id, expected, &by)?;
        Ok(format!("/plans/{plan}/related-items?register=item-deleted"))
    };
    confirm(cx, write, move |cx, why| delete_page(cx, id, Some(why))).await
}
