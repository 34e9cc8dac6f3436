//! Batching: every `parent`, `hostUnit`, `ancestors` and `subtreeCounts`
//! asked for in one request is fetched with a constant number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;

use crate::auth::Visibility;
use crate::db::Db;
use crate::domain::{Level, OrgUnit};
use crate::tree::read;

/// Units by id.
pub struct UnitLoader {
    pub db: Db,
    pub visibility: Visibility,
}

impl Loader<i64> for UnitLoader {
    type Value = OrgUnit;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, OrgUnit>, Self::Error> {
        let keys = keys.to_vec();
        let visibility = self.visibility.clone();
        let units = self
            .db
            .read(move |c| read::find_many(c, &visibility, &keys))
            .await?;
        Ok(units.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// Active units per level beneath a unit, keyed by (unit id, its level).
pub struct SubtreeCountsLoader {
    pub db: Db,
}

impl Loader<(i64, Level)> for SubtreeCountsLoader {
    type Value = [i64; 5];
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(i64, Level)],
    ) -> Result<HashMap<(i64, Level), [i64; 5]>, Self::Error> {
        let keys = keys.to_vec();
        let counts = self
            .db
            .read(move |c| {
                let counts = read::subtree_counts(c, &keys)?;
                Ok(keys
                    .into_iter()
                    .map(|k| (k, counts.get(&k.0).copied().unwrap_or_default()))
                    .collect())
            })
            .await?;
        Ok(counts)
    }
}
