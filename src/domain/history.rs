//! The tree's history as pure data: a unit's state after each change, and
//! the replay that turns a dated sequence of changes into coverage counter
//! deltas (used to build the history of units loaded in bulk).

use std::collections::{HashMap, HashSet};

use super::coverage::CoverageKey;
use super::kinds::{Level, OrgForm, UnitType};
use super::org_unit::OrgUnit;

/// What coverage needs to know of a unit on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitState {
    pub parent_id: Option<i64>,
    pub unit_type: UnitType,
    pub org_form: Option<OrgForm>,
    pub host_unit_id: Option<i64>,
    pub active: bool,
}

impl UnitState {
    /// Whether an affiliated unit may count this one as its host.
    pub fn can_host(&self) -> bool {
        self.active && self.org_form.is_some_and(OrgForm::is_own_organization)
    }

    /// The counter this unit falls into, given its host and its number of
    /// active children (see [`CoverageKey::of`]).
    pub fn key(&self, host: Option<&UnitState>, active_children: i64) -> Option<CoverageKey> {
        CoverageKey::from_parts(
            self.unit_type,
            self.org_form,
            self.active,
            host.is_some_and(UnitState::can_host),
            active_children,
        )
    }
}

impl From<&OrgUnit> for UnitState {
    fn from(u: &OrgUnit) -> Self {
        UnitState {
            parent_id: u.parent_id,
            unit_type: u.unit_type,
            org_form: u.org_form,
            host_unit_id: u.host_unit_id,
            active: u.is_active(),
        }
    }
}

/// One counter delta: scope (0 for the region), counter, change.
pub type Delta = (i64, CoverageKey, i64);

/// Replays changes day by day, keeping the whole tree in memory.
#[derive(Default)]
pub struct Replay {
    states: HashMap<i64, UnitState>,
    children: HashMap<i64, HashSet<i64>>,
    hosted: HashMap<i64, HashSet<i64>>,
}

impl Replay {
    /// The state of `id` after the changes replayed so far.
    pub fn state(&self, id: i64) -> Option<&UnitState> {
        self.states.get(&id)
    }

    fn active_children(&self, id: i64) -> i64 {
        self.children.get(&id).map_or(0, |c| {
            c.iter()
                .filter(|k| self.states.get(k).is_some_and(|s| s.active))
                .count() as i64
        })
    }

    /// The region and the ancestors at levels 1–3.
    fn scopes(&self, state: &UnitState) -> Vec<i64> {
        let mut out = vec![0];
        let mut next = state.parent_id;
        while let Some(p) = next {
            let Some(ps) = self.states.get(&p) else { break };
            if ps.unit_type.level().number() <= Level::Grid.number() {
                out.push(p);
            }
            next = ps.parent_id;
        }
        out
    }

    fn counted(&self, id: i64) -> Option<(CoverageKey, Vec<i64>)> {
        let s = self.states.get(&id)?;
        let host = s.host_unit_id.and_then(|h| self.states.get(&h));
        let key = s.key(host, self.active_children(id))?;
        Some((key, self.scopes(s)))
    }

    fn descendants(&self, id: i64, out: &mut HashSet<i64>) {
        for k in self.children.get(&id).into_iter().flatten() {
            if out.insert(*k) {
                self.descendants(*k, out);
            }
        }
    }

    /// Applies one day's changes (unit, state after) and returns the
    /// counter deltas they cause, for every unit whose counter or scopes
    /// they touch: the units themselves, their old and new parents, the
    /// units they host, and, for moves, their subtrees.
    pub fn day(&mut self, changes: &[(i64, UnitState)]) -> Vec<Delta> {
        let mut touched: HashSet<i64> = HashSet::new();
        for (id, new) in changes {
            touched.insert(*id);
            touched.extend(new.parent_id);
            touched.extend(self.hosted.get(id).into_iter().flatten().copied());
            if let Some(old) = self.states.get(id) {
                touched.extend(old.parent_id);
                if old.parent_id != new.parent_id {
                    self.descendants(*id, &mut touched);
                }
            }
        }
        let before: Vec<_> = touched.iter().map(|id| self.counted(*id)).collect();
        for (id, new) in changes {
            if let Some(old) = self.states.insert(*id, new.clone()) {
                if let Some(p) = old.parent_id {
                    self.children.entry(p).or_default().remove(id);
                }
                if let Some(h) = old.host_unit_id {
                    self.hosted.entry(h).or_default().remove(id);
                }
            }
            if let Some(p) = new.parent_id {
                self.children.entry(p).or_default().insert(*id);
            }
            if let Some(h) = new.host_unit_id {
                self.hosted.entry(h).or_default().insert(*id);
            }
        }
        let mut out = Vec::new();
        for (id, was) in touched.iter().zip(before) {
            let is = self.counted(*id);
            if was == is {
                continue;
            }
            for (key, scopes, n) in [(was, -1), (is, 1)]
                .into_iter()
                .filter_map(|(c, n)| c.map(|(k, s)| (k, s, n)))
            {
                out.extend(scopes.into_iter().map(|s| (s, key, n)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(parent: Option<i64>, t: UnitType, form: Option<OrgForm>) -> UnitState {
        UnitState {
            parent_id: parent,
            unit_type: t,
            org_form: form,
            host_unit_id: None,
            active: true,
        }
    }

    fn total(deltas: &[Delta], scope: i64, f: impl Fn(&CoverageKey) -> bool) -> i64 {
        deltas
            .iter()
            .filter(|(s, k, _)| *s == scope && f(k))
            .map(|(_, _, n)| n)
            .sum()
    }

    #[test]
    fn a_first_child_mends_the_chain_and_a_lost_host_opens_a_gap() {
        let mut r = Replay::default();
        let mut all = r.day(&[(1, unit(None, UnitType::Township, Some(OrgForm::Committee)))]);
        assert_eq!(total(&all, 0, |k| k.childless), 1);
        let village = unit(Some(1), UnitType::Village, Some(OrgForm::Branch));
        let site = UnitState {
            host_unit_id: Some(2),
            ..unit(Some(2), UnitType::RelocationSite, Some(OrgForm::Affiliated))
        };
        all.extend(r.day(&[(2, village.clone()), (3, site)]));
        // The township has a child now; the village has the site.
        assert_eq!(total(&all, 0, |k| k.childless), 1);
        assert_eq!(total(&all, 1, |_| true), 2);
        assert_eq!(total(&all, 2, |k| k.covered()), 1);
        all.extend(r.day(&[(
            2,
            UnitState {
                org_form: Some(OrgForm::None),
                ..village
            },
        )]));
        assert_eq!(total(&all, 0, |k| k.covered()), 1);
        assert_eq!(total(&all, 2, |k| k.host_lost), 1);
    }

    #[test]
    fn a_move_carries_the_subtree_to_its_new_scopes() {
        let mut r = Replay::default();
        let mut all = r.day(&[
            (1, unit(None, UnitType::Township, Some(OrgForm::Committee))),
            (2, unit(None, UnitType::Township, Some(OrgForm::Committee))),
            (3, unit(Some(1), UnitType::Village, Some(OrgForm::Branch))),
            (4, unit(Some(3), UnitType::RuralGrid, Some(OrgForm::None))),
        ]);
        all.extend(r.day(&[(3, unit(Some(2), UnitType::Village, Some(OrgForm::Branch)))]));
        assert_eq!(total(&all, 1, |_| true), 0);
        assert_eq!(total(&all, 2, |_| true), 2);
        assert_eq!(total(&all, 2, |k| !k.covered()), 1);
        assert_eq!(total(&all, 0, |k| k.childless), 2);
    }
}
