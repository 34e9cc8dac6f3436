//! Recomputes every counter of grassroots work from the records, after a
//! bulk load (the demo), in set statements: the same figures the writes
//! keep one record at a time (the property test compares them). The
//! economy's are `economy::rebuild`.

use diesel::connection::SimpleConnection;

use super::tallies::*;
use crate::db::DbConnection;
use crate::error::AppResult;

/// The rows of `table` (where `only`) with each scope they count in: the
/// region (0), each ancestor, and their own unit (once, `UNION`).
fn scopes(table: &str, only: &str) -> String {
    [
        "0",
        "township_id",
        "village_id",
        "grid_id",
        "building_group_id",
        "unit_id",
    ]
    .iter()
    .map(|c| {
        format!(
            "SELECT id AS row_id, {c} AS scope_id FROM {table} WHERE {c} IS NOT NULL AND {only}"
        )
    })
    .collect::<Vec<_>>()
    .join(" UNION ")
}

/// `work_tallies` (but the economy's), `volunteer_periods`,
/// `open_problems`, `open_problem_days` and `cadre_duty_periods`, from
/// scratch.
pub fn rebuild(conn: &mut DbConnection) -> AppResult<()> {
    let month = |column: &str| match conn {
        DbConnection::Pg(_) => format!("CAST(to_char({column}, 'YYYYMM') AS INTEGER)"),
        DbConnection::Sqlite(_) => format!("CAST(strftime('%Y%m', {column}) AS INTEGER)"),
    };
    let hours = match conn {
        DbConnection::Pg(_) => {
            "CAST(FLOOR(EXTRACT(EPOCH FROM (p.resolved_at - p.received_at)) / 3600) AS BIGINT)"
        }
        DbConnection::Sqlite(_) => {
            "CAST((julianday(p.resolved_at) - julianday(p.received_at)) * 24 + 0.0000001 AS INTEGER)"
        }
    };
    let day = |column: &str| match conn {
        DbConnection::Pg(_) => format!("CAST({column} AS DATE)"),
        DbConnection::Sqlite(_) => format!("date({column})"),
    };
    let (received_day, left_day) = (
        day("p.received_at"),
        day("COALESCE(p.resolved_at, p.closed_at)"),
    );
    let (held, received, resolved, closed, done, at) = (
        month("a.held_on"),
        month("p.received_at"),
        month("p.resolved_at"),
        month("p.closed_at"),
        month("d.done_on"),
        month("st.at"),
    );
    let activities = scopes("service_activities", "cancelled_on IS NULL");
    let problems = scopes("problems", "1 = 1");
    let duties = scopes("duty_logs", "1 = 1");
    let trainings = scopes("training_sessions", "1 = 1");
    let insert = "INSERT INTO work_tallies (scope_id, month, metric, category, n)";
    let statements = format!(
        "DELETE FROM work_tallies WHERE metric NOT IN ('{VILLAGES}', '{INCOME}', '{LIFTED}');
         DELETE FROM volunteer_periods;
         DELETE FROM open_problems;
         DELETE FROM open_problem_days;
         DELETE FROM cadre_duty_periods;
         {insert} SELECT s.scope_id, {held}, '{ACTIVITIES}', a.category, COUNT(*)
           FROM ({activities}) s JOIN service_activities a ON a.id = s.row_id GROUP BY s.scope_id, {held}, a.category;
         {insert} SELECT s.scope_id, {held}, '{HOURS}', a.category, SUM(a.hours_tenths)
           FROM ({activities}) s JOIN service_activities a ON a.id = s.row_id GROUP BY s.scope_id, {held}, a.category;
         {insert} SELECT s.scope_id, {held}, '{SERVED}', a.category, SUM(a.residents_served)
           FROM ({activities}) s JOIN service_activities a ON a.id = s.row_id GROUP BY s.scope_id, {held}, a.category;
         {insert} SELECT s.scope_id, {held}, '{PARTICIPATIONS}', a.category, SUM(a.participants)
           FROM ({activities}) s JOIN service_activities a ON a.id = s.row_id GROUP BY s.scope_id, {held}, a.category;
         INSERT INTO volunteer_periods (scope_id, period, person_id, n)
           SELECT s.scope_id, {held}, sp.person_id, COUNT(*)
           FROM ({activities}) s JOIN service_activities a ON a.id = s.row_id
           JOIN service_participants sp ON sp.activity_id = a.id GROUP BY s.scope_id, {held}, sp.person_id;
         INSERT INTO volunteer_periods (scope_id, period, person_id, n)
           SELECT scope_id, period / 100 * 100, person_id, SUM(n) FROM volunteer_periods WHERE period % 100 <> 0
           GROUP BY scope_id, period / 100 * 100, person_id;
         {insert} SELECT scope_id, period, '{VOLUNTEERS}', '', COUNT(*) FROM volunteer_periods GROUP BY scope_id, period;
         {insert} SELECT s.scope_id, {received}, '{RECEIVED}', p.category, COUNT(*)
           FROM ({problems}) s JOIN problems p ON p.id = s.row_id GROUP BY s.scope_id, {received}, p.category;
         {insert} SELECT s.scope_id, {resolved}, '{RESOLVED}', p.category, COUNT(*)
           FROM ({problems}) s JOIN problems p ON p.id = s.row_id WHERE p.resolved_at IS NOT NULL
           GROUP BY s.scope_id, {resolved}, p.category;
         {insert} SELECT s.scope_id, {resolved}, '{IN_GRID}', p.category, COUNT(*)
           FROM ({problems}) s JOIN problems p ON p.id = s.row_id WHERE p.resolved_at IS NOT NULL AND NOT p.escalated
           GROUP BY s.scope_id, {resolved}, p.category;
         {insert} SELECT s.scope_id, {resolved}, '{RESOLVE_HOURS}', CAST({hours} AS TEXT), COUNT(*)
           FROM ({problems}) s JOIN problems p ON p.id = s.row_id WHERE p.resolved_at IS NOT NULL
           GROUP BY s.scope_id, {resolved}, CAST({hours} AS TEXT);
         {insert} SELECT s.scope_id, {closed}, '{CLOSED}', p.category, COUNT(*)
           FROM ({problems}) s JOIN problems p ON p.id = s.row_id WHERE p.closed_at IS NOT NULL
           GROUP BY s.scope_id, {closed}, p.category;
         {insert} SELECT s.scope_id, {at}, '{ESCALATED}',
             CASE st.level WHEN 1 THEN 'VILLAGE' WHEN 2 THEN 'TOWNSHIP' ELSE 'COUNTY' END, COUNT(*)
           FROM ({problems}) s JOIN problem_steps st ON st.problem_id = s.row_id WHERE st.status = 'ESCALATED'
           GROUP BY s.scope_id, {at}, st.level;
         INSERT INTO open_problems (scope_id, due_on, n)
           SELECT s.scope_id, p.due_on, COUNT(*) FROM ({problems}) s JOIN problems p ON p.id = s.row_id
           WHERE p.resolved_at IS NULL AND p.closed_at IS NULL GROUP BY s.scope_id, p.due_on;
         INSERT INTO open_problem_days (scope_id, day, due_on, n)
           SELECT scope_id, day, due_on, SUM(n) FROM (
             SELECT s.scope_id, {received_day} AS day, p.due_on, 1 AS n
               FROM ({problems}) s JOIN problems p ON p.id = s.row_id
             UNION ALL
             SELECT s.scope_id, {left_day} AS day, p.due_on, -1 AS n
               FROM ({problems}) s JOIN problems p ON p.id = s.row_id
               WHERE COALESCE(p.resolved_at, p.closed_at) IS NOT NULL) changes
           GROUP BY scope_id, day, due_on HAVING SUM(n) <> 0;
         {insert} SELECT s.scope_id, {done}, '{DUTIES}', d.kind, COUNT(*)
           FROM ({duties}) s JOIN duty_logs d ON d.id = s.row_id GROUP BY s.scope_id, {done}, d.kind;
         INSERT INTO cadre_duty_periods (scope_id, period, person_id, n)
           SELECT s.scope_id, {done}, d.person_id, COUNT(*)
           FROM ({duties}) s JOIN duty_logs d ON d.id = s.row_id GROUP BY s.scope_id, {done}, d.person_id;
         INSERT INTO cadre_duty_periods (scope_id, period, person_id, n)
           SELECT scope_id, period / 100 * 100, person_id, SUM(n) FROM cadre_duty_periods
           WHERE period % 100 <> 0 GROUP BY scope_id, period / 100 * 100, person_id;
         {insert} SELECT s.scope_id, {held}, '{TRAININGS}', '', COUNT(*)
           FROM ({trainings}) s JOIN training_sessions a ON a.id = s.row_id GROUP BY s.scope_id, {held};
         {insert} SELECT s.scope_id, {held}, '{TRAINEES}', '', SUM(a.trainees)
           FROM ({trainings}) s JOIN training_sessions a ON a.id = s.row_id GROUP BY s.scope_id, {held};"
    );
    conn.batch_execute(&statements)?;
    super::economy::rebuild(conn)
}
