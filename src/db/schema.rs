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
    }
}
