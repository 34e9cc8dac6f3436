//! The generator behind [`super::generate`]: one county copy at a time,
//! parents always before children, rows handed on in batches.

use chrono::NaiveDate;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::{ordinal, place, COMPOUNDS, COUNTY_CODE, SUBDISTRICTS, SURNAMES, TOWNS};
use super::{Tally, BATCH, COMPOUND_COUNT, RELOCATION_FORMS, SEED, URBAN_GRIDS, VILLAGES};
use crate::db::models::OrgUnitRow;
use crate::domain::{Level, OrgForm, TeamCategory, UnitType};
use crate::error::AppResult;

/// Where a generated unit sits, for its children.
#[derive(Clone)]
struct Placed {
    id: i64,
    code: String,
    level: Level,
    ancestry: [Option<i64>; 4],
    own_org: bool,
}

struct NewRow<'a> {
    unit_type: UnitType,
    name: String,
    code: String,
    org_form: Option<OrgForm>,
    host: Option<&'a Placed>,
    team_category: Option<TeamCategory>,
    founded_on: NaiveDate,
    service_station: Option<String>,
    wechat_group: Option<String>,
}

pub(super) struct Generator<'s> {
    pub(super) next_id: i64,
    pub(super) now: chrono::NaiveDateTime,
    pub(super) rows: Vec<OrgUnitRow>,
    pub(super) sink: &'s mut dyn FnMut(&[OrgUnitRow]) -> AppResult<()>,
    pub(super) tally: Tally,
    pub(super) rng: ChaCha8Rng,
    pub(super) grid_seq: usize,
    pub(super) group_seq: usize,
}

impl Generator<'_> {
    fn add(&mut self, parent: Option<&Placed>, r: NewRow<'_>) -> AppResult<Placed> {
        let id = self.next_id;
        self.next_id += 1;
        let mut ancestry = parent.map(|p| p.ancestry).unwrap_or_default();
        if let Some(p) = parent {
            ancestry[p.level.number() as usize - 1] = Some(p.id);
        }
        let level = r.unit_type.level();
        *self.tally.by_type.entry(r.unit_type.as_str()).or_default() += 1;
        if r.unit_type == UnitType::RelocationSite {
            if let Some(f) = r.org_form {
                *self.tally.relocation_forms.entry(f.as_str()).or_default() += 1;
            }
        }
        self.rows.push(OrgUnitRow {
            id,
            parent_id: parent.map(|p| p.id),
            level: level.number(),
            unit_type: r.unit_type.as_str().to_owned(),
            name: r.name,
            code: Some(r.code.clone()),
            org_form: r.org_form.map(|f| f.as_str().to_owned()),
            host_unit_id: r.host.map(|h| h.id),
            team_category: r.team_category.map(|c| c.as_str().to_owned()),
            township_id: ancestry[0],
            village_id: ancestry[1],
            grid_id: ancestry[2],
            building_group_id: ancestry[3],
            founded_on: Some(r.founded_on),
            dissolved_on: None,
            dissolved_reason: None,
            service_station: r.service_station,
            wechat_group: r.wechat_group,
            notes: None,
            created_at: self.now,
            updated_at: self.now,
        });
        if self.rows.len() >= BATCH {
            self.flush()?;
        }
        Ok(Placed {
            id,
            code: r.code,
            level,
            ancestry,
            own_org: r.org_form.is_some_and(OrgForm::is_own_organization),
        })
    }

    fn flush(&mut self) -> AppResult<()> {
        if !self.rows.is_empty() {
            (self.sink)(&self.rows)?;
            self.rows.clear();
        }
        Ok(())
    }

    fn date(&mut self, years: std::ops::RangeInclusive<i32>) -> NaiveDate {
        let y = self.rng.random_range(years);
        let m = self.rng.random_range(1..=12);
        let d = self.rng.random_range(1..=28);
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn row(
        &mut self,
        unit_type: UnitType,
        name: String,
        code: String,
        org_form: Option<OrgForm>,
        years: std::ops::RangeInclusive<i32>,
    ) -> NewRow<'static> {
        NewRow {
            unit_type,
            name,
            code,
            org_form,
            host: None,
            team_category: None,
            founded_on: self.date(years),
            service_station: None,
            wechat_group: None,
        }
    }

    pub(super) fn county(&mut self, copy: u32) -> AppResult<()> {
        self.rng = ChaCha8Rng::seed_from_u64(SEED ^ u64::from(copy));
        let suffix = if copy == 0 {
            String::new()
        } else {
            format!("（{}）", copy + 1)
        };
        let mut relocation: Vec<OrgForm> = RELOCATION_FORMS
            .iter()
            .flat_map(|(f, n)| std::iter::repeat_n(*f, *n))
            .collect();
        relocation.shuffle(&mut self.rng);
        let mut sites_at: Vec<bool> = (0..VILLAGES).map(|i| i < relocation.len()).collect();
        sites_at.shuffle(&mut self.rng);
        let mut relocation = relocation.into_iter();

        let mut community = 0usize;
        let mut township_no = copy as usize * (SUBDISTRICTS.len() + TOWNS.len());
        for (s, (name, communities)) in SUBDISTRICTS.iter().enumerate() {
            township_no += 1;
            let tcode = format!("{COUNTY_CODE}{township_no:03}");
            let row = self.row(
                UnitType::Subdistrict,
                format!("{name}{suffix}"),
                format!("{tcode}000"),
                Some(OrgForm::WorkingCommittee),
                1984..=1995,
            );
            let t = self.add(None, row)?;
            for c in 0..*communities {
                let cname = if s == 2 && c == 0 {
                    "唐家岭".to_owned()
                } else {
                    place(500 + community)
                };
                let form = if self.rng.random_bool(0.3) {
                    OrgForm::Committee
                } else {
                    OrgForm::GeneralBranch
                };
                let mut row = self.row(
                    UnitType::Community,
                    format!("{cname}社区"),
                    format!("{tcode}{:03}", c + 1),
                    Some(form),
                    1990..=2015,
                );
                row.service_station = Some(format!("{cname}社区党群服务站"));
                let v = self.add(Some(&t), row)?;
                self.community(&v, community, s, c)?;
                community += 1;
            }
        }
        let mut village = 0usize;
        for (i, name) in TOWNS.iter().enumerate() {
            township_no += 1;
            let tcode = format!("{COUNTY_CODE}{township_no:03}");
            let row = self.row(
                UnitType::Township,
                format!("{name}{suffix}"),
                format!("{tcode}000"),
                Some(OrgForm::Committee),
                1984..=1995,
            );
            let t = self.add(None, row)?;
            let villages = VILLAGES / TOWNS.len() + usize::from(i < VILLAGES % TOWNS.len());
            for n in 0..villages {
                let vname = if i == 0 && n == 0 {
                    "油溪桥".to_owned()
                } else {
                    place(village)
                };
                let form = match self.rng.random_range(0..100) {
                    0..=59 => OrgForm::Branch,
                    60..=97 => OrgForm::GeneralBranch,
                    _ => OrgForm::Committee,
                };
                let mut row = self.row(
                    UnitType::Village,
                    format!("{vname}村"),
                    format!("{tcode}{:03}", 201 + n),
                    Some(form),
                    1952..=2019,
                );
                row.service_station = Some(format!("{vname}村党群服务中心"));
                let v = self.add(Some(&t), row)?;
                let site = if sites_at[village] {
                    relocation.next()
                } else {
                    None
                };
                self.village(&v, &vname, site)?;
                village += 1;
            }
        }
        self.flush()
    }

    /// Urban grids and compounds of community number `c` of sub-district `s`.
    fn community(&mut self, v: &Placed, index: usize, s: usize, c: usize) -> AppResult<()> {
        let urban = URBAN_GRIDS / 43 + usize::from(index < URBAN_GRIDS % 43);
        let compounds = COMPOUND_COUNT / 43 + usize::from(index < COMPOUND_COUNT % 43);
        let vcode = v.code.clone();
        for g in 0..urban {
            let form = if self.rng.random_bool(0.6) {
                OrgForm::Branch
            } else {
                OrgForm::PartyGroup
            };
            let name = format!("第{}网格", ordinal(g + 1));
            let mut row = self.row(
                UnitType::UrbanGrid,
                name.clone(),
                format!("{vcode}{:03}", g + 1),
                Some(form),
                2016..=2021,
            );
            row.wechat_group = Some(format!("{name}居民微信群"));
            let grid = self.add(Some(v), row)?;
            self.groups(&grid, v, UnitType::Building, s == 0)?;
        }
        for k in 0..compounds {
            let j = c * 4 + k;
            let phase = if j >= COMPOUNDS.len() {
                format!("{}期", ordinal(j / COMPOUNDS.len() + 1))
            } else {
                String::new()
            };
            let cname = format!("{}{phase}小区", COMPOUNDS[j % COMPOUNDS.len()]);
            let form = if self.rng.random_bool(0.6) {
                OrgForm::Branch
            } else {
                OrgForm::PartyGroup
            };
            let mut row = self.row(
                UnitType::ResidentialCompound,
                cname.clone(),
                format!("{vcode}{:03}", urban + k + 1),
                Some(form),
                2016..=2021,
            );
            row.service_station = Some(format!("{cname}党群服务站"));
            row.wechat_group = Some(format!("{cname}业主微信群"));
            let grid = self.add(Some(v), row)?;
            self.groups(&grid, v, UnitType::Building, s == 0)?;
        }
        Ok(())
    }

    /// Rural grids (and the relocation site, if any) of a village.
    fn village(&mut self, v: &Placed, vname: &str, site: Option<OrgForm>) -> AppResult<()> {
        let vcode = v.code.clone();
        let grids = self.rng.random_range(2..=5);
        for g in 0..grids {
            self.grid_seq += 1;
            let form = if self.grid_seq % 401 == 200 {
                OrgForm::None
            } else {
                match self.rng.random_range(0..100) {
                    0..=44 => OrgForm::Branch,
                    45..=91 => OrgForm::PartyGroup,
                    _ => OrgForm::Affiliated,
                }
            };
            let name = format!("{vname}村第{}网格", ordinal(g + 1));
            let mut row = self.row(
                UnitType::RuralGrid,
                name.clone(),
                format!("{vcode}{:03}", g + 1),
                Some(form),
                2016..=2021,
            );
            row.wechat_group = Some(format!("{name}微信群"));
            let host = (form == OrgForm::Affiliated).then_some(v);
            row.host = host;
            let grid = self.add(Some(v), row)?;
            // A few newly drawn grids have no groups yet.
            if self.grid_seq % 997 != 500 {
                self.groups(&grid, v, UnitType::Courtyard, false)?;
            }
        }
        if let Some(form) = site {
            let name = format!("{vname}易地扶贫搬迁安置点");
            let mut row = self.row(
                UnitType::RelocationSite,
                name,
                format!("{vcode}{:03}", grids + 1),
                Some(form),
                2017..=2020,
            );
            row.host = (form == OrgForm::Affiliated).then_some(v);
            let grid = self.add(Some(v), row)?;
            self.groups(&grid, v, UnitType::Building, false)?;
        }
        Ok(())
    }

    /// Building or courtyard groups of a grid, each with its teams.
    fn groups(
        &mut self,
        grid: &Placed,
        village: &Placed,
        kind: UnitType,
        shangmei: bool,
    ) -> AppResult<()> {
        let gcode = grid.code.clone();
        let count = self.rng.random_range(2..=8);
        for b in 0..count {
            self.group_seq += 1;
            let form = if self.group_seq % 2003 == 1000 {
                OrgForm::None
            } else if self.rng.random_bool(0.12) && (grid.own_org || village.own_org) {
                OrgForm::Affiliated
            } else {
                OrgForm::PartyGroup
            };
            let name = match kind {
                UnitType::Courtyard => format!(
                    "{}家院落",
                    SURNAMES[self.rng.random_range(0..SURNAMES.len())]
                ),
                _ => format!("{}栋", b + 1),
            };
            let mut row = self.row(
                kind,
                name,
                format!("{gcode}{:02}", b + 1),
                Some(form),
                2019..=2022,
            );
            if form == OrgForm::Affiliated {
                row.host = Some(if grid.own_org { grid } else { village });
            }
            let group = self.add(Some(grid), row)?;
            if self.group_seq % 3001 == 1500 {
                continue; // a group that has not formed its team yet
            }
            let teams = self.rng.random_range(1..=4);
            let mut categories = TeamCategory::ALL[..6].to_vec();
            categories.shuffle(&mut self.rng);
            for (n, category) in categories.into_iter().take(teams).enumerate() {
                let name = if shangmei {
                    format!("上梅红{}队", category.label())
                } else {
                    format!("{}服务队", category.label())
                };
                let mut row = self.row(
                    UnitType::VolunteerTeam,
                    name,
                    format!("{}{:02}", group.code, n + 1),
                    None,
                    2020..=2022,
                );
                row.team_category = Some(category);
                self.add(Some(&group), row)?;
            }
        }
        Ok(())
    }
}
