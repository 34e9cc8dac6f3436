//! Tables of volunteer service, residents' problems, duty logs, training
//! and the village economy (issue 13); `schema` re-exports them.

use super::schema::{households, org_units, persons, positions};

diesel::table! {
    service_activities (id) {
        id -> BigInt,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        held_on -> Date,
        category -> Text,
        title -> Text,
        description -> Nullable<Text>,
        place -> Text,
        residents_served -> Integer,
        participants -> Integer,
        hours_tenths -> BigInt,
        cancelled_on -> Nullable<Date>,
        cancelled_reason -> Nullable<Text>,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    service_participants (activity_id, person_id) {
        activity_id -> BigInt,
        person_id -> BigInt,
        hours_tenths -> Integer,
    }
}

diesel::table! {
    volunteer_periods (scope_id, period, person_id) {
        scope_id -> BigInt,
        period -> Integer,
        person_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    work_tallies (scope_id, month, metric, category) {
        scope_id -> BigInt,
        month -> Integer,
        metric -> Text,
        category -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    problems (id) {
        id -> BigInt,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        channel -> Text,
        category -> Text,
        description -> Text,
        reporter_name -> Nullable<Text>,
        reporter_phone -> Nullable<Text>,
        reporter_person_id -> Nullable<BigInt>,
        household_id -> Nullable<BigInt>,
        status -> Text,
        level -> Integer,
        escalated -> Bool,
        assigned_unit_id -> Nullable<BigInt>,
        assigned_person_id -> Nullable<BigInt>,
        received_at -> Timestamp,
        due_on -> Date,
        resolved_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        recorded_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    problem_steps (id) {
        id -> BigInt,
        problem_id -> BigInt,
        status -> Text,
        level -> Integer,
        at -> Timestamp,
        actor_account_id -> Nullable<BigInt>,
        assigned_unit_id -> Nullable<BigInt>,
        assigned_person_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    open_problems (scope_id, due_on) {
        scope_id -> BigInt,
        due_on -> Date,
        n -> BigInt,
    }
}

diesel::table! {
    open_problem_days (scope_id, day, due_on) {
        scope_id -> BigInt,
        day -> Date,
        due_on -> Date,
        n -> BigInt,
    }
}

diesel::table! {
    cadre_duty_periods (scope_id, period, person_id) {
        scope_id -> BigInt,
        period -> Integer,
        person_id -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    problem_deadlines (category) {
        category -> Text,
        days -> Integer,
    }
}

diesel::table! {
    duty_logs (id) {
        id -> BigInt,
        person_id -> BigInt,
        kind -> Text,
        done_on -> Date,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        household_id -> Nullable<BigInt>,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    duty_log_problems (duty_log_id, problem_id) {
        duty_log_id -> BigInt,
        problem_id -> BigInt,
    }
}

diesel::table! {
    training_sessions (id) {
        id -> BigInt,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        held_on -> Date,
        topic -> Text,
        trainees -> Integer,
        notes -> Nullable<Text>,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    training_trainees (session_id, person_id) {
        session_id -> BigInt,
        person_id -> BigInt,
    }
}

diesel::table! {
    village_incomes (unit_id, year) {
        unit_id -> BigInt,
        year -> Integer,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        income_yuan -> BigInt,
        sources -> Nullable<Text>,
        notes -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    economy_brackets (position) {
        position -> Integer,
        lower_yuan -> BigInt,
    }
}

diesel::joinable!(service_participants -> service_activities (activity_id));
diesel::joinable!(problem_steps -> problems (problem_id));
diesel::joinable!(duty_log_problems -> duty_logs (duty_log_id));
diesel::joinable!(training_trainees -> training_sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(
    service_activities,
    service_participants,
    volunteer_periods,
    work_tallies,
    problems,
    problem_steps,
    duty_logs,
    duty_log_problems,
    training_sessions,
    training_trainees,
    village_incomes
);
diesel::allow_tables_to_appear_in_same_query!(service_participants, persons);
diesel::allow_tables_to_appear_in_same_query!(training_trainees, persons);
diesel::allow_tables_to_appear_in_same_query!(duty_logs, persons);
diesel::allow_tables_to_appear_in_same_query!(village_incomes, org_units);
diesel::allow_tables_to_appear_in_same_query!(problems, households);
diesel::allow_tables_to_appear_in_same_query!(duty_logs, positions);
diesel::allow_tables_to_appear_in_same_query!(service_activities, org_units);
diesel::allow_tables_to_appear_in_same_query!(problems, org_units);
