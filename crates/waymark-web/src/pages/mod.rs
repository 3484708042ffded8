//! Server-rendered HTML pages, one module per page family. Every page works
//! without JavaScript; every POST form carries a CSRF token (see [`csrf`]).

mod account;
mod assets;
mod audit;
mod auth;
mod baselines;
mod csrf;
mod dashboard;
mod decisions;
mod error;
mod form;
mod import;
mod import_drafts;
mod influences;
mod lifecycle;
mod plan_update;
mod plans;
mod programmes;
pub(crate) mod progress;
mod raid;
mod ranking;
mod related_items;
mod sections;
mod settings;
mod sso;
mod timeline;
mod users;
mod view;
mod work_packages;

use axum::handler::Handler;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::{AppState, Routes};

pub use csrf::CsrfKey;
pub use error::HtmlError;
pub(crate) use import_drafts::Drafts as ImportDrafts;
pub use view::encode;

pub(crate) fn routes(state: &AppState) -> Routes {
    Routes::default()
        .get("/", plans::index)
        .get("/sign-in", auth::sign_in_page)
        .post("/sign-in", auth::sign_in)
        .post("/sign-out", auth::sign_out)
        .get("/account", account::account)
        .get("/account/password", account::password_form)
        .post("/account/password", account::change_password)
        .post("/account/tokens", account::create_token)
        .post("/account/tokens/{id}/revoke", account::revoke_token)
        .get("/admin/users", users::list)
        .post("/admin/users", users::create)
        .get("/admin/users/{id}", users::show)
        .post("/admin/users/{id}", users::update)
        .post("/admin/users/{id}/disable", users::disable)
        .post("/admin/users/{id}/enable", users::enable)
        .post("/admin/users/{id}/reset-password", users::reset_password)
        .post("/admin/tokens/{id}/revoke", users::revoke_token)
        .get("/plans/import", import::form)
        .post(
            "/plans/import",
            import::upload.layer(axum::extract::DefaultBodyLimit::max(import::BODY_LIMIT)),
        )
        .post("/plans/import/preview", import::preview)
        .get("/plans/{id}/update", plan_update::form)
        .post(
            "/plans/{id}/update",
            plan_update::upload.layer(axum::extract::DefaultBodyLimit::max(import::BODY_LIMIT)),
        )
        .post("/plans/{id}/update/preview", plan_update::preview)
        .get("/plans/{id}/baselines", baselines::list)
        .post("/plans/{id}/baselines", baselines::take)
        .get("/plans/{id}/baselines/{baseline_id}", baselines::comparison)
        .get("/plans/{id}/approve", lifecycle::approve_plan_form)
        .post("/plans/{id}/approve", lifecycle::approve_plan)
        .get("/plans/{id}/supersede", lifecycle::supersede_plan_form)
        .post("/plans/{id}/supersede", lifecycle::supersede_plan)
        .get(
            "/work-packages/{id}/approve",
            lifecycle::approve_package_form,
        )
        .post("/work-packages/{id}/approve", lifecycle::approve_package)
        .get("/work-packages/{id}/reject", lifecycle::reject_package_form)
        .post("/work-packages/{id}/reject", lifecycle::reject_package)
        .get("/plans/{id}", plans::overview)
        .get("/plans/{id}/priorities", programmes::priorities)
        .post("/plans/{id}/priorities", programmes::create)
        .get("/programmes/{id}/edit", programmes::edit_form)
        .post("/programmes/{id}/edit", programmes::update)
        .get("/programmes/{id}/delete", programmes::delete_form)
        .post("/programmes/{id}/delete", programmes::delete)
        .get("/plans/{id}/ranking", ranking::ranking)
        .get("/plans/{id}/criteria", ranking::criteria)
        .get("/plans/{id}/criteria/new", ranking::new_criterion)
        .post("/plans/{id}/criteria/new", ranking::create_criterion)
        .get("/criteria/{id}/edit", ranking::edit_criterion)
        .post("/criteria/{id}/edit", ranking::update_criterion)
        .get("/criteria/{id}/delete", ranking::delete_criterion_form)
        .post("/criteria/{id}/delete", ranking::delete_criterion)
        .get("/work-packages/{id}/scores", ranking::package_scores)
        .post("/work-packages/{id}/scores", ranking::save_package_scores)
        .get("/programmes/{id}/scores", ranking::programme_scores)
        .post("/programmes/{id}/scores", ranking::save_programme_scores)
        .get("/plans/{id}/settings", settings::form)
        .post("/plans/{id}/settings", settings::save)
        .get("/plans/{id}/sections", sections::list)
        .post("/plans/{id}/sections", sections::create)
        .get("/sections/{id}/edit", sections::edit_form)
        .post("/sections/{id}/edit", sections::update)
        .post("/sections/{id}/move", sections::move_section)
        .get("/sections/{id}/delete", sections::delete_form)
        .post("/sections/{id}/delete", sections::delete)
        .get("/auth/oidc/login", sso::login)
        .get("/auth/oidc/callback", sso::callback)
        .get("/plans/{id}/timeline", timeline::page)
        .get("/plans/{id}/influences", influences::register)
        .get("/plans/{id}/influences/{code}", influences::show)
        .post("/plans/{id}/influences/{code}", influences::update)
        .get(
            "/plans/{id}/influences/{code}/merge",
            influences::merge_form,
        )
        .post("/plans/{id}/influences/{code}/merge", influences::merge)
        .get(
            "/plans/{id}/influences/{code}/delete",
            influences::delete_form,
        )
        .post("/plans/{id}/influences/{code}/delete", influences::delete)
        .get("/plans/{id}/related-items", related_items::register)
        .get("/related-items/{id}", related_items::show)
        .post("/related-items/{id}", related_items::update)
        .get("/related-items/{id}/merge", related_items::merge_form)
        .post("/related-items/{id}/merge", related_items::merge)
        .get("/related-items/{id}/delete", related_items::delete_form)
        .post("/related-items/{id}/delete", related_items::delete)
        .get("/plans/{id}/work-packages/new", work_packages::new_form)
        .post("/plans/{id}/work-packages/new", work_packages::create)
        .get("/work-packages/{id}", work_packages::show)
        .get("/work-packages/{id}/edit", work_packages::edit_form)
        .post("/work-packages/{id}/edit", work_packages::update)
        .get("/work-packages/{id}/delete", work_packages::delete_form)
        .post("/work-packages/{id}/delete", work_packages::delete)
        .post(
            "/work-packages/{id}/dependencies",
            work_packages::add_dependency,
        )
        .post(
            "/work-packages/{id}/dependencies/{dependency}/delete",
            work_packages::remove_dependency,
        )
        .get("/work-packages/{id}/progress-notes/new", progress::new_form)
        .post("/work-packages/{id}/progress-notes/new", progress::create)
        .get("/plans/{id}/reports/progress", progress::report)
        .get("/plans/{id}/decisions", decisions::log)
        .get("/plans/{id}/decisions/new", decisions::new_form)
        .post("/plans/{id}/decisions/new", decisions::create)
        .get("/decisions/{id}/edit", decisions::edit_form)
        .post("/decisions/{id}/edit", decisions::update)
        .get("/decisions/{id}/delete", decisions::delete_form)
        .post("/decisions/{id}/delete", decisions::delete)
        .get("/plans/{id}/raid", raid::log)
        .get("/plans/{id}/raid/new", raid::new_form)
        .post("/plans/{id}/raid/new", raid::create)
        .get("/raid/{id}/edit", raid::edit_form)
        .post("/raid/{id}/edit", raid::update)
        .get("/raid/{id}/delete", raid::delete_form)
        .post("/raid/{id}/delete", raid::delete)
        .get("/admin/audit", audit::page)
        .get("/admin/audit/verify", audit::verify)
        .map(|r| {
            r.layer(axum::middleware::map_response(error::html_rejections))
                .layer(axum::middleware::from_fn_with_state(
                    (state.csrf_key.clone(), state.access.secure_cookies),
                    csrf::session,
                ))
        })
        .get("/assets/waymark.css", assets::css)
        .get("/assets/waymark.js", assets::js)
        .map(|r| r.fallback(not_found))
}

/// Unknown addresses: an HTML page, except under `/api/`, where clients expect
/// a problem document.
async fn not_found(uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return ApiError::NotFound("This address".into()).into_response();
    }
    HtmlError::NotFound("This page".into()).into_response()
}
