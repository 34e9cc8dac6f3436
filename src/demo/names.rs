//! Place names for the demo county, modelled on Xinhua County (新化县).

/// The county the demo models, and its statistical division code.
pub const COUNTY_NAME: &str = "新化县";
pub const COUNTY_CODE: &str = "431322";

/// The three sub-districts (街道), with their number of communities (43 in all).
pub const SUBDISTRICTS: [(&str, usize); 3] = [("上梅街道", 15), ("枫林街道", 14), ("上渡街道", 14)];

/// The 25 towns and townships (乡镇): 553 villages between them.
pub const TOWNS: [&str; 25] = [
    "吉庆镇",
    "琅塘镇",
    "洋溪镇",
    "槎溪镇",
    "石冲口镇",
    "孟公镇",
    "桑梓镇",
    "西河镇",
    "游家镇",
    "炉观镇",
    "科头乡",
    "圳上镇",
    "水车镇",
    "奉家镇",
    "天门乡",
    "金凤乡",
    "油溪乡",
    "维山乡",
    "荣华乡",
    "温塘镇",
    "田坪镇",
    "曹家镇",
    "白溪镇",
    "坐石乡",
    "文田镇",
];

const FIRST: [&str; 30] = [
    "油", "大", "紫", "白", "石", "楼", "桐", "枫", "金", "龙", "荷", "杨", "青", "长", "花", "柳",
    "新", "坪", "塘", "高", "双", "水", "茶", "梅", "回", "太", "永", "洞", "富", "上",
];
const SECOND: [&str; 30] = [
    "溪", "山", "冲", "田", "坪", "桥", "湾", "岭", "塘", "坳", "源", "江", "林", "竹", "井", "口",
    "家", "湖", "峰", "园", "坡", "垅", "河", "洲", "庄", "铺", "坝", "寨", "平", "阳",
];

/// A two-character place name, distinct for each `n` below 900.
pub fn place(n: usize) -> String {
    format!("{}{}", FIRST[n % 30], SECOND[(n / 30 + n) % 30])
}

/// Names of the compounds (小区) in the communities.
pub const COMPOUNDS: [&str; 20] = [
    "大汉龙城",
    "梅苑",
    "锦绣华庭",
    "天和园",
    "龙湾",
    "资江华府",
    "金域蓝湾",
    "阳光新城",
    "书香门第",
    "翠园",
    "紫金名门",
    "滨江花园",
    "凤凰城",
    "东方明珠",
    "鑫源",
    "和平里",
    "上梅家园",
    "学府苑",
    "丽景",
    "桃源居",
];

/// Surnames for courtyard groups (院落): 张家院落 and the like.
pub const SURNAMES: [&str; 24] = [
    "彭", "曹", "肖", "周", "罗", "刘", "李", "陈", "杨", "王", "邹", "谢", "伍", "孙", "曾", "袁",
    "戴", "吴", "邓", "蒋", "唐", "胡", "欧阳", "梁",
];

/// Chinese numerals for 第N网格.
pub fn ordinal(n: usize) -> String {
    const D: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0 => "零".to_owned(),
        1..=9 => D[n].to_owned(),
        10..=19 => format!("十{}", D[n - 10]),
        20..=99 => format!("{}十{}", D[n / 10], D[n % 10]),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn place_names_are_distinct() {
        let names: std::collections::HashSet<_> = (0..900).map(super::place).collect();
        assert_eq!(names.len(), 900);
        assert_eq!(super::ordinal(12), "十二");
        assert_eq!(super::ordinal(30), "三十");
    }
}
