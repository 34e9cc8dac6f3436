//! GraphiQL at `/`, served from the binary: the page (with a sign-in box
//! that fetches and refreshes its own token, and example operations) and
//! GraphiQL's browser assets, vendored from their npm packages
//! (`assets/graphiql/`, pinned in `vendor.sh`, checked by `SHA256SUMS`).
//! Nothing is loaded from another origin, so it works on an intranet.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

macro_rules! asset {
    ($file:literal, $type:literal) => {
        (
            $file,
            $type,
            include_bytes!(concat!("../../assets/graphiql/", $file)).as_slice(),
        )
    };
}

/// Every file under `/graphiql/`: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    asset!("graphiql.min.js", "text/javascript; charset=utf-8"),
    asset!("graphiql.min.css", "text/css; charset=utf-8"),
    asset!("react.production.min.js", "text/javascript; charset=utf-8"),
    asset!(
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8"
    ),
    asset!("examples.json", "application/json; charset=utf-8"),
];

/// The page.
pub async fn page() -> Html<&'static str> {
    Html(include_str!("../../assets/graphiql/index.html"))
}

/// One vendored asset, cacheable for a day (they change only with the
/// binary).
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, *content_type),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *bytes,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
