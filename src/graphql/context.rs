//! What every resolver reaches through the GraphQL context: the database,
//! the caller and the per-request loaders.

use async_graphql::dataloader::DataLoader;
use async_graphql::Context;

use super::loaders::{SubtreeCountsLoader, UnitLoader};
use crate::auth::{Viewer, Visibility};
use crate::db::Db;

/// Built per request by the HTTP handler.
pub struct RequestContext {
    pub viewer: Viewer,
    pub units: DataLoader<UnitLoader>,
    pub subtree_counts: DataLoader<SubtreeCountsLoader>,
}

impl RequestContext {
    pub fn new(db: Db, viewer: Viewer) -> RequestContext {
        let visibility = viewer.visibility();
        RequestContext {
            units: DataLoader::new(
                UnitLoader {
                    db: db.clone(),
                    visibility,
                },
                tokio::spawn,
            ),
            subtree_counts: DataLoader::new(SubtreeCountsLoader { db }, tokio::spawn),
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
