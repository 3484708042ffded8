//! Server-rendered HTML pages, one module per page family. Every page works
//! without JavaScript; every POST form carries a CSRF token (see [`csrf`]).

mod assets;
mod audit;
mod csrf;
mod error;
mod form;
mod influences;
mod plans;
mod programmes;
mod related_items;
mod sections;
mod settings;
mod sso;
mod timeline;
mod view;
mod work_packages;

use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;
use crate::error::ApiError;

pub use error::HtmlError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(plans::index))
        .route("/plans/{id}", get(plans::overview))
        .route(
            "/plans/{id}/priorities",
            get(programmes::priorities).post(programmes::create),
        )
        .route(
            "/programmes/{id}/edit",
            get(programmes::edit_form).post(programmes::update),
        )
        .route(
            "/programmes/{id}/delete",
            get(programmes::delete_form).post(programmes::delete),
        )
        .route(
            "/plans/{id}/settings",
            get(settings::form).post(settings::save),
        )
        .route(
            "/plans/{id}/sections",
            get(sections::list).post(sections::create),
        )
        .route(
            "/sections/{id}/edit",
            get(sections::edit_form).post(sections::update),
        )
        .route("/sections/{id}/move", post(sections::move_section))
        .route(
            "/sections/{id}/delete",
            get(sections::delete_form).post(sections::delete),
        )
        .route("/auth/oidc/login", get(sso::login))
        .route("/auth/oidc/callback", get(sso::callback))
        .route("/plans/{id}/timeline", get(timeline::page))
        .route("/plans/{id}/influences", get(influences::register))
        .route(
            "/plans/{id}/influences/{code}",
            get(influences::show).post(influences::update),
        )
        .route(
            "/plans/{id}/influences/{code}/merge",
            get(influences::merge_form).post(influences::merge),
        )
        .route(
            "/plans/{id}/influences/{code}/delete",
            get(influences::delete_form).post(influences::delete),
        )
        .route("/plans/{id}/related-items", get(related_items::register))
        .route(
            "/related-items/{id}",
            get(related_items::show).post(related_items::update),
        )
        .route(
            "/related-items/{id}/merge",
            get(related_items::merge_form).post(related_items::merge),
        )
        .route(
            "/related-items/{id}/delete",
            get(related_items::delete_form).post(related_items::delete),
        )
        .route(
            "/plans/{id}/work-packages/new",
            get(work_packages::new_form).post(work_packages::create),
        )
        .route("/work-packages/{id}", get(work_packages::show))
        .route(
            "/work-packages/{id}/edit",
            get(work_packages::edit_form).post(work_packages::update),
        )
        .route(
            "/work-packages/{id}/delete",
            get(work_packages::delete_form).post(work_packages::delete),
        )
        .route(
            "/work-packages/{id}/dependencies",
            post(work_packages::add_dependency),
        )
        .route(
            "/work-packages/{id}/dependencies/{dependency}/delete",
            post(work_packages::remove_dependency),
        )
        .route("/admin/audit", get(audit::page))
        .route("/admin/audit/verify", get(audit::verify))
        .layer(axum::middleware::map_response(error::html_rejections))
        .layer(axum::middleware::from_fn_with_state(
            csrf::CsrfKey::random(),
            csrf::session,
        ))
        .route("/assets/waymark.css", get(assets::css))
        .route("/assets/waymark.js", get(assets::js))
        .fallback(not_found)
}

/// Unknown addresses: an HTML page, except under `/api/`, where clients expect
/// a problem document.
async fn not_found(uri: Uri) -> Response {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return ApiError::NotFound("This address".into()).into_response();
    }
    HtmlError::NotFound("This page".into()).into_response()
}
