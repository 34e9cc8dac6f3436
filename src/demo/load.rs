//! Writing the demo county into a database, in one transaction.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, Utc};
use diesel::connection::SimpleConnection;
use diesel::dsl::count_star;
use diesel::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::db::models::OrgUnitRow;
use crate::db::schema::org_units;
use crate::db::{Db, DbConnection};
use crate::domain::{OrgForm, OrgUnit};
use crate::error::{AppError, AppResult};

/// What a load wrote.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub scale: u32,
    pub units: i64,
    /// People and posts written with them.
    pub persons: i64,
    pub positions: i64,
    /// Households, and point records written for them.
    pub households: i64,
    pub point_records: i64,
    /// Grassroots work written: activities, problems, duties, trainings.
    pub work: super::work::WorkTally,
    /// Units per unit type, by stored name.
    pub by_type: BTreeMap<&'static str, i64>,
    /// The relocation sites per organization form.
    pub relocation_forms: BTreeMap<&'static str, i64>,
    pub elapsed: Duration,
}

impl std::fmt::Display for DemoSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "demo county 新化县 ×{}: {} units, {} people holding {} posts, {} households with {} point records, in {:.1} s",
            self.scale,
            self.units,
            self.persons,
            self.positions,
            self.households,
            self.point_records,
            self.elapsed.as_secs_f64()
        )?;
        writeln!(
            f,
            "  grassroots work: {} service activities, {} residents' problems, {} duty logs, {} training sessions",
            self.work.activities, self.work.problems, self.work.duties, self.work.trainings
        )?;
        for (t, n) in &self.by_type {
            writeln!(f, "  {t:<22} {n:>9}")?;
        }
        let forms: Vec<String> = self
            .relocation_forms
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        write!(f, "  relocation sites by form: {}", forms.join(", "))
    }
}

fn insert(conn: &mut DbConnection, rows: &[OrgUnitRow]) -> AppResult<()> {
    bulk_insert!(conn, org_units::table, rows);
    Ok(())
}

/// The demo's past: units join the tree in the month they were founded,
/// and one in three of those with an organization that hosts nobody ran
/// without one (`NONE`) for up to two years first, so coverage trends
/// show the build-up the article describes.
fn history(conn: &mut DbConnection, units: &[OrgUnit]) -> AppResult<()> {
    let hosts: HashSet<i64> = units.iter().filter_map(|u| u.host_unit_id).collect();
    let month = |u: &OrgUnit| {
        let d = u.founded_on.unwrap_or(u.created_at.date_naive());
        d.with_day(1).unwrap_or(d)
    };
    let waited = |u: &OrgUnit| {
        let late = u.id % 3 == 0
            && u.level().number() >= 2
            && u.org_form.is_some_and(OrgForm::is_own_organization)
            && !hosts.contains(&u.id);
        late.then(|| (u.id % 24 + 1) as u32)
    };
    let changes = crate::tree::history::reconstruct(
        units,
        |u| match waited(u) {
            Some(m) => month(u)
                .checked_sub_months(Months::new(m))
                .unwrap_or(month(u)),
            None => month(u),
        },
        |u| waited(u).map(|_| month(u)),
    );
    crate::tree::history::backfill(conn, changes, Utc::now())
}

/// The people of every county copy (see [`super::people`]); returns how
/// many people and posts were written.
fn people(conn: &mut DbConnection, units: &[OrgUnit]) -> AppResult<(i64, i64)> {
    let now = Utc::now();
    let mut roster = super::roster::Roster::default();
    for (copy, county) in super::people::counties(units).iter().enumerate() {
        let mut g = super::people::PeopleGenerator {
            rng: ChaCha8Rng::seed_from_u64(super::SEED ^ 0x5045_4f50_4c45 ^ copy as u64),
            today: now.date_naive(),
            now: now.naive_utc(),
            roster: std::mem::take(&mut roster),
        };
        g.county(county);
        roster = g.roster;
        roster.flush(conn)?;
    }
    roster.finish(conn)?;
    Ok((roster.written_persons, roster.written_positions))
}

/// Loads `scale` copies of the demo county into an empty database.
pub fn load(db: &Db, scale: u32) -> AppResult<DemoSummary> {
    if !(1..=super::MAX_SCALE).contains(&scale) {
        return Err(AppError::bad_input(
            "scale",
            format!("scale must be between 1 and {}", super::MAX_SCALE),
        ));
    }
    let started = Instant::now();
    let (units, tally, (persons, positions), (households, point_records), work) = db.write_blocking(|conn| {
        let existing: i64 = org_units::table.select(count_star()).first(conn)?;
        if existing > 0 {
            return Err(AppError::conflict(format!(
                "the database already holds {existing} units; load the demo into an empty database"
            )));
        }
        let mut written = 0i64;
        let tally = super::generate(scale, 1, Utc::now(), &mut |rows| {
            written += rows.len() as i64;
            insert(conn, rows)
        })?;
        crate::tree::coverage::rebuild(conn)?;
        let units = crate::tree::read::list_all(
            conn,
            &crate::tree::UnitFilter {
                include_dissolved: true,
                ..Default::default()
            },
        )?;
        history(conn, &units)?;
        let people = people(conn, &units)?;
        let points = super::points::load(
            conn,
            &super::people::counties(&units),
            super::SEED,
            Utc::now(),
        )?;
        let work = super::work::load(
            conn,
            &super::people::counties(&units),
            super::SEED,
            Utc::now(),
        )?;
        crate::tree::staffing::refresh_all(conn)?;
        if let DbConnection::Pg(_) = conn {
            conn.batch_execute(
                "SELECT setval(pg_get_serial_sequence('org_units', 'id'), (SELECT MAX(id) FROM org_units))",
            )?;
        }
        Ok((written, tally, people, points, work))
    })?;
    // Fresh statistics, so the planners see the new sizes at once.
    db.read_blocking(|conn| {
        match conn {
            DbConnection::Pg(_) => {
                conn.batch_execute("ANALYZE org_units; ANALYZE persons; ANALYZE positions; ANALYZE households; ANALYZE household_points; ANALYZE point_records; ANALYZE work_tallies; ANALYZE volunteer_periods; ANALYZE problems; ANALYZE village_incomes")?;
                // Sets the visibility map, so history reads scan the index only.
                conn.batch_execute("VACUUM ANALYZE coverage_history")?;
            }
            DbConnection::Sqlite(_) => {
                conn.batch_execute("PRAGMA analysis_limit = 1000; ANALYZE org_units; ANALYZE persons; ANALYZE positions; ANALYZE households; ANALYZE household_points; ANALYZE point_records; ANALYZE work_tallies; ANALYZE volunteer_periods; ANALYZE problems; ANALYZE village_incomes")?
            }
        }
        Ok(())
    })?;
    Ok(DemoSummary {
        scale,
        units,
        persons,
        positions,
        households,
        point_records,
        work,
        by_type: tally.by_type,
        relocation_forms: tally.relocation_forms,
        elapsed: started.elapsed(),
    })
}
