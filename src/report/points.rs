//! The points system's exports: a village's ledger (积分台账), every record
//! of its households with the item it was for, and a year's ranking (积分
//!排名) as the year-end rule reads it: the first places, and the last
//! places of each village. Chinese headers, in the style of the other
//! exports.

use std::collections::HashMap;

use diesel::prelude::*;

use super::Format;
use crate::auth::policy::UnitRef;
use crate::auth::Visibility;
use crate::db::ancestry::Beneath;
use crate::db::schema::point_records::{self, dsl as r};
use crate::db::DbConnection;
use crate::domain::ledger::{Household, PointRecord};
use crate::domain::{Level, OrgUnit};
use crate::error::{AppError, AppResult};
use crate::points::ranking::{self, Ranked};
use crate::points::store::{self, RecordRow};
use crate::tree::read;

/// The most records a ledger export holds.
pub const MAX_LEDGER_ROWS: usize = 200_000;

const LEDGER_HEADER: [&str; 11] = [
    "户号",
    "所属小组",
    "日期",
    "年度",
    "类别",
    "项目编码",
    "项目",
    "分值",
    "冲正记录",
    "说明",
    "记录编号",
];
const RANKING_HEADER: [&str; 8] = [
    "名单",
    "排名范围",
    "名次",
    "户号",
    "所属小组",
    "所属村（社区）",
    "积分",
    "有效记录数",
];

fn names(conn: &mut DbConnection, mut ids: Vec<i64>) -> AppResult<HashMap<i64, String>> {
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    for chunk in ids.chunks(10_000) {
        for u in read::find_many(conn, &Visibility::Everything, chunk)? {
            out.insert(u.id, u.name);
        }
    }
    Ok(out)
}

fn households(conn: &mut DbConnection, ids: &[i64]) -> AppResult<HashMap<i64, Household>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(10_000) {
        for h in store::households_of(conn, chunk)? {
            out.insert(h.id, h);
        }
    }
    Ok(out)
}

/// A table of text cells, ready to render.
pub struct PointsExport {
    sheet: &'static str,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

impl PointsExport {
    /// The ledger of the households at or beneath `unit` (a village or a
    /// unit beneath it), optionally of one year, oldest record first.
    pub fn ledger(
        conn: &mut DbConnection,
        unit: &OrgUnit,
        year: Option<i32>,
    ) -> AppResult<PointsExport> {
        if unit.level().number() < Level::Village.number() {
            return Err(AppError::bad_input(
                "under",
                "a ledger is exported for a village (community) or a unit beneath it",
            ));
        }
        let mut q = r::point_records
            .filter(point_records::table::at_or_beneath(unit.id, unit.level()))
            .into_boxed::<crate::db::MultiBackend>();
        if let Some(y) = year {
            q = q.filter(r::year.eq(y));
        }
        let records: Vec<PointRecord> = q
            .order(r::id)
            .limit(MAX_LEDGER_ROWS as i64 + 1)
            .select(RecordRow::as_select())
            .load(conn)?
            .into_iter()
            .map(PointRecord::from)
            .collect();
        if records.len() > MAX_LEDGER_ROWS {
            return Err(AppError::bad_input(
                "under",
                format!("more than {MAX_LEDGER_ROWS} records; export a smaller unit or one year"),
            ));
        }
        let mut ids: Vec<i64> = records.iter().map(|x| x.household_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let homes = households(conn, &ids)?;
        let groups = names(conn, homes.values().map(|h| h.unit_id).collect())?;
        let mut lists: Vec<i64> = records.iter().map(|x| x.list_id).collect();
        lists.sort_unstable();
        lists.dedup();
        let items: HashMap<i64, String> = store::items_of(conn, &lists)?
            .into_iter()
            .map(|i| (i.id, i.description))
            .collect();
        let rows = records
            .iter()
            .map(|x| {
                let home = homes.get(&x.household_id);
                vec![
                    home.map(|h| h.address.clone()).unwrap_or_default(),
                    home.and_then(|h| groups.get(&h.unit_id).cloned())
                        .unwrap_or_default(),
                    x.recorded_on.to_string(),
                    x.year.to_string(),
                    x.category.clone(),
                    x.item_code.clone(),
                    items.get(&x.item_id).cloned().unwrap_or_default(),
                    x.points.to_string(),
                    x.reverses_id
                        .map(|id| crate::ids::encode(crate::ids::Kind::PointRecord, id))
                        .unwrap_or_default(),
                    x.note.clone().unwrap_or_default(),
                    crate::ids::encode(crate::ids::Kind::PointRecord, x.id),
                ]
            })
            .collect();
        Ok(PointsExport {
            sheet: "积分台账",
            header: &LEDGER_HEADER,
            rows,
        })
    }

    /// A year's ranking within `unit`: its first `top` places and the last
    /// `bottom` of each village beneath it.
    pub fn ranking(
        conn: &mut DbConnection,
        unit: &OrgUnit,
        year: i32,
        (top, bottom): (usize, usize),
    ) -> AppResult<PointsExport> {
        let ranking = ranking::ranking(conn, Some(unit), year, top, (bottom, Level::Village))?;
        let mut entries: Vec<(&str, String, &Ranked)> = ranking
            .top
            .iter()
            .map(|x| ("前列", unit.name.clone(), x))
            .collect();
        for b in &ranking.bottoms {
            entries.extend(
                b.households
                    .iter()
                    .map(|x| ("后列", b.unit.name.clone(), x)),
            );
        }
        let ids: Vec<i64> = entries.iter().map(|e| e.2.household_id).collect();
        let homes = households(conn, &ids)?;
        let mut units: Vec<i64> = homes.values().map(|h| h.unit_id).collect();
        let groups = read::find_many(conn, &Visibility::Everything, &units)?;
        let village_of: HashMap<i64, Option<i64>> = groups
            .iter()
            .map(|g| (g.id, UnitRef::from(g).ancestry.at(Level::Village)))
            .collect();
        units.extend(village_of.values().flatten());
        let named = names(conn, units)?;
        let rows = entries
            .into_iter()
            .map(|(list, scope, x)| {
                let home = homes.get(&x.household_id);
                let group = home.map(|h| h.unit_id);
                let village = group.and_then(|g| village_of.get(&g).copied().flatten());
                let name =
                    |id: Option<i64>| id.and_then(|i| named.get(&i).cloned()).unwrap_or_default();
                vec![
                    list.to_owned(),
                    scope,
                    x.rank.to_string(),
                    home.map(|h| h.address.clone()).unwrap_or_default(),
                    name(group),
                    name(village),
                    x.points.to_string(),
                    x.records.to_string(),
                ]
            })
            .collect();
        Ok(PointsExport {
            sheet: "积分排名",
            header: &RANKING_HEADER,
            rows,
        })
    }

    pub fn render(&self, format: Format) -> AppResult<Vec<u8>> {
        super::table::render(format, self.sheet, self.header, &self.rows)
    }
}
