//! The demo's households and points system (积分制): about one household
//! per three residents of Xinhua's 1.1 million in every county copy,
//! spread over the building and courtyard groups; 油溪桥村's own points
//! list and 琅塘镇's list, which its villages follow, each adopted two
//! years ago, with two years of records; and 琅塘镇's last year shaped so
//! that its year-end rule (the township's top 200 rewarded, the bottom 5
//! of every village penalized) picks exactly 200 and 5 per village, with
//! no tie at either edge.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::people::County;
use crate::audit::Actor;
use crate::auth::Viewer;
use crate::db::ancestry::Beneath;
use crate::db::schema::{households, point_records};
use crate::db::DbConnection;
use crate::domain::ledger::PointsItem;
use crate::domain::points::{ItemDraft, Meeting, MeetingKind};
use crate::domain::OrgUnit;
use crate::error::AppResult;
use crate::ids::UnitId;
use crate::points::{lists, store};

/// Households of one county copy: ≈ 1.1 million residents / 3.
pub const HOUSEHOLDS: usize = 370_000;
/// 琅塘镇's year-end rule.
pub const TOP: usize = 200;
pub const BOTTOM: usize = 5;

#[derive(Insertable)]
#[diesel(table_name = households, treat_none_as_default_value = false)]
struct HouseholdInsert {
    id: i64,
    unit_id: i64,
    township_id: Option<i64>,
    village_id: Option<i64>,
    grid_id: Option<i64>,
    building_group_id: Option<i64>,
    address: String,
    registered_on: NaiveDate,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = point_records, treat_none_as_default_value = false)]
struct RecordInsert {
    household_id: i64,
    unit_id: i64,
    township_id: Option<i64>,
    village_id: Option<i64>,
    grid_id: Option<i64>,
    building_group_id: Option<i64>,
    list_id: i64,
    item_id: i64,
    item_code: String,
    category: String,
    recorded_on: NaiveDate,
    year: i32,
    points: i32,
    note: Option<String>,
    created_at: NaiveDateTime,
}

/// A household written, with its group.
struct Placed<'u> {
    id: i64,
    group: &'u OrgUnit,
}

fn items() -> Vec<ItemDraft> {
    let item = |code: &str, category: &str, description: &str, points, cap| ItemDraft {
        code: code.to_owned(),
        category: category.to_owned(),
        description: description.to_owned(),
        points,
        cap_per_year: cap,
    };
    vec![
        item(
            "HJ01",
            "环境卫生",
            "房前屋后干净整洁，评为卫生清洁户",
            5,
            Some(20),
        ),
        item("HJ02", "环境卫生", "乱堆乱放、乱倒垃圾", -5, Some(20)),
        item(
            "XL01",
            "孝老爱亲",
            "赡养老人、邻里和睦，评为孝亲敬老户",
            10,
            Some(20),
        ),
        item("YF01", "移风易俗", "红白喜事简办，不大操大办", 8, Some(16)),
        item("YF02", "移风易俗", "大操大办、铺张浪费", -10, None),
        item("ZY01", "志愿服务", "参加村组义务劳动（每次）", 2, Some(40)),
        item(
            "ZY02",
            "志愿服务",
            "参加志愿服务活动（每小时）",
            1,
            Some(60),
        ),
        item("ZF01", "遵纪守法", "违反村规民约", -8, None),
        item("CY01", "产业发展", "发展特色产业带动就业", 12, Some(24)),
    ]
}

/// Writes `n` households per group, evenly; returns them.
fn write_households<'u>(
    conn: &mut DbConnection,
    rng: &mut ChaCha8Rng,
    c: &County<'u>,
    first_id: i64,
    now: NaiveDateTime,
) -> AppResult<Vec<Placed<'u>>> {
    let groups = &c.groups;
    let mut out = Vec::with_capacity(HOUSEHOLDS);
    let mut rows = Vec::with_capacity(20_000);
    for (i, g) in groups.iter().enumerate() {
        let n = HOUSEHOLDS / groups.len() + usize::from(i < HOUSEHOLDS % groups.len());
        let [t, v, gr, b] = households::table::slots(g);
        for k in 0..n {
            let id = first_id + out.len() as i64;
            let registered = NaiveDate::from_ymd_opt(rng.random_range(1995..=2022), 1, 1)
                .unwrap_or_default()
                + chrono::Duration::days(rng.random_range(0..365));
            rows.push(HouseholdInsert {
                id,
                unit_id: g.id,
                township_id: t,
                village_id: v,
                grid_id: gr,
                building_group_id: b,
                address: format!("{}号", k + 1),
                registered_on: registered,
                created_at: now,
                updated_at: now,
            });
            out.push(Placed { id, group: g });
            if rows.len() == rows.capacity() {
                bulk_insert!(conn, households::table, &rows);
                rows.clear();
            }
        }
    }
    bulk_insert!(conn, households::table, &rows);
    Ok(out)
}

/// Proposes and adopts `owner`'s list, in force from 1 January two years ago.
fn adopt(
    conn: &mut DbConnection,
    actor: &Actor<'_>,
    owner: &OrgUnit,
    title: &str,
    today: NaiveDate,
) -> AppResult<Vec<PointsItem>> {
    let list = lists::propose_list(conn, actor, UnitId(owner.id), title, items())?;
    let from = NaiveDate::from_ymd_opt(today.year() - 2, 1, 1).unwrap_or(today);
    let meeting = Meeting {
        kind: MeetingKind::VillagerRepresentatives,
        held_on: from - chrono::Duration::days(10),
        attendance: 48,
        votes_for: 45,
        votes_against: 1,
    };
    lists::adopt_list(
        conn,
        actor,
        crate::ids::PointsListId(list.id),
        from,
        meeting,
    )?;
    store::items_of(conn, &[list.id])
}

/// One household's year: a few records of random items within their caps.
struct Year {
    records: Vec<RecordInsert>,
    total: i64,
}

fn year_of_records(
    rng: &mut ChaCha8Rng,
    h: &Placed<'_>,
    items: &[PointsItem],
    year: i32,
    now: NaiveDateTime,
) -> Year {
    let mut used: HashMap<&str, i64> = HashMap::new();
    let mut out = Year {
        records: Vec::new(),
        total: 0,
    };
    let n = rng.random_range(2..=12);
    for _ in 0..n {
        // Additions are four times as common as deductions.
        let item = loop {
            let i = &items[rng.random_range(0..items.len())];
            if i.points > 0 || rng.random_range(0..4) == 0 {
                break i;
            }
        };
        let so_far = used.entry(item.code.as_str()).or_default();
        if item
            .cap_per_year
            .is_some_and(|cap| (*so_far + i64::from(item.points)).abs() > i64::from(cap))
        {
            continue;
        }
        *so_far += i64::from(item.points);
        out.total += i64::from(item.points);
        let day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
            + chrono::Duration::days(rng.random_range(0..360));
        out.records
            .push(record(h, item, day, now, "村民小组长核实，公示无异议"));
    }
    out
}

fn record(
    h: &Placed<'_>,
    item: &PointsItem,
    day: NaiveDate,
    now: NaiveDateTime,
    note: &str,
) -> RecordInsert {
    let [t, v, g, b] = point_records::table::slots(h.group);
    RecordInsert {
        household_id: h.id,
        unit_id: h.group.id,
        township_id: t,
        village_id: v,
        grid_id: g,
        building_group_id: b,
        list_id: item.list_id,
        item_id: item.id,
        item_code: item.code.clone(),
        category: item.category.clone(),
        recorded_on: day,
        year: day.year(),
        points: item.points,
        note: Some(note.to_owned()),
        created_at: now,
    }
}

/// Households, lists and records of every county copy; the totals rebuilt.
/// Returns how many households and records were written.
pub(super) fn load(
    conn: &mut DbConnection,
    counties: &[County<'_>],
    seed: u64,
    now: DateTime<Utc>,
) -> AppResult<(i64, i64)> {
    use rand::SeedableRng;
    let today = now.date_naive();
    let mut next_id = 1;
    let mut written_records = 0;
    for (copy, c) in counties.iter().enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x484f_5553_4548 ^ copy as u64);
        let placed = write_households(conn, &mut rng, c, next_id, now.naive_utc())?;
        next_id += placed.len() as i64;
        if copy > 0 {
            continue;
        }
        let actor = Actor::new(&Viewer::System, now, None);
        let langtang = c.townships.iter().find(|t| t.name == "琅塘镇");
        let youxiqiao = c.villages.iter().find(|v| v.name == "油溪桥村");
        let (Some(langtang), Some(youxiqiao)) = (langtang, youxiqiao) else {
            continue;
        };
        let township_items = adopt(conn, &actor, langtang, "琅塘镇户积分考核清单", today)?;
        let village_items = adopt(conn, &actor, youxiqiao, "油溪桥村村级事务积分清单", today)?;
        written_records += scored(
            conn,
            &mut rng,
            &placed,
            langtang,
            &township_items,
            today,
            now,
        )?;
        written_records += scored(
            conn,
            &mut rng,
            &placed,
            youxiqiao,
            &village_items,
            today,
            now,
        )?;
    }
    crate::points::rebuild::rebuild(conn)?;
    if let DbConnection::Pg(_) = conn {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "SELECT setval(pg_get_serial_sequence('households', 'id'), GREATEST((SELECT MAX(id) FROM households), 1))",
        )?;
    }
    Ok((next_id - 1, written_records))
}

/// Two years of records for every household beneath `unit`; the last
/// year's edges made strict (see the module's note). Returns the records.
fn scored(
    conn: &mut DbConnection,
    rng: &mut ChaCha8Rng,
    placed: &[Placed<'_>],
    unit: &OrgUnit,
    items: &[PointsItem],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    let now = now.naive_utc();
    let mine: Vec<&Placed<'_>> = placed
        .iter()
        .filter(|h| h.group.id == unit.id || h.group.ancestry.contains(unit.id))
        .collect();
    let mut rows = Vec::new();
    let last = today.year() - 1;
    let mut totals: Vec<(usize, i64)> = Vec::with_capacity(mine.len());
    for (i, h) in mine.iter().enumerate() {
        let earlier = year_of_records(rng, h, items, last - 1, now);
        rows.extend(earlier.records);
        let y = year_of_records(rng, h, items, last, now);
        totals.push((i, y.total));
        rows.extend(y.records);
    }
    let find = |code: &str| items.iter().find(|i| i.code == code);
    let end_of_year = NaiveDate::from_ymd_opt(last, 12, 20).unwrap_or(today);
    // The bottom 5 of each village: those tied with the 5th lose a point
    // more (a deduction of 违反村规民约 at -8 moves them clear).
    let mut by_village: HashMap<i64, Vec<(usize, i64)>> = HashMap::new();
    for &(i, t) in &totals {
        let v = mine[i]
            .group
            .ancestry
            .at(crate::domain::Level::Village)
            .unwrap_or(0);
        by_village.entry(v).or_default().push((i, t));
    }
    let mut adjust: HashMap<usize, i64> = HashMap::new();
    if let Some(fine) = find("ZF01") {
        for list in by_village.values_mut() {
            list.sort_by_key(|&(i, t)| (t, mine[i].id));
            if list.len() > BOTTOM && list[BOTTOM - 1].1 == list[BOTTOM].1 {
                let edge = list[BOTTOM - 1].1;
                for &(i, t) in list.iter().take(BOTTOM).filter(|x| x.1 == edge) {
                    rows.push(record(mine[i], fine, end_of_year, now, "年终核查"));
                    adjust.insert(i, t + i64::from(fine.points));
                }
            }
        }
    }
    // The township's top 200: those tied with the 200th get one hour of
    // volunteer service more.
    if let Some(hour) = find("ZY02") {
        let mut all: Vec<(usize, i64)> = totals
            .iter()
            .map(|&(i, t)| (i, adjust.get(&i).copied().unwrap_or(t)))
            .collect();
        all.sort_by_key(|&(i, t)| (std::cmp::Reverse(t), mine[i].id));
        if all.len() > TOP && all[TOP - 1].1 == all[TOP].1 {
            let edge = all[TOP - 1].1;
            for &(i, _) in all.iter().take(TOP).filter(|x| x.1 == edge) {
                rows.push(record(mine[i], hour, end_of_year, now, "年终核查"));
            }
        }
    }
    bulk_insert!(conn, point_records::table, &rows);
    Ok(rows.len() as i64)
}
