//! Demo enterprises of the Ili prefecture: holders of type 001 (统一社会信用代码) with business
//! licences and applications in the simulator, so enterprise flows can be tried end to end.

/// One demo enterprise. All data is invented; the codes carry correct GB 32100 check
/// characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoEnterprise {
    pub name: &'static str,
    /// 统一社会信用代码, the holder code of the enterprise's records.
    pub uscc: &'static str,
    /// The 12-digit division code of where it is registered.
    pub area_code: &'static str,
}

const ENTERPRISES: &[DemoEnterprise] = &[
    // a dairy in Zhaosu county: business licence and a food business licence about to expire
    DemoEnterprise {
        name: "昭苏县天马乳业有限责任公司",
        uscc: "91654026MA78K3QJ5X",
        area_code: "654026000000",
    },
    // a maternity hospital in Yining, whose licence application went through expert review
    DemoEnterprise {
        name: "伊宁市康宁妇产医院有限公司",
        uscc: "91654002MA79D6LT3A",
        area_code: "654002000000",
    },
    // a trading company in Horgos whose registration was revoked
    DemoEnterprise {
        name: "霍尔果斯丝路通达商贸有限公司",
        uscc: "91654004MA7AB2C4XR",
        area_code: "654004000000",
    },
];

/// The demo enterprises, in a stable order.
pub fn demo_enterprises() -> Vec<DemoEnterprise> {
    ENTERPRISES.to_vec()
}

/// The GB 32100 check character of the first 17 characters of a unified social credit code;
/// `None` when a character is outside the code's alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    const ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let mut sum = 0;
    for (c, weight) in first17.chars().zip(WEIGHTS) {
        sum += ALPHABET.find(c)? * weight;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.chars().nth(check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_uscc_has_18_characters_and_a_correct_check_character() {
        for enterprise in demo_enterprises() {
            assert_eq!(enterprise.uscc.len(), 18, "{}", enterprise.name);
            let (body, check) = enterprise.uscc.split_at(17);
            assert_eq!(
                uscc_check_char(body).map(String::from).as_deref(),
                Some(check),
                "{}",
                enterprise.name
            );
        }
    }

    #[test]
    fn the_check_character_matches_a_published_agency_code() {
        assert_eq!(uscc_check_char("11654000010100523"), Some('N'));
        assert_eq!(uscc_check_char("11654000MB1508279"), Some('T'));
        assert_eq!(uscc_check_char("1165400001010052I"), None);
    }
}
