// The tables, as both migrations folders create them.

diesel::table! {
    org_units (id) {
        id -> BigInt,
        parent_id -> Nullable<BigInt>,
        level -> Integer,
        unit_type -> Text,
        name -> Text,
        code -> Nullable<Text>,
        org_form -> Nullable<Text>,
        host_unit_id -> Nullable<BigInt>,
        team_category -> Nullable<Text>,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        founded_on -> Nullable<Date>,
        dissolved_on -> Nullable<Date>,
        dissolved_reason -> Nullable<Text>,
        service_station -> Nullable<Text>,
        wechat_group -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        active_children -> Integer,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        tokens_valid_after -> Timestamp,
    }
}

diesel::table! {
    grants (id) {
        id -> BigInt,
        account_id -> BigInt,
        role -> Text,
        scope_unit_id -> Nullable<BigInt>,
        granted_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        token_hash -> Text,
        family -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> Timestamp,
        account_id -> Nullable<BigInt>,
        username -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        unit_id -> Nullable<BigInt>,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::joinable!(grants -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(
    org_units,
    accounts,
    grants,
    refresh_tokens,
    audit_log,
    persons,
    positions,
    staffing_gaps
);

diesel::table! {
    coverage_counts (scope_id, level, unit_type, org_form, host_lost, childless) {
        scope_id -> BigInt,
        level -> Integer,
        unit_type -> Text,
        org_form -> Text,
        host_lost -> Bool,
        childless -> Bool,
        n -> BigInt,
    }
}

diesel::table! {
    unit_history (id) {
        id -> BigInt,
        unit_id -> BigInt,
        effective_on -> Date,
        change -> Text,
        parent_id -> Nullable<BigInt>,
        unit_type -> Text,
        org_form -> Nullable<Text>,
        host_unit_id -> Nullable<BigInt>,
        active -> Bool,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    coverage_history (scope_id, day, level, unit_type, org_form, host_lost, childless) {
        scope_id -> BigInt,
        day -> Date,
        level -> Integer,
        unit_type -> Text,
        org_form -> Text,
        host_lost -> Bool,
        childless -> Bool,
        n -> BigInt,
    }
}

diesel::table! {
    history_marks (township_id) {
        township_id -> BigInt,
        last_on -> Date,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        name -> Text,
        gender -> Text,
        birth_date -> Nullable<Date>,
        phone -> Nullable<Text>,
        education -> Nullable<Text>,
        political_status -> Text,
        status_since -> Nullable<Date>,
        capable_talent -> Bool,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        household_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    positions (id) {
        id -> BigInt,
        person_id -> BigInt,
        unit_id -> BigInt,
        unit_level -> Integer,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        role -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        also_village_director -> Bool,
        created_at -> Timestamp,
    }
}

diesel::joinable!(persons -> org_units (unit_id));
diesel::joinable!(positions -> persons (person_id));
diesel::joinable!(positions -> org_units (unit_id));

diesel::table! {
    staffing_gaps (unit_id, rule) {
        unit_id -> BigInt,
        rule -> Text,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(staffing_gaps -> org_units (unit_id));

diesel::table! {
    households (id) {
        id -> BigInt,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        address -> Text,
        head_person_id -> Nullable<BigInt>,
        registered_on -> Date,
        closed_on -> Nullable<Date>,
        closed_reason -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    points_lists (id) {
        id -> BigInt,
        owner_unit_id -> BigInt,
        township_id -> BigInt,
        version -> Integer,
        title -> Text,
        status -> Text,
        proposed_on -> Date,
        adopted_on -> Nullable<Date>,
        meeting_kind -> Nullable<Text>,
        meeting_on -> Nullable<Date>,
        attendance -> Nullable<Integer>,
        votes_for -> Nullable<Integer>,
        votes_against -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    points_items (id) {
        id -> BigInt,
        list_id -> BigInt,
        code -> Text,
        category -> Text,
        description -> Text,
        points -> Integer,
        cap_per_year -> Nullable<Integer>,
    }
}

diesel::table! {
    point_records (id) {
        id -> BigInt,
        household_id -> BigInt,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        list_id -> BigInt,
        item_id -> BigInt,
        item_code -> Text,
        category -> Text,
        recorded_on -> Date,
        year -> Integer,
        points -> Integer,
        note -> Nullable<Text>,
        reverses_id -> Nullable<BigInt>,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    household_points (household_id, year) {
        household_id -> BigInt,
        year -> Integer,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        points -> BigInt,
        records -> BigInt,
    }
}

diesel::table! {
    points_tallies (scope_id, year, category) {
        scope_id -> BigInt,
        year -> Integer,
        category -> Text,
        records -> BigInt,
        added -> BigInt,
        deducted -> BigInt,
        households -> BigInt,
    }
}

diesel::table! {
    household_counts (scope_id, from_year, to_year) {
        scope_id -> BigInt,
        from_year -> Integer,
        to_year -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    redemptions (id) {
        id -> BigInt,
        household_id -> BigInt,
        unit_id -> BigInt,
        township_id -> Nullable<BigInt>,
        village_id -> Nullable<BigInt>,
        grid_id -> Nullable<BigInt>,
        building_group_id -> Nullable<BigInt>,
        year -> Integer,
        ranked_under -> Nullable<BigInt>,
        rank -> Integer,
        points -> BigInt,
        kind -> Text,
        description -> Text,
        amount_fen -> Nullable<BigInt>,
        given_on -> Date,
        recorded_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(points_items -> points_lists (list_id));
diesel::joinable!(point_records -> households (household_id));
diesel::joinable!(household_points -> households (household_id));
diesel::allow_tables_to_appear_in_same_query!(
    households,
    persons,
    points_lists,
    points_items,
    point_records,
    household_points,
    redemptions
);

pub use super::schema_service::*;
