//! The stylesheet and the little script, compiled into the binary.

use axum::http::header;
use axum::response::IntoResponse;

const CSS: &str = include_str!("../../assets/waymark.css");
const JS: &str = include_str!("../../assets/waymark.js");
/// Assets change only with a new build; an hour keeps pages fast without
/// leaving a stale stylesheet for long after an upgrade.
const CACHE: &str = "public, max-age=3600";

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        CSS,
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        JS,
    )
}
