//! What every resolver reaches through the GraphQL context: the database,
//! the caller and the per-request loaders.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::Context;

use super::loaders::{PersonLoader, PostsLoader, SubtreeCountsLoader, UnitLoader};
use crate::auth::{Viewer, Visibility};
use chrono::{DateTime, SubsecRound, Utc};

use crate::audit::Actor;
use crate::db::{Db, DbConnection};
use crate::error::AppResult;

/// How long a loader waits for more keys before it queries. Lists prefetch
/// their related units in one call (see `types::connection`), so the window
/// only has to gather the keys of one resolver pass.
const BATCH_WINDOW: Duration = Duration::from_micros(200);

/// Built per request by the HTTP handler.
/// The loaders cache what they load for the rest of the request.
pub struct RequestContext {
    viewer: Viewer,
    /// What the viewer may read, computed once per request.
    visibility: Visibility,
    /// The request's `x-request-id`, for logs and the audit log.
    pub request_id: Option<String>,
    /// The client's address, for sign-in rate limits.
    pub client: String,
    /// The session a `login` or `refreshToken` of this request opened.
    signed_in: Arc<OnceLock<SignedIn>>,
    pub units: DataLoader<UnitLoader, HashMapCache>,
    pub subtree_counts: DataLoader<SubtreeCountsLoader, HashMapCache>,
    pub posts: DataLoader<PostsLoader, HashMapCache>,
    pub people: DataLoader<PersonLoader, HashMapCache>,
}

impl RequestContext {
    pub fn new(db: Db, viewer: Viewer) -> RequestContext {
        let visibility = viewer.visibility();
        let signed_in = Arc::new(OnceLock::new());
        RequestContext {
            request_id: None,
            client: "local".to_owned(),
            units: DataLoader::with_cache(
                UnitLoader {
                    db: db.clone(),
                    visibility: visibility.clone(),
                    signed_in: signed_in.clone(),
                },
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            subtree_counts: DataLoader::with_cache(
                SubtreeCountsLoader { db: db.clone() },
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            posts: DataLoader::with_cache(
                PostsLoader { db: db.clone() },
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            people: DataLoader::with_cache(
                PersonLoader { db },
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            viewer,
            visibility,
            signed_in,
        }
    }

    /// Who sent the request (its budget is this caller's), whatever session
    /// the request opens.
    pub fn caller(&self) -> &Viewer {
        &self.viewer
    }

    /// Who is asking: the caller, or the session this request opened.
    pub fn viewer(&self) -> &Viewer {
        self.signed_in.get().map_or(&self.viewer, |s| &s.viewer)
    }

    /// What [`RequestContext::viewer`] may read.
    pub fn visibility(&self) -> &Visibility {
        self.signed_in
            .get()
            .map_or(&self.visibility, |s| &s.visibility)
    }

    /// A `login` or `refreshToken` opened `viewer`'s session: the rest of
    /// the request (the payload's `account`, its grants and their scopes)
    /// is resolved as that session sees it. Only for an anonymous caller,
    /// whose request holds that one root field (its budget allows one):
    /// a signed-in caller's other fields keep its own authority.
    pub fn sign_in(&self, viewer: Viewer) {
        if !matches!(self.viewer, Viewer::Anonymous) {
            return;
        }
        let _ = self.signed_in.set(SignedIn {
            visibility: viewer.visibility(),
            viewer,
        });
    }
}

/// A session opened during the request, as the policy sees it.
pub struct SignedIn {
    pub viewer: Viewer,
    pub visibility: Visibility,
}

impl RequestContext {
    /// Sets the request id and client address the HTTP layer knows.
    pub fn with_origin(mut self, request_id: Option<String>, client: String) -> RequestContext {
        self.request_id = request_id;
        self.client = client;
        self
    }
}

/// The time a write is stamped with, at the precision both backends keep.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Runs a tree write as the request's viewer, in one transaction, with the
/// actor the audit log records.
pub async fn write<T, F>(ctx: &Context<'_>, f: F) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection, &Actor<'_>) -> AppResult<T> + Send + 'static,
{
    let viewer = ctx.viewer().clone();
    viewer.require_signed_in()?;
    let request_id = ctx.request().request_id.clone();
    ctx.db()
        .write(move |c| f(c, &Actor::new(&viewer, now(), request_id.as_deref())))
        .await
}

impl RequestContext {
    /// The context of a subscription, which lives as long as its socket:
    /// its loaders keep nothing, so every event is resolved as the
    /// database stands when it is sent.
    pub fn live(db: Db, viewer: Viewer) -> RequestContext {
        let ctx = RequestContext::new(db, viewer);
        ctx.units.enable_all_cache(false);
        ctx.subtree_counts.enable_all_cache(false);
        ctx.posts.enable_all_cache(false);
        ctx.people.enable_all_cache(false);
        ctx
    }
}

/// Shortcuts from a resolver's context.
pub trait ContextExt {
    fn db(&self) -> &Db;
    fn request(&self) -> &RequestContext;
    fn viewer(&self) -> &Viewer {
        self.request().viewer()
    }
    fn visibility(&self) -> Visibility {
        self.request().visibility().clone()
    }
}

impl ContextExt for Context<'_> {
    fn db(&self) -> &Db {
        self.data_unchecked::<Db>()
    }

    fn request(&self) -> &RequestContext {
        self.data_unchecked::<RequestContext>()
    }
}
