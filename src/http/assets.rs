//! The pages the binary serves, with their assets: GraphiQL at `/` (a
//! sign-in box that fetches and refreshes its own token, and example
//! operations) and the example dashboard at `/dashboard` (ECharts). Their
//! browser libraries are vendored from npm packages (`assets/*/vendor.sh`,
//! pinned, checked by `SHA256SUMS`); nothing is loaded from another
//! origin, so both work on an intranet.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

macro_rules! asset {
    ($dir:literal, $file:literal, $type:expr) => {
        (
            $file,
            $type,
            include_bytes!(concat!("../../assets/", $dir, "/", $file)).as_slice(),
        )
    };
}

/// A file: name, content type, bytes.
type Asset = (&'static str, &'static str, &'static [u8]);

/// Every file under `/graphiql/`.
const GRAPHIQL: &[Asset] = &[
    asset!("graphiql", "graphiql.min.js", JS),
    asset!("graphiql", "graphiql.min.css", CSS),
    asset!("graphiql", "react.production.min.js", JS),
    asset!("graphiql", "react-dom.production.min.js", JS),
    asset!(
        "graphiql",
        "examples.json",
        "application/json; charset=utf-8"
    ),
];

/// Every file under `/dashboard/`.
const DASHBOARD: &[Asset] = &[
    asset!("dashboard", "echarts.min.js", JS),
    asset!("dashboard", "dashboard.js", JS),
    asset!("dashboard", "dashboard.css", CSS),
];

/// GraphiQL's page.
pub async fn graphiql() -> Html<&'static str> {
    Html(include_str!("../../assets/graphiql/index.html"))
}

/// The example dashboard's page.
pub async fn dashboard() -> Html<&'static str> {
    Html(include_str!("../../assets/dashboard/index.html"))
}

/// A file under `/graphiql/`.
pub async fn graphiql_asset(Path(file): Path<String>) -> Response {
    serve(GRAPHIQL, &file)
}

/// A file under `/dashboard/`.
pub async fn dashboard_asset(Path(file): Path<String>) -> Response {
    serve(DASHBOARD, &file)
}

/// One vendored asset, cacheable for a day (they change only with the
/// binary).
fn serve(assets: &[Asset], file: &str) -> Response {
    match assets.iter().find(|(name, _, _)| *name == file) {
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
