//! Batching: every `parent`, `hostUnit`, `ancestors`, `subtreeCounts`,
//! `positions` and post `person` asked for in one request is fetched with a
//! constant number of statements.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::Loader;
use async_graphql::{Context, SelectionField, Value};

use crate::auth::Visibility;
use crate::db::Db;
use chrono::NaiveDate;

use crate::domain::people::{Person, Position, PositionRole};
use crate::domain::{Level, OrgUnit};
use crate::people::store::{self, PostsOf};
use crate::tree::read;

/// Units by id.
pub struct UnitLoader {
    pub db: Db,
    pub visibility: Visibility,
    /// Set when the request signed in: units are then loaded as the new
    /// session sees them.
    pub signed_in: Arc<OnceLock<super::context::SignedIn>>,
}

impl Loader<i64> for UnitLoader {
    type Value = OrgUnit;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, OrgUnit>, Self::Error> {
        let keys = keys.to_vec();
        let visibility = self
            .signed_in
            .get()
            .map_or(&self.visibility, |s| &s.visibility)
            .clone();
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

/// Whose posts a resolver asks for, and which: `OrgUnit.positions` and
/// `Person.positions` of a whole page load in one statement per distinct
/// (kind, role, day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PostsKey {
    pub holder: Holder,
    pub role: Option<PositionRole>,
    pub active_on: Option<NaiveDate>,
}

/// A person or a unit, by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Holder {
    Person(i64),
    Unit(i64),
}

/// Posts by holder.
pub struct PostsLoader {
    pub db: Db,
}

impl Loader<PostsKey> for PostsLoader {
    type Value = Vec<Position>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[PostsKey],
    ) -> Result<HashMap<PostsKey, Vec<Position>>, Self::Error> {
        let keys = keys.to_vec();
        let found = self
            .db
            .read(move |c| {
                let mut groups: HashMap<(bool, Option<PositionRole>, Option<NaiveDate>), Vec<i64>> =
                    HashMap::new();
                for k in &keys {
                    let (by_person, id) = match k.holder {
                        Holder::Person(id) => (true, id),
                        Holder::Unit(id) => (false, id),
                    };
                    groups
                        .entry((by_person, k.role, k.active_on))
                        .or_default()
                        .push(id);
                }
                let mut out: HashMap<PostsKey, Vec<Position>> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                for ((by_person, role, active_on), ids) in groups {
                    let of = if by_person {
                        PostsOf::Persons(&ids)
                    } else {
                        PostsOf::Units(&ids)
                    };
                    for post in store::positions_of(c, of, role, active_on)? {
                        let holder = if by_person {
                            Holder::Person(post.person_id)
                        } else {
                            Holder::Unit(post.unit_id)
                        };
                        let key = PostsKey {
                            holder,
                            role,
                            active_on,
                        };
                        if let Some(list) = out.get_mut(&key) {
                            list.push(post);
                        }
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(found)
    }
}

/// People by id (a post's holder).
pub struct PersonLoader {
    pub db: Db,
}

impl Loader<i64> for PersonLoader {
    type Value = Person;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Person>, Self::Error> {
        let keys = keys.to_vec();
        let people = self.db.read(move |c| store::find_many(c, &keys)).await?;
        Ok(people.into_iter().map(|p| (p.id, p)).collect())
    }
}

/// Loads, before a page's nodes resolve, the posts their `positions` fields
/// ask for (with each selection's `role` and `activeOn`), and the holders
/// and units of those posts when asked for: one batch each, so the cost of
/// a page does not depend on its size or on how the executor interleaves
/// the nodes' resolvers.
pub async fn prefetch_posts(ctx: &Context<'_>, holders: &[Holder]) -> async_graphql::Result<()> {
    if holders.is_empty() {
        return Ok(());
    }
    let look = ctx.look_ahead();
    let nodes = [look.field("nodes"), look.field("edges").field("node")];
    let fields: Vec<SelectionField<'_>> = nodes
        .iter()
        .flat_map(|n| n.field("positions").selection_fields())
        .collect();
    let request = ctx.data::<super::RequestContext>()?;
    for field in fields {
        let mut role = None;
        let mut active_on = None;
        for (name, value) in field.arguments()? {
            match (name.as_str(), value) {
                // A literal enum, or the string a variable carries.
                ("role", Value::Enum(r)) => role = r.parse::<PositionRole>().ok(),
                ("role", Value::String(r)) => role = r.parse::<PositionRole>().ok(),
                ("activeOn", Value::String(d)) => active_on = d.parse::<NaiveDate>().ok(),
                _ => {}
            }
        }
        let keys = holders.iter().map(|holder| PostsKey {
            holder: *holder,
            role,
            active_on,
        });
        let posts = request.posts.load_many(keys).await?;
        let wants = |name: &str| field.selection_set().any(|f| f.name() == name);
        if wants("person") {
            let ids = posts.values().flatten().map(|p| p.person_id);
            request.people.load_many(ids).await?;
        }
        if wants("unit") {
            let ids = posts.values().flatten().map(|p| p.unit_id);
            request.units.load_many(ids).await?;
        }
    }
    Ok(())
}
