//! The models' string conversions (`src/conv.rs`, one macro invocation per type): what typify
//! wrote for each type, so `Display`, `FromStr`, `TryFrom`, serde and the checks of constrained
//! strings must all agree, with typify's error texts.

use aitoearn::types::{
    AccountsListTypesItem as Platform,
    PublishFlowCreateBodyItemsItemLinkedinOptionAuthorUrn as Urn,
    PublishFlowCreateBodyItemsItemLinkedinOptionCommentary as Commentary,
};

#[test]
fn string_enums_read_and_write_their_wire_texts_every_way() {
    let texts = [
        "douyin",
        "xhs",
        "wxSph",
        "KWAI",
        "youtube",
        "wxGzh",
        "bilibili",
        "twitter",
        "tiktok",
        "facebook",
        "instagram",
        "threads",
        "pinterest",
        "linkedin",
    ];
    for text in texts {
        let decoded: Platform = serde_json::from_value(text.into()).unwrap();
        assert_eq!(decoded.to_string(), text);
        assert_eq!(serde_json::to_value(decoded).unwrap(), text);
        assert_eq!(text.parse::<Platform>().unwrap(), decoded);
        assert_eq!(Platform::try_from(text).unwrap(), decoded);
        assert_eq!(Platform::try_from(text.to_string()).unwrap(), decoded);
    }
    for wrong in ["Douyin", "kwai", "", "douyin "] {
        let err = wrong.parse::<Platform>().unwrap_err();
        assert_eq!(err.to_string(), "invalid value", "{wrong:?}");
        assert!(Platform::try_from(wrong).is_err());
        assert!(Platform::try_from(wrong.to_string()).is_err());
    }
}

#[test]
fn constrained_strings_check_every_way_in() {
    let good = "urn:li:person:abc";
    let urn: Urn = good.parse().unwrap();
    assert_eq!(urn.as_str(), good, "Deref to String");
    assert_eq!(String::from(urn.clone()), good);
    assert_eq!(Urn::try_from(good).unwrap(), urn);
    assert_eq!(Urn::try_from(good.to_string()).unwrap(), urn);
    assert_eq!(serde_json::from_value::<Urn>(good.into()).unwrap(), urn);
    assert_eq!(serde_json::to_value(&urn).unwrap(), good);

    let pattern = r#"doesn't match pattern "^urn:li:person:[^/?#]+$""#;
    for bad in ["urn:li:org:abc", "urn:li:person:a/b", ""] {
        assert_eq!(
            bad.parse::<Urn>().unwrap_err().to_string(),
            pattern,
            "{bad:?}"
        );
        assert_eq!(Urn::try_from(bad).unwrap_err().to_string(), pattern);
        assert_eq!(
            Urn::try_from(bad.to_string()).unwrap_err().to_string(),
            pattern
        );
        let err = serde_json::from_value::<Urn>(bad.into()).unwrap_err();
        assert_eq!(err.to_string(), pattern, "decoding checks too");
    }

    // maxLength counts characters, not bytes.
    let longest = "字".repeat(3000);
    assert_eq!(longest.parse::<Commentary>().unwrap().as_str(), longest);
    let longer = "a".repeat(3001);
    assert_eq!(
        longer.parse::<Commentary>().unwrap_err().to_string(),
        "longer than 3000 characters"
    );
    assert!(serde_json::from_value::<Commentary>(longer.into()).is_err());
}
