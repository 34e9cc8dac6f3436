//! What `grassroots bench` asks, and how it sums up the answers.

use std::time::Duration;

/// Median, p99 and mean of one scenario.
#[derive(Debug, Clone)]
pub struct Figures {
    pub name: &'static str,
    pub median: Duration,
    pub p99: Duration,
    pub mean: Duration,
}

pub(super) fn figures(name: &'static str, mut times: Vec<Duration>) -> Figures {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    let total: Duration = times.iter().sum();
    Figures {
        name,
        median: at(0.5),
        p99: at(0.99),
        mean: total / times.len().max(1) as u32,
    }
}

pub(super) const PAGE_UNDER: &str = "query PageUnder($under: ID!) { orgUnits(under: $under, first: 50) { totalCount pageInfo { hasNextPage endCursor } nodes { id name code level unitType orgForm status } } }";
/// Reads of the whole region that once counted every row (now counters,
/// or an anti-join for the chain gaps' first page).
pub(super) const REGION_READS: [(&str, &str); 5] = [
    (
        "page of 50 of the whole region, with totalCount",
        "query RegionPage { orgUnits(first: 50) { totalCount nodes { id name } } }",
    ),
    (
        "grids of the whole region: page of 50, with totalCount",
        "query RegionGrids { orgUnits(first: 50, level: GRID) { totalCount nodes { id name } } }",
    ),
    (
        "chain gaps of the whole region: first 10, with totalCount",
        "query RegionChainGaps { chainGaps(first: 10) { totalCount nodes { id name } } }",
    ),
    (
        "search the whole region for 油溪桥, with totalCount",
        "query RegionSearch { orgUnits(search: \"油溪桥\", first: 20) { totalCount nodes { id name } } }",
    ),
    (
        "search the whole region's people for 李建国, with totalCount",
        "query PeopleSearch { persons(search: \"李建国\", first: 20) { totalCount nodes { id name } } }",
    ),
];
pub(super) const ANCESTORS: &str = "query Ancestors($id: ID!) { node(id: $id) { ... on OrgUnit { name ancestors { id name level unitType } } } }";
pub(super) const COVERAGE: &str = "query Coverage($under: ID) { coverage(under: $under) { total covered gaps rate chainGaps levels { level total covered gaps rate unitTypes { unitType total gaps rate byForm { form count } } } } }";
pub(super) const DASHBOARD: &str = "query Dashboard($under: ID) { dashboard(under: $under) { units managementUnits covered gaps rate chainGaps levels { level units covered gaps rate chainGaps } } }";
pub(super) const COVERAGE_AS_OF: &str = "query CoverageAsOf($under: ID, $asOf: Date) { coverage(under: $under, asOf: $asOf) { total covered gaps rate chainGaps levels { level total covered gaps rate unitTypes { unitType total gaps rate byForm { form count } } } } }";
pub(super) const TREND: &str = "query Trend($under: ID, $from: Date!) { coverageTrend(under: $under, from: $from, interval: MONTH) { period on total covered rate levels { level units rate } } }";
pub(super) const STAFFING: &str =
    "query Staffing($under: ID) { staffingSummary(under: $under) { rule count } }";
pub(super) const SECRETARIES: &str = "query Secretaries($under: ID) { secretaryStats(under: $under) { count alsoVillageDirectorCount alsoVillageDirectorRatio averageAge collegeOrAboveCount } }";
pub(super) const FORM: &str = "mutation Form($id: ID!, $form: OrgForm!) { updateOrgUnit(id: $id, input: { orgForm: $form }) { id orgForm } }";
pub(super) const CREATE: &str = "mutation Create($parent: ID!, $name: String!) { createOrgUnit(input: { parentId: $parent, unitType: RURAL_GRID, name: $name, orgForm: PARTY_GROUP }) { id } }";
pub(super) const MOVE: &str = "mutation Move($id: ID!, $to: ID!) { moveOrgUnit(id: $id, newParentId: $to) { id parent { id } } }";

/// The introspection query GraphiQL sends on load (graphql-js 16
/// `getIntrospectionQuery` with every option on: descriptions, repeatable
/// directives, `specifiedByURL`, deprecated input values; nine levels of
/// `ofType`): the costliest request the anonymous budget must allow, and
/// the anonymous side of the load check.
pub const INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema {
    queryType { name }
    mutationType { name }
    subscriptionType { name }
    types { ...FullType }
    directives {
      name description isRepeatable locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) {
    name description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description
  type { ...TypeRef }
  defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name
      ofType { kind name } } } } } } } } }
}"#;
