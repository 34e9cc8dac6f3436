//! What every resolver reaches through the GraphQL context: the database,
//! the caller and the per-request loaders.

use async_graphql::dataloader::{DataLoader, HashMapCache};
use std::time::Duration;

use async_graphql::Context;

use super::loaders::{SubtreeCountsLoader, UnitLoader};
use crate::auth::{Viewer, Visibility};
use crate::db::Db;

/// How long a loader waits for more keys before it queries. Lists prefetch
/// their related units in one call (see `types::connection`), so the window
/// only has to gather the keys of one resolver pass.
const BATCH_WINDOW: Duration = Duration::from_micros(200);

/// Built per request by the HTTP handler.
/// The loaders cache what they load for the rest of the request.
pub struct RequestContext {
    pub viewer: Viewer,
    pub units: DataLoader<UnitLoader, HashMapCache>,
    pub subtree_counts: DataLoader<SubtreeCountsLoader, HashMapCache>,
}

impl RequestContext {
    pub fn new(db: Db, viewer: Viewer) -> RequestContext {
        let visibility = viewer.visibility();
        RequestContext {
            units: DataLoader::with_cache(
                UnitLoader {
                    db: db.clone(),
                    visibility,
                },
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            subtree_counts: DataLoader::with_cache(
                SubtreeCountsLoader { db },
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_WINDOW),
            viewer,
        }
    }
}

/// Shortcuts from a resolver's context.
pub trait ContextExt {
    fn db(&self) -> &Db;
    fn request(&self) -> &RequestContext;
    fn viewer(&self) -> &Viewer {
        &self.request().viewer
    }
    fn visibility(&self) -> Visibility {
        self.viewer().visibility()
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
