//! People and their posts (docs/design.md §2): the vocabulary, which post fits
//! which level, and how sensitive fields are masked. Pure data; no I/O.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::kinds::{labelled_enum, Level};
use crate::error::{AppError, AppResult};

labelled_enum! {
    /// 性别.
    pub enum Gender {
        /// 男.
        Male => ("MALE", "男"),
        /// 女.
        Female => ("FEMALE", "女"),
    }
}

labelled_enum! {
    /// 学历: the highest education completed.
    pub enum EducationLevel {
        /// 小学及以下.
        PrimaryOrBelow => ("PRIMARY_OR_BELOW", "小学及以下"),
        /// 初中.
        JuniorMiddle => ("JUNIOR_MIDDLE", "初中"),
        /// 高中、中专.
        SeniorMiddle => ("SENIOR_MIDDLE", "高中/中专"),
        /// 大专.
        JuniorCollege => ("JUNIOR_COLLEGE", "大专"),
        /// 本科.
        Bachelor => ("BACHELOR", "本科"),
        /// 研究生.
        Postgraduate => ("POSTGRADUATE", "研究生"),
    }
}

impl EducationLevel {
    /// Junior college (大专) or above: the article's "大专及以上".
    pub fn is_college_or_above(self) -> bool {
        self >= EducationLevel::JuniorCollege
    }
}

labelled_enum! {
    /// 政治面貌, from full member down to the masses.
    pub enum PoliticalStatus {
        /// 正式党员.
        FullMember => ("FULL_MEMBER", "正式党员"),
        /// 预备党员.
        Probationary => ("PROBATIONARY", "预备党员"),
        /// 发展对象.
        Candidate => ("CANDIDATE", "发展对象"),
        /// 入党积极分子.
        Activist => ("ACTIVIST", "入党积极分子"),
        /// 入党申请人.
        Applicant => ("APPLICANT", "入党申请人"),
        /// 群众.
        NonParty => ("NON_PARTY", "群众"),
    }
}

impl PoliticalStatus {
    /// A full or probationary member of the party.
    pub fn is_member(self) -> bool {
        matches!(
            self,
            PoliticalStatus::FullMember | PoliticalStatus::Probationary
        )
    }
}

labelled_enum! {
    /// 职务: a post a person holds in a unit.
    pub enum PositionRole {
        /// 书记.
        Secretary => ("SECRETARY", "书记"),
        /// 副书记.
        DeputySecretary => ("DEPUTY_SECRETARY", "副书记"),
        /// 委员.
        CommitteeMember => ("COMMITTEE_MEMBER", "委员"),
        /// 党小组长.
        GroupLeader => ("GROUP_LEADER", "党小组长"),
        /// 网格长.
        GridHead => ("GRID_HEAD", "网格长"),
        /// 网格员.
        GridWorker => ("GRID_WORKER", "网格员"),
        /// 网格联络员 (a cadre).
        GridLiaison => ("GRID_LIAISON", "网格联络员"),
        /// 网格党组织指导员 (a cadre sent down).
        Instructor => ("INSTRUCTOR", "网格党组织指导员"),
        /// 联点领导: a county leader linked to a township, a township leader linked to a village.
        LinkedLeader => ("LINKED_LEADER", "联点领导"),
        /// 队长.
        TeamLeader => ("TEAM_LEADER", "队长"),
        /// 志愿者.
        Volunteer => ("VOLUNTEER", "志愿者"),
        /// 挂职干部: a young cadre seconded to a township.
        SecondedCadre => ("SECONDED_CADRE", "挂职干部"),
        /// 定向培养村干部: a village cadre trained under a directed programme.
        DirectedTrainee => ("DIRECTED_TRAINEE", "定向培养村干部"),
        /// 科技特派员: a science and technology envoy.
        ScienceEnvoy => ("SCIENCE_ENVOY", "科技特派员"),
    }
}

impl PositionRole {
    /// The talent roles (人才) that `peopleStats` counts.
    pub const TALENT: [PositionRole; 3] = [
        PositionRole::SecondedCadre,
        PositionRole::DirectedTrainee,
        PositionRole::ScienceEnvoy,
    ];

    /// The cadres who keep duty logs.
    pub const DUTY_CADRES: [PositionRole; 3] = [
        PositionRole::LinkedLeader,
        PositionRole::Instructor,
        PositionRole::GridLiaison,
    ];

    /// The levels whose units hold this post.
    pub fn levels(self) -> &'static [Level] {
        use Level::*;
        match self {
            PositionRole::Secretary
            | PositionRole::DeputySecretary
            | PositionRole::CommitteeMember => &[Township, Village, Grid],
            PositionRole::GroupLeader => &[Grid, BuildingGroup],
            PositionRole::GridHead
            | PositionRole::GridWorker
            | PositionRole::GridLiaison
            | PositionRole::Instructor => &[Grid],
            PositionRole::LinkedLeader => &[Township, Village],
            PositionRole::TeamLeader => &[VolunteerTeam],
            PositionRole::Volunteer => &[Grid, BuildingGroup, VolunteerTeam],
            PositionRole::SecondedCadre => &[Township],
            PositionRole::DirectedTrainee => &[Village],
            PositionRole::ScienceEnvoy => &[Township, Village],
        }
    }

    /// Only one person holds it in a unit at a time.
    pub fn is_single(self) -> bool {
        matches!(
            self,
            PositionRole::Secretary | PositionRole::GridHead | PositionRole::TeamLeader
        )
    }
}

/// Checks that `role` fits a unit of `level`.
pub fn role_fits(role: PositionRole, level: Level) -> AppResult<()> {
    if role.levels().contains(&level) {
        return Ok(());
    }
    let allowed: Vec<&str> = role.levels().iter().map(|l| l.as_str()).collect();
    Err(AppError::bad_input(
        "role",
        format!(
            "a {} ({}) serves in a unit at level {}, not in a {} unit",
            role.as_str(),
            role.label(),
            allowed.join(" or "),
            level.as_str()
        ),
    ))
}

/// `13812345678` → `138****5678`; anything shorter than 7 characters → `****`.
/// A phone number: 5 to 20 digits, with `+`, `-` or spaces.
pub fn phone_number(field: &str, v: &str) -> AppResult<String> {
    let v = v.trim();
    let ok = (5..=20).contains(&v.chars().count())
        && v.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '));
    if !ok {
        return Err(AppError::bad_input(
            field,
            "a phone number is 5 to 20 digits (with + - or spaces)",
        ));
    }
    Ok(v.to_owned())
}

pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "****".to_owned();
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Whole years from `birth` to `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// A person of the tree.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub education: Option<EducationLevel>,
    pub political_status: PoliticalStatus,
    /// When the current political status was reached.
    pub status_since: Option<NaiveDate>,
    /// 乡村能人.
    pub capable_talent: bool,
    /// The unit they live in or belong to.
    pub unit_id: i64,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A post held by a person in a unit, from `started_on` to `ended_on`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Position {
    pub id: i64,
    pub person_id: i64,
    pub unit_id: i64,
    pub role: PositionRole,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    /// 一肩挑: a village secretary who is also the village committee director.
    pub also_village_director: bool,
}

impl Position {
    /// Held at the end of day `on`.
    pub fn active_on(&self, on: NaiveDate) -> bool {
        self.started_on <= on && self.ended_on.is_none_or(|e| e > on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_three_and_four_digits() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "****");
    }

    #[test]
    fn posts_fit_their_levels() {
        assert!(role_fits(PositionRole::GridHead, Level::Grid).is_ok());
        assert!(role_fits(PositionRole::GridHead, Level::Village).is_err());
        assert!(role_fits(PositionRole::LinkedLeader, Level::Township).is_ok());
        assert!(role_fits(PositionRole::TeamLeader, Level::VolunteerTeam).is_ok());
        assert!(role_fits(PositionRole::Secretary, Level::VolunteerTeam).is_err());
        assert!(EducationLevel::JuniorCollege.is_college_or_above());
        assert!(!EducationLevel::SeniorMiddle.is_college_or_above());
    }

    #[test]
    fn ages_count_whole_years() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap_or_default();
        assert_eq!(age_on(d("1980-06-15"), d("2022-06-14")), 41);
        assert_eq!(age_on(d("1980-06-15"), d("2022-06-15")), 42);
    }
}
