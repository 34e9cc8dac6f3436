//! The demo county: a deterministic tree modelled on Xinhua County as the
//! seed article describes it, and `--scale N` copies of it for benchmarks.

/// Writes `rows` into `table` at database speed: COPY on PostgreSQL;
/// multi-row inserts on SQLite, 1,000 rows a statement (SQLite binds at
/// most 32,766 parameters per statement, and no demo row has 32 columns).
macro_rules! bulk_insert {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows: &[_] = $rows;
        match $conn {
            $crate::db::DbConnection::Pg(c) => {
                diesel::copy_from($table).from_insertable(rows).execute(c)?;
            }
            $crate::db::DbConnection::Sqlite(c) => {
                for chunk in rows.chunks(1000) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
        }
    }};
}

mod generator;
mod load;
pub mod names;
pub mod people;
mod points;
mod roster;
pub mod work;
mod work_problems;
mod work_records;
mod work_rows;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use self::generator::Generator;
pub use self::load::{load, DemoSummary};
use crate::db::models::OrgUnitRow;
use crate::domain::OrgForm;
use crate::error::AppResult;
use crate::ids::UnitId;

/// Same seed, same county.
const SEED: u64 = 0x4e48_3433_3133_3232;
/// Villages in the 25 towns, communities in the 3 sub-districts.
const VILLAGES: usize = 553;
const URBAN_GRIDS: usize = 237;
const COMPOUND_COUNT: usize = 150;
/// The article's 116 relocation sites and their organization forms.
pub const RELOCATION_FORMS: [(OrgForm, usize); 5] = [
    (OrgForm::Branch, 8),
    (OrgForm::PartyGroup, 35),
    (OrgForm::FunctionalBranch, 1),
    (OrgForm::Affiliated, 68),
    (OrgForm::None, 4),
];
/// Largest `--scale`: township codes have three digits (28 × 35 = 980).
pub const MAX_SCALE: u32 = 35;
/// Rows handed to the sink at a time.
const BATCH: usize = 2000;

/// What a generation produced, counted as it went.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Units per unit type, by stored name.
    pub by_type: BTreeMap<&'static str, i64>,
    /// Relocation sites per organization form.
    pub relocation_forms: BTreeMap<&'static str, i64>,
}

/// Generates `scale` copies of the demo county with ids from `first_id`,
/// handing rows to `sink` in batches (parents always before children).
pub fn generate(
    scale: u32,
    first_id: i64,
    now: DateTime<Utc>,
    sink: &mut dyn FnMut(&[OrgUnitRow]) -> AppResult<()>,
) -> AppResult<Tally> {
    let mut g = Generator {
        next_id: first_id,
        now: now.naive_utc(),
        rows: Vec::with_capacity(BATCH),
        sink,
        tally: Tally::default(),
        rng: ChaCha8Rng::seed_from_u64(SEED),
        grid_seq: 0,
        group_seq: 0,
    };
    for copy in 0..scale {
        g.county(copy)?;
    }
    Ok(g.tally)
}

/// A tiny tree for harnesses (fuzzing): two townships, each with a village,
/// a grid, a courtyard and a volunteer team, written through the API's
/// writes. Returns the two villages' ids.
pub async fn small_tree(db: &crate::db::Db) -> AppResult<Vec<i64>> {
    use crate::auth::Viewer;
    use crate::domain::{TeamCategory, UnitType};
    use crate::tree::write::{create, NewUnit};
    db.write(|c| {
        let actor = crate::audit::Actor::new(&Viewer::System, Utc::now(), None);
        let mut villages = Vec::new();
        for (i, town) in ["甲镇", "乙镇"].into_iter().enumerate() {
            let mut parent = None;
            let chain = [
                (
                    UnitType::Township,
                    town.to_owned(),
                    Some(OrgForm::Committee),
                    None,
                ),
                (
                    UnitType::Village,
                    format!("{town}村"),
                    Some(OrgForm::Branch),
                    None,
                ),
                (
                    UnitType::RuralGrid,
                    format!("{town}网格"),
                    Some(OrgForm::PartyGroup),
                    None,
                ),
                (UnitType::Courtyard, format!("{town}院落"), None, None),
                (
                    UnitType::VolunteerTeam,
                    format!("{town}服务队"),
                    None,
                    Some(TeamCategory::Sanitation),
                ),
            ];
            for (depth, (unit_type, name, org_form, team_category)) in chain.into_iter().enumerate()
            {
                let unit = create(
                    c,
                    &actor,
                    NewUnit {
                        code: Some(format!("F{i}{depth}")),
                        org_form,
                        team_category,
                        ..NewUnit::named(parent, unit_type, name)
                    },
                )?;
                if unit_type == UnitType::Village {
                    villages.push(unit.id);
                }
                parent = Some(UnitId(unit.id));
            }
        }
        Ok(villages)
    })
    .await
}
