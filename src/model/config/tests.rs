use super::*;

pub(crate) const SAMPLE: &str = "\
title: Phụ nữ Đất Tổ
description: Trang thông tin
base_url: https://phunudatto.example.vn/phunu/
timezone: \"+07:00\"
per_page: 5
targets:
  province_per_year: 300
  unit_per_year: 20
units:
  - slug: viet-tri
    name: Thành phố Việt Trì
    short: Việt Trì
  - slug: doan-hung
    name: Huyện Đoan Hùng
    short: Đoan Hùng
  - slug: co-quan-tinh
    name: Cơ quan Hội LHPN tỉnh
    short: Cơ quan tỉnh
    target: 30
profile_kinds:
  - slug: mai-am-tinh-thuong
    name: Mái ấm tình thương
    target: { count: 30, by: 2020 }
  - slug: to-hop-tac
    name: Tổ hợp tác
channels:
  - slug: bao-phu-tho
    name: Báo Phú Thọ
";

pub(crate) fn sample() -> Config {
    Config::from_yaml(Path::new("content/site.yaml"), SAMPLE).unwrap()
}

#[test]
fn tallies_can_be_internal() {
    let internal = format!("{SAMPLE}tallies: {{ public: false }}\n");
    let c = Config::from_yaml(Path::new("content/site.yaml"), &internal).unwrap();
    assert!(!c.tallies_public);
    let typo = format!("{SAMPLE}tallies: {{ pubilc: false }}\n");
    let errors = Config::from_yaml(Path::new("content/site.yaml"), &typo).unwrap_err();
    assert!(errors[0].to_string().contains("pubilc"), "{}", errors[0]);
}

#[test]
fn loads_sample() {
    let c = sample();
    assert_eq!(c.units.len(), 3);
    assert_eq!(c.units[0].target, 20);
    assert_eq!(c.units[2].target, 30);
    assert_eq!(c.province_target, 300);
    assert_eq!(c.base_url.root(), "/phunu/");
    assert_eq!(c.channels[0].slug, "web");
    assert_eq!(c.channels[1].slug, "bao-phu-tho");
    assert!(c.tallies_public, "public unless site.yaml says otherwise");
    assert_eq!(
        c.profile_kinds[0].target,
        Some(KindTarget {
            count: 30,
            by: 2020
        })
    );
}

#[test]
fn unit_matching() {
    let c = sample();
    let cases = [
        ("viet-tri", Some(0)),
        ("Việt Trì", Some(0)),
        ("viet tri", Some(0)),
        ("VIỆT TRÌ", Some(0)),
        ("Thành phố Việt Trì", Some(0)),
        ("đoan hùng", Some(1)),
        ("Huyen Doan Hung", Some(1)),
        ("co quan tinh", Some(2)),
        ("Cơ quan Hội LHPN tỉnh", Some(2)),
        ("ha-hoa", None),
    ];
    for (input, expected) in cases {
        assert_eq!(c.resolve_unit(input).ok().map(|u| u.0), expected, "{input}");
    }
}

#[test]
fn unit_suggestions() {
    let c = sample();
    assert_eq!(c.resolve_unit("viet-tr"), Err(Some("viet-tri".into())));
    assert_eq!(c.resolve_unit("Doan Hun"), Err(Some("doan-hung".into())));
    assert_eq!(c.resolve_unit("Hà Nội thủ đô"), Err(None));
}

#[test]
fn unknown_key_is_named_with_file() {
    let text = SAMPLE.replace("per_page: 5", "per_pgae: 5");
    let errors = Config::from_yaml(Path::new("content/site.yaml"), &text).unwrap_err();
    assert_eq!(errors.len(), 1);
    let shown = errors[0].to_string();
    assert!(shown.starts_with("content/site.yaml:5:"), "{shown}");
    assert!(
        shown.contains("per_pgae") && shown.contains("per_page"),
        "{shown}"
    );
}

#[test]
fn unknown_nested_key_is_named() {
    let text = SAMPLE.replace("    short: Việt Trì", "    shrot: Việt Trì");
    let errors = Config::from_yaml(Path::new("content/site.yaml"), &text).unwrap_err();
    assert!(errors[0].to_string().contains("shrot"), "{}", errors[0]);
    assert_eq!(errors[0].line, 12);
}

#[test]
fn a_unit_slug_too_long_for_a_folder_is_refused() {
    let long = "a".repeat(crate::base::layout::MAX_SEGMENT + 1);
    let text = SAMPLE.replace("slug: doan-hung", &format!("slug: {long}"));
    let errors = Config::from_yaml(Path::new("content/site.yaml"), &text).unwrap_err();
    assert!(errors[0].message.contains("quá dài"), "{errors:?}");
}

#[test]
fn a_value_mistake_still_gives_a_configuration_for_the_content() {
    let text = SAMPLE.replace("per_page: 5", "per_page: năm").replace(
        "base_url: https://phunudatto.example.vn/phunu/",
        "base_url: phunudatto",
    );
    let (config, errors) = Config::from_yaml_lenient(Path::new("content/site.yaml"), &text);
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(config.unwrap().units.len(), 3);
    let (config, errors) = Config::from_yaml_lenient(Path::new("content/site.yaml"), "units: [\n");
    assert!(config.is_none() && errors.len() == 1);
}

#[test]
fn a_wrong_type_deep_inside_is_named_by_item_and_line() {
    let text = SAMPLE
        .replace("    target: 30", "    target: ba mươi")
        .replace("per_page: 5", "per_page: năm");
    let errors = Config::from_yaml(Path::new("content/site.yaml"), &text).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:#?}");
    assert!(
        shown[0].starts_with("content/site.yaml:5: `per_page` phải là một số nguyên"),
        "{shown:#?}"
    );
    assert!(
        shown[1].starts_with("content/site.yaml:19: `target` của mục thứ 3 trong `units` phải là một số nguyên, không phải `ba mươi`"),
        "{shown:#?}"
    );
}

#[test]
fn several_errors_at_once() {
    let text = SAMPLE
        .replace("timezone: \"+07:00\"", "timezone: \"giờ VN\"")
        .replace("per_page: 5", "per_page: 0")
        .replace("slug: doan-hung", "slug: Doan Hung");
    let errors = Config::from_yaml(Path::new("content/site.yaml"), &text).unwrap_err();
    assert_eq!(errors.len(), 3, "{errors:?}");
}
