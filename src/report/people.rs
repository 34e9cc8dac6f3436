//! The people export (人员名册): the people a viewer sees in a scope, one
//! row per post they hold (or one row without a post), in the import's
//! columns and Chinese headers, so an exported file imports back
//! unchanged. Phone numbers and birth dates are masked as the API masks
//! them: unless the viewer may manage the people of the person's unit.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::Format;
use crate::auth::policy::{ActionKind, Sight, UnitRef};
use crate::auth::{Viewer, Visibility};
use crate::db::schema::persons::dsl as p;
use crate::db::schema::positions::dsl as ps;
use crate::db::DbConnection;
use crate::domain::people::{mask_phone, Person, Position};
use crate::domain::OrgUnit;
use crate::error::AppResult;
use crate::import::PEOPLE_LAYOUT;
use crate::people::store::{filtered_people, PersonFilter, PersonRow, PositionRow};
use crate::tree::read;

/// The rows of the export, as text cells in `PEOPLE_LAYOUT` order.
pub struct PeopleExport {
    rows: Vec<Vec<String>>,
}

fn units_by_id(conn: &mut DbConnection, ids: &mut Vec<i64>) -> AppResult<HashMap<i64, OrgUnit>> {
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(10_000) {
        for u in read::find_many(conn, &Visibility::Everything, chunk)? {
            out.insert(u.id, u);
        }
    }
    Ok(out)
}

impl PeopleExport {
    /// The people `viewer` sees in `under` (or everywhere it sees).
    pub fn gather(
        conn: &mut DbConnection,
        viewer: &Viewer,
        under: Option<&OrgUnit>,
        today: NaiveDate,
    ) -> AppResult<PeopleExport> {
        let visibility = viewer.visibility();
        let filter = PersonFilter {
            under: under.map(UnitRef::from),
            ..PersonFilter::default()
        };
        let people: Vec<Person> = filtered_people(&visibility, &filter, today)
            .order(p::id.asc())
            .select(PersonRow::as_select())
            .load(conn)?
            .into_iter()
            .map(Person::try_from)
            .collect::<AppResult<_>>()?;
        let ids: Vec<i64> = people.iter().map(|x| x.id).collect();
        let mut posts: HashMap<i64, Vec<Position>> = HashMap::new();
        for chunk in ids.chunks(10_000) {
            let rows: Vec<PositionRow> = ps::positions
                .filter(ps::person_id.eq_any(chunk))
                .filter(ps::ended_on.is_null())
                .order(ps::id.asc())
                .select(PositionRow::as_select())
                .load(conn)?;
            for row in rows {
                let post = Position::try_from(row)?;
                posts.entry(post.person_id).or_default().push(post);
            }
        }
        let mut unit_ids: Vec<i64> = people.iter().map(|x| x.unit_id).collect();
        unit_ids.extend(posts.values().flatten().map(|x| x.unit_id));
        let units = units_by_id(conn, &mut unit_ids)?;
        // Codes only of units the viewer sees in full: a person seen through
        // a post in scope may belong, and hold other posts, elsewhere.
        let seen = |id: i64| {
            units
                .get(&id)
                .is_some_and(|u| visibility.sight(u) == Sight::Full)
        };
        let code = |id: i64| {
            units
                .get(&id)
                .filter(|_| seen(id))
                .and_then(|u| u.code.clone())
                .unwrap_or_default()
        };
        let mut sees_all: HashMap<i64, bool> = HashMap::new();
        let mut rows = Vec::new();
        for person in &people {
            let full = *sees_all.entry(person.unit_id).or_insert_with(|| {
                units.get(&person.unit_id).is_some_and(|u| {
                    viewer
                        .check(ActionKind::ManagePeople, Some(u), "id")
                        .is_ok()
                })
            });
            let phone =
                person
                    .phone
                    .as_deref()
                    .map(|ph| if full { ph.to_owned() } else { mask_phone(ph) });
            let birth = person.birth_date.map(|b| {
                if full {
                    b.to_string()
                } else {
                    b.year().to_string()
                }
            });
            let base = vec![
                person.name.clone(),
                person.gender.label().to_owned(),
                birth.unwrap_or_default(),
                phone.unwrap_or_default(),
                person
                    .education
                    .map(|e| e.label().to_owned())
                    .unwrap_or_default(),
                person.political_status.label().to_owned(),
                person
                    .status_since
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                if person.capable_talent { "是" } else { "否" }.to_owned(),
                code(person.unit_id),
                person.notes.clone().unwrap_or_default(),
            ];
            let held: Vec<&Position> = posts
                .get(&person.id)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter(|post| seen(post.unit_id))
                .collect();
            if held.is_empty() {
                rows.push([base.clone(), vec![String::new(); 4]].concat());
            }
            for post in held {
                let post_unit = if post.unit_id == person.unit_id {
                    String::new()
                } else {
                    code(post.unit_id)
                };
                rows.push(
                    [
                        base.clone(),
                        vec![
                            post.role.label().to_owned(),
                            post.started_on.to_string(),
                            if post.also_village_director {
                                "是"
                            } else {
                                ""
                            }
                            .to_owned(),
                            post_unit,
                        ],
                    ]
                    .concat(),
                );
            }
        }
        Ok(PeopleExport { rows })
    }

    pub fn render(&self, format: Format) -> AppResult<Vec<u8>> {
        let header: Vec<&str> = PEOPLE_LAYOUT.iter().map(|c| c.label).collect();
        super::table::render(format, "人员名册", &header, &self.rows)
    }
}
