//! The demo county's people, at the scale the article reports for each
//! county copy: village secretaries (一肩挑 97.9 %, average age 42.2, 248
//! with junior college or above) and the term before them (average age
//! 50.1 a year ago, 218 college), 44 county leaders linked to townships,
//! 261 township leaders linked to villages, 705 grid instructors, grid
//! heads and liaison cadres, party-group leaders who lead their groups'
//! volunteer teams, 15,312 volunteers, 625 activists and 361 capable
//! non-party residents. A few posts are left empty in every rule, so the
//! staffing figures have gaps to show.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::names::SURNAMES;
use super::roster::{PersonInsert, PositionInsert, Roster};
use crate::domain::people::{EducationLevel, Gender, PoliticalStatus, PositionRole};
use crate::domain::{Level, OrgForm, OrgUnit};

/// The article's figures for one county.
pub const COUNTY_LEADERS: usize = 44;
pub const TOWNSHIP_LEADERS: usize = 261;
pub const INSTRUCTORS: usize = 705;
pub const ACTIVISTS: usize = 625;
pub const CAPABLE_NON_PARTY: usize = 361;
pub const VOLUNTEERS: usize = 15_312;
/// Secretaries of the 596 villages and communities (11 posts vacant), of
/// whom 573 are also the village director: 573 / 585 = 97.9 %.
pub const SECRETARIES: usize = 585;
pub const ALSO_DIRECTOR: usize = 573;
pub const SECRETARY_AGE_TENTHS: i64 = 422;
pub const SECRETARY_COLLEGE: usize = 248;
/// The term before the election (换届): ages a year ago, and college count.
pub const PREVIOUS_AGE_TENTHS: i64 = 501;
pub const PREVIOUS_COLLEGE: usize = 218;
/// Months since the election that started the current term.
pub const TERM_MONTHS: u32 = 6;

const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "建", "国", "志", "红", "玲", "兵", "辉", "斌",
    "文", "海", "春", "梅", "小", "立", "新", "德",
];

/// The units of one county copy, by level.
#[derive(Default)]
pub(super) struct County<'u> {
    pub townships: Vec<&'u OrgUnit>,
    pub villages: Vec<&'u OrgUnit>,
    pub grids: Vec<&'u OrgUnit>,
    pub groups: Vec<&'u OrgUnit>,
    pub teams: Vec<&'u OrgUnit>,
}

pub(super) struct PeopleGenerator {
    pub rng: ChaCha8Rng,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
    pub roster: Roster,
}

impl PeopleGenerator {
    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let days = (to - from).num_days().max(1);
        from + chrono::Days::new(self.rng.random_range(0..days) as u64)
    }

    /// A birth date making the person exactly `age` (completed years) on `on`.
    fn born(&mut self, age: i32, on: NaiveDate) -> NaiveDate {
        let year = on.year() - age;
        let anniversary = on
            .with_year(year)
            .or_else(|| NaiveDate::from_ymd_opt(year, on.month(), 28))
            .unwrap_or(on);
        anniversary - chrono::Days::new(self.rng.random_range(1..=360))
    }

    fn education(&mut self, college: bool) -> EducationLevel {
        let r = self.rng.random_range(0..100);
        match (college, r) {
            (true, 0..=54) => EducationLevel::JuniorCollege,
            (true, 55..=94) => EducationLevel::Bachelor,
            (true, _) => EducationLevel::Postgraduate,
            (false, 0..=14) => EducationLevel::PrimaryOrBelow,
            (false, 15..=54) => EducationLevel::JuniorMiddle,
            (false, _) => EducationLevel::SeniorMiddle,
        }
    }

    /// Adds a person living in `unit`; returns their id.
    fn person(
        &mut self,
        unit: &OrgUnit,
        status: PoliticalStatus,
        birth: NaiveDate,
        education: EducationLevel,
        capable: bool,
    ) -> i64 {
        let surname = SURNAMES[self.rng.random_range(0..SURNAMES.len())];
        let given: String = (0..self.rng.random_range(1..=2))
            .map(|_| GIVEN[self.rng.random_range(0..GIVEN.len())])
            .collect();
        let gender = if self.rng.random_bool(0.55) {
            Gender::Male
        } else {
            Gender::Female
        };
        let prefix = [
            "135", "136", "137", "138", "139", "150", "151", "158", "177", "187",
        ][self.rng.random_range(0..10)];
        let phone = format!("{prefix}{:08}", self.rng.random_range(0..100_000_000u32));
        let since = status.is_member().then(|| {
            let from = birth
                .checked_add_months(Months::new(12 * 20))
                .unwrap_or(birth);
            self.date_between(from.min(self.today), self.today)
        });
        let [township_id, village_id, grid_id, building_group_id] =
            <crate::db::schema::persons::table as crate::db::ancestry::Beneath>::slots(unit);
        self.roster.person(PersonInsert {
            id: 0,
            name: format!("{surname}{given}"),
            gender: gender.as_str().to_owned(),
            birth_date: Some(birth),
            phone: Some(phone),
            education: Some(education.as_str().to_owned()),
            political_status: status.as_str().to_owned(),
            status_since: since,
            capable_talent: capable,
            unit_id: unit.id,
            township_id,
            village_id,
            grid_id,
            building_group_id,
            notes: None,
            created_at: self.now,
            updated_at: self.now,
        })
    }

    /// A person of status `status`, `ages` old today.
    fn someone(
        &mut self,
        unit: &OrgUnit,
        status: PoliticalStatus,
        ages: std::ops::RangeInclusive<i32>,
    ) -> i64 {
        let age = self.rng.random_range(ages);
        let birth = self.born(age, self.today);
        let college = self.rng.random_bool(0.2);
        let education = self.education(college);
        self.person(unit, status, birth, education, false)
    }

    fn post(&mut self, person: i64, unit: &OrgUnit, role: PositionRole, from: NaiveDate) {
        self.roster
            .position(PositionInsert::new(person, unit, role, from, self.now));
    }

    /// `n` ages (completed years) averaging exactly `tenths` / 10.
    fn ages(&mut self, n: usize, tenths: i64, spread: i32) -> Vec<i32> {
        let mean = (tenths / 10) as i32;
        let mut ages: Vec<i32> = (0..n)
            .map(|_| mean + self.rng.random_range(-spread..=spread))
            .collect();
        let target = (tenths * n as i64 + 5) / 10;
        let mut sum: i64 = ages.iter().map(|a| i64::from(*a)).sum();
        let mut i = 0usize;
        while sum != target && n > 0 {
            let k = i % n;
            let step = if sum < target { 1 } else { -1 };
            if (ages[k] + step - mean).abs() <= spread + 1 {
                ages[k] += step;
                sum += i64::from(step);
            }
            i += 1;
        }
        ages.shuffle(&mut self.rng);
        ages
    }

    /// All the people of one county copy.
    pub fn county(&mut self, c: &County<'_>) {
        let election = self
            .today
            .checked_sub_months(Months::new(TERM_MONTHS))
            .unwrap_or(self.today);
        let long_ago = |years: u32| election.checked_sub_months(Months::new(12 * years));
        let since = long_ago(5).unwrap_or(election);
        self.townships(c, since);
        self.village_secretaries(c, election, since);
        self.grids(c, since);
        self.groups_and_teams(c, since);
    }

    fn townships(&mut self, c: &County<'_>, since: NaiveDate) {
        for t in &c.townships {
            let s = self.someone(t, PoliticalStatus::FullMember, 38..=55);
            self.post(s, t, PositionRole::Secretary, since);
        }
        // 44 county leaders over 26 townships; two townships have none.
        let mut linked: Vec<&OrgUnit> = c.townships.clone();
        linked.shuffle(&mut self.rng);
        let linked: Vec<&OrgUnit> = linked
            .into_iter()
            .take(c.townships.len().saturating_sub(2))
            .collect();
        for k in 0..COUNTY_LEADERS.min(linked.len() * 2) {
            let t = linked[k % linked.len()];
            let p = self.someone(t, PoliticalStatus::FullMember, 45..=58);
            self.post(p, t, PositionRole::LinkedLeader, since);
        }
        // 261 township leaders, each linked to one village.
        let mut villages = c.villages.clone();
        villages.shuffle(&mut self.rng);
        for v in villages.into_iter().take(TOWNSHIP_LEADERS) {
            let home = c
                .townships
                .iter()
                .find(|t| Some(t.id) == v.parent_id)
                .copied()
                .unwrap_or(v);
            let p = self.someone(home, PoliticalStatus::FullMember, 35..=55);
            self.post(p, v, PositionRole::LinkedLeader, since);
        }
    }

    fn village_secretaries(&mut self, c: &County<'_>, election: NaiveDate, since: NaiveDate) {
        let year_ago = self
            .today
            .checked_sub_months(Months::new(12))
            .unwrap_or(self.today);
        // The previous term: every village had a secretary until the election.
        let n = c.villages.len();
        let ages = self.ages(n, PREVIOUS_AGE_TENTHS, 8);
        for (k, v) in c.villages.iter().enumerate() {
            let birth = self.born(ages[k], year_ago);
            let education = self.education(k < PREVIOUS_COLLEGE);
            let p = self.person(v, PoliticalStatus::FullMember, birth, education, false);
            let director = self.rng.random_bool(0.6);
            let mut row = PositionInsert::new(p, v, PositionRole::Secretary, since, self.now);
            row.ended_on = Some(election);
            row.also_village_director = director;
            self.roster.position(row);
        }
        // The current term: 585 of 596 posts filled, 573 of them 一肩挑.
        let mut villages = c.villages.clone();
        villages.shuffle(&mut self.rng);
        let filled = SECRETARIES.min(n);
        let ages = self.ages(filled, SECRETARY_AGE_TENTHS, 9);
        for (k, v) in villages.into_iter().take(filled).enumerate() {
            let birth = self.born(ages[k], self.today);
            let education = self.education(k < SECRETARY_COLLEGE);
            let p = self.person(v, PoliticalStatus::FullMember, birth, education, false);
            let mut row = PositionInsert::new(p, v, PositionRole::Secretary, election, self.now);
            row.also_village_director = k >= filled - ALSO_DIRECTOR.min(filled);
            self.roster.position(row);
        }
    }

    fn grids(&mut self, c: &County<'_>, since: NaiveDate) {
        let mut instructed = c.grids.clone();
        instructed.shuffle(&mut self.rng);
        for g in instructed.into_iter().take(INSTRUCTORS) {
            let p = self.someone(g, PoliticalStatus::FullMember, 28..=50);
            self.post(p, g, PositionRole::Instructor, since);
        }
        for g in &c.grids {
            let head_role = g.org_form.and_then(crate::domain::staffing::head_of);
            // The party head of the grid's own organization also heads
            // the grid, as 3+1+N prescribes; one in fifty posts is empty.
            let head = match head_role {
                Some(role) if !self.rng.random_bool(0.02) => {
                    let p = self.someone(g, PoliticalStatus::FullMember, 30..=58);
                    self.post(p, g, role, since);
                    Some(p)
                }
                _ => None,
            };
            if !self.rng.random_bool(0.03) {
                let p = match head {
                    Some(p) => p,
                    None => self.someone(g, PoliticalStatus::NonParty, 28..=60),
                };
                self.post(p, g, PositionRole::GridHead, since);
            }
            if !self.rng.random_bool(0.03) {
                let p = self.someone(g, PoliticalStatus::FullMember, 25..=55);
                self.post(p, g, PositionRole::GridLiaison, since);
            }
        }
    }

    fn groups_and_teams(&mut self, c: &County<'_>, since: NaiveDate) {
        if c.groups.is_empty() {
            return;
        }
        let mut activists = Vec::with_capacity(ACTIVISTS);
        for _ in 0..ACTIVISTS {
            let g = c.groups[self.rng.random_range(0..c.groups.len())];
            activists.push(self.someone(g, PoliticalStatus::Activist, 20..=40));
        }
        let mut capable = Vec::with_capacity(CAPABLE_NON_PARTY);
        for _ in 0..CAPABLE_NON_PARTY {
            let g = c.groups[self.rng.random_range(0..c.groups.len())];
            let age = self.rng.random_range(30..=60);
            let birth = self.born(age, self.today);
            let education = self.education(false);
            capable.push(self.person(g, PoliticalStatus::NonParty, birth, education, true));
        }
        // Party-group leaders lead their group's teams.
        let mut leader_of = std::collections::HashMap::new();
        for g in &c.groups {
            if g.org_form == Some(OrgForm::PartyGroup) && !self.rng.random_bool(0.02) {
                let p = self.someone(g, PoliticalStatus::FullMember, 28..=68);
                self.post(p, g, PositionRole::GroupLeader, since);
                leader_of.insert(g.id, p);
            }
        }
        for (k, t) in c.teams.iter().enumerate() {
            let group = t.parent_id.unwrap_or(t.id);
            let leader = match (leader_of.get(&group), k % 97) {
                // One team in 97 is led by an activist or a capable
                // non-party resident, one in 97 by nobody yet.
                (_, 13) => Some(activists[k % activists.len()]),
                (_, 42) => Some(capable[k % capable.len()]),
                (_, 71) => None,
                (Some(p), _) => Some(*p),
                (None, _) => {
                    let home = c
                        .groups
                        .binary_search_by_key(&group, |g| g.id)
                        .map(|i| c.groups[i])
                        .unwrap_or(t);
                    let p = self.someone(home, PoliticalStatus::FullMember, 25..=65);
                    leader_of.insert(group, p);
                    Some(p)
                }
            };
            if let Some(p) = leader {
                self.post(
                    p,
                    t,
                    PositionRole::TeamLeader,
                    t.founded_on.unwrap_or(since),
                );
            }
        }
        for _ in 0..VOLUNTEERS {
            let t = c.teams[self.rng.random_range(0..c.teams.len())];
            let status = match self.rng.random_range(0..100) {
                0..=19 => PoliticalStatus::FullMember,
                20..=24 => PoliticalStatus::Applicant,
                _ => PoliticalStatus::NonParty,
            };
            let home = c
                .groups
                .binary_search_by_key(&t.parent_id.unwrap_or(t.id), |g| g.id)
                .map(|i| c.groups[i])
                .unwrap_or(t);
            let p = self.someone(home, status, 18..=70);
            self.post(p, t, PositionRole::Volunteer, t.founded_on.unwrap_or(since));
        }
    }
}

/// Splits `units` (sorted by id) into the county copies they came from:
/// each copy has the demo's 28 townships.
pub(super) fn counties(units: &[OrgUnit]) -> Vec<County<'_>> {
    let per_copy = super::names::SUBDISTRICTS.len() + super::names::TOWNS.len();
    let townships: Vec<i64> = units
        .iter()
        .filter(|u| u.level() == Level::Township)
        .map(|u| u.id)
        .collect();
    let copy_of = |township: i64| {
        townships
            .binary_search(&township)
            .ok()
            .map(|i| i / per_copy)
    };
    let mut out: Vec<County<'_>> = (0..townships.len().div_ceil(per_copy))
        .map(|_| County::default())
        .collect();
    for u in units.iter().filter(|u| u.is_active()) {
        let township = u.ancestry.at(Level::Township).unwrap_or(u.id);
        let Some(c) = copy_of(township).and_then(|k| out.get_mut(k)) else {
            continue;
        };
        match u.level() {
            Level::Township => c.townships.push(u),
            Level::Village => c.villages.push(u),
            Level::Grid => c.grids.push(u),
            Level::BuildingGroup => c.groups.push(u),
            Level::VolunteerTeam => c.teams.push(u),
        }
    }
    out
}
