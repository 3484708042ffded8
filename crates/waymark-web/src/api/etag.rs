//! No lost updates over HTTP: a record's version is its `ETag` (strong, the
//! number in quotes: `"12"`), sent on every read of one record and with every
//! change's answer. A `PATCH` or `DELETE` must send it back in `If-Match`:
//! without it the answer is 428, and when the record has changed since (the
//! store checks inside the write's transaction) it is 412 with the version
//! now, in the problem body (`current_version`) and the `ETag` header.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::{self, HeaderValue};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use waymark_store::Version;

use crate::error::ApiError;

/// What `If-Match` may hold, as the OpenAPI document says it: `*` or one
/// strong entity tag of this server's (a number in quotes).
pub const IF_MATCH_PATTERN: &str = "^(\\*|\"[0-9]{1,18}\")$";

/// A version as an entity tag: `"12"`.
pub fn etag(version: Version) -> HeaderValue {
    // Digits and quotes only: always a valid header value.
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The version a `PATCH` or `DELETE` expects, from `If-Match`: `Some` for an
/// entity tag, `None` for `*` (whatever the version: the client chooses to
/// overwrite). A request without the header is refused (428) before anything
/// else is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub Option<Version>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut values = parts.headers.get_all(header::IF_MATCH).iter();
        let (Some(value), None) = (values.next(), values.next()) else {
            return Err(if parts.headers.contains_key(header::IF_MATCH) {
                bad_if_match()
            } else {
                ApiError::PreconditionRequired
            });
        };
        parse_if_match(value.to_str().map_err(|_| bad_if_match())?)
            .map(IfMatch)
            .ok_or_else(bad_if_match)
    }
}

/// `*` (any version), or one strong entity tag holding a version.
fn parse_if_match(value: &str) -> Option<Option<Version>> {
    let value = value.trim();
    if value == "*" {
        return Some(None);
    }
    let digits = value.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(|v| Some(Version(v)))
}

fn bad_if_match() -> ApiError {
    ApiError::BadRequest(
        "If-Match must be the ETag of the version you read, such as \"12\" (with the quotes), or *"
            .into(),
    )
}

/// An answer about one record, with its version as the `ETag`.
pub struct Tagged<T>(pub Version, pub T);

impl<T: IntoResponse> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        res.headers_mut().insert(header::ETAG, etag(self.0));
        res
    }
}

/// A record just made: 201 with its address (`Location`), its version as
/// the `ETag`, and the record itself.
pub fn created(version: Version, location: String, body: impl IntoResponse) -> Response {
    Tagged(
        version,
        (StatusCode::CREATED, [(header::LOCATION, location)], body),
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_a_tag_or_a_star() {
        assert_eq!(parse_if_match("\"12\""), Some(Some(Version(12))));
        assert_eq!(parse_if_match(" \"1\" "), Some(Some(Version(1))));
        assert_eq!(parse_if_match("*"), Some(None));
        for bad in [
            "12",
            "W/\"12\"",
            "\"\"",
            "\"12\", \"13\"",
            "\"1x\"",
            "\"-1\"",
            "",
            "\"9999999999999999999\"",
        ] {
            assert_eq!(parse_if_match(bad), None, "{bad}");
        }
    }
}
