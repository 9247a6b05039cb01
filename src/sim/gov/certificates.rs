//! E-certificates (电子证照) of the demo people and enterprises, and the two ways the platform
//! hands them out: a holder's list (`POST /api/v1/certificates/query`) and one certificate
//! (`POST /api/v1/certificates/detail`), both only to the holder. Identifiers follow the
//! 电子证照标识 layout `1.2.156.3005.2.{type}.{issuer}.{serial}.{version}.{check}` with an
//! ISO/IEC 7064 MOD 37,36 check character, as one implementation computes it.

use std::sync::Arc;

use jiff::{Span, Zoned, civil::Date};
use poem::{Request, Response, handler, web::Data};

use super::{
    SimState, admit_json, citizens::demo_citizens, enterprises::demo_enterprises, lock, not_found,
    ok, records::StoredCertificate, steps::text,
};
use crate::upstream::gov::wire::{
    Certificate, CertificateRef, CertificateStatus, CertificatesQuery, HolderType,
};

use super::steps::Text;

/// Type code, its name, and the code of its defining agency's type (18 + 3 characters).
#[rustfmt::skip]
const TYPES: &[(&str, Text, &str)] = &[
    ("ID_CARD", ("居民身份证", "ئاھالىلەر كىملىكى", "تۇرعىندار جەكە كۋالىگى"), "11100000000013338W001"),
    ("HOUSEHOLD_REGISTER", ("居民户口簿", "ئاھالىلەر نوپۇس دەپتىرى", "تۇرعىندار ٴۇي ٴتىزىمى كىتاپشاسى"), "11100000000013338W002"),
    ("MARRIAGE_CERT", ("结婚证", "نىكاھ گۇۋاھنامىسى", "نەكە كۋالىگى"), "11100000000014181E001"),
    ("BIRTH_MEDICAL_CERT", ("出生医学证明", "تۇغۇلۇش تىببىي ئىسپاتى", "تۋۋ مەديتسينالىق كۋالىگى"), "11100000MB0344880E001"),
    ("BUSINESS_LICENSE", ("营业执照", "تىجارەت كىنىشكىسى", "كاسىپكەرلىك ليتسەنزياسى"), "11100000MB0143028X001"),
    ("DISABILITY_CERT", ("残疾人证", "مېيىپلەر گۇۋاھنامىسى", "مۇگەدەكتىك كۋالىگى"), "51100000500010993F001"),
    ("DRIVER_LICENSE", ("机动车驾驶证", "ماتورلۇق قاتناش قورالى ھەيدەش گۇۋاھنامىسى", "موتورلى كولىك جۇرگىزۋشى كۋالىگى"), "11100000000013338W003"),
    ("SOCIAL_SECURITY_CARD", ("社会保障卡", "ئىجتىمائىي كاپالەت كارتىسى", "الەۋمەتتىك قامسىزداندىرۋ كارتاسى"), "11100000717802620N001"),
    ("PROPERTY_CERT", ("不动产权证书", "كۆچمەس مۈلۈك ھوقۇق گۇۋاھنامىسى", "جىلجىمايتىن مۇلىك قۇقىعى كۋالىگى"), "11100000MB1815838L001"),
    ("RETIREMENT_CERT", ("退休证", "پېنسىيە گۇۋاھنامىسى", "زەينەتكەرلىك كۋالىگى"), "11100000717802620N002"),
    ("RESIDENCE_PERMIT", ("居住证", "تۇرالغۇ گۇۋاھنامىسى", "تۇرعىلىقتى جەر كۋالىگى"), "11100000000013338W004"),
    ("FOOD_BUSINESS_LICENSE", ("食品经营许可证", "يېمەكلىك تىجارەت ئىجازەتنامىسى", "ازىق-تۇلىك ساۋدا رۇقساتناماسى"), "11100000MB0143028X002"),
];

/// Issuers: name and 18-character code.
#[rustfmt::skip]
const PSB_URUMQI: (Text, &str) = (("乌鲁木齐市公安局", "ئۈرۈمچى شەھەرلىك جامائەت خەۋپسىزلىك ئىدارىسى", "ٴۇرىمجى قالالىق قوعامدىق قاۋىپسىزدىك مەكەمەسى"), "11650100010001234K");
#[rustfmt::skip]
const PSB_ILI: (Text, &str) = (("伊犁哈萨克自治州公安局", "ئىلى قازاق ئاپتونوم ئوبلاستلىق جامائەت خەۋپسىزلىك ئىدارىسى", "ىلە قازاق اۆتونوميالى وبلىستىق قوعامدىق قاۋىپسىزدىك مەكەمەسى"), "116540000101003127");
#[rustfmt::skip]
const PSB_CHANGJI: (Text, &str) = (("昌吉市公安局", "سانجى شەھەرلىك جامائەت خەۋپسىزلىك ئىدارىسى", "سانجى قالالىق قوعامدىق قاۋىپسىزدىك مەكەمەسى"), "11652301010012347Q");
#[rustfmt::skip]
const PSB_KASHGAR: (Text, &str) = (("喀什市公安局", "قەشقەر شەھەرلىك جامائەت خەۋپسىزلىك ئىدارىسى", "قاشقار قالالىق قوعامدىق قاۋىپسىزدىك مەكەمەسى"), "11653101010011238B");
#[rustfmt::skip]
const TRAFFIC: (Text, &str) = (("新疆维吾尔自治区公安厅交通管理局", "شىنجاڭ ئۇيغۇر ئاپتونوم رايونلۇق جامائەت خەۋپسىزلىك نازارىتى قاتناش باشقۇرۇش ئىدارىسى", "شينجياڭ ۇيعۇر اۆتونوميالى رايوندىق قوعامدىق قاۋىپسىزدىك باسقارماسى جول قوزعالىسىن باسقارۋ مەكەمەسى"), "11650000010102345D");
#[rustfmt::skip]
const HRSS: (Text, &str) = (("新疆维吾尔自治区人力资源和社会保障厅", "شىنجاڭ ئۇيغۇر ئاپتونوم رايونلۇق ئادەم كۈچى بايلىقى ۋە ئىجتىمائىي كاپالەت نازارىتى", "شينجياڭ ۇيعۇر اۆتونوميالى رايوندىق ادام كۇشى قورى جانە الەۋمەتتىك قامسىزداندىرۋ باسقارماسى"), "11650000010100451R");
#[rustfmt::skip]
const CIVIL_URUMQI: (Text, &str) = (("乌鲁木齐市天山区民政局", "ئۈرۈمچى شەھەر تەڭرىتاغ رايونلۇق خەلق ئىشلىرى ئىدارىسى", "ٴۇرىمجى قالاسى تيانشان اۋداندىق حالىق ىستەرى مەكەمەسى"), "11650102010015432M");
#[rustfmt::skip]
const CIVIL_YINING: (Text, &str) = (("伊宁市民政局", "غۇلجا شەھەرلىك خەلق ئىشلىرى ئىدارىسى", "قۇلجا قالالىق حالىق ىستەرى مەكەمەسى"), "11654002010016543P");
#[rustfmt::skip]
const DISABLED_CHANGJI: (Text, &str) = (("昌吉市残疾人联合会", "سانجى شەھەرلىك مېيىپلەر بىرلەشمىسى", "سانجى قالالىق مۇگەدەكتەر بىرلەستىگى"), "51652301MJ0012345C");
#[rustfmt::skip]
const PROPERTY_URUMQI: (Text, &str) = (("乌鲁木齐市自然资源局", "ئۈرۈمچى شەھەرلىك تەبىئىي بايلىق ئىدارىسى", "ٴۇرىمجى قالالىق تابيعي رەسۋرستار مەكەمەسى"), "11650100MB1876543H");
#[rustfmt::skip]
const MARKET_ILI: (Text, &str) = (("伊犁哈萨克自治州市场监督管理局", "ئىلى قازاق ئاپتونوم ئوبلاستلىق بازار نازارەت قىلىپ باشقۇرۇش ئىدارىسى", "ىلە قازاق اۆتونوميالى وبلىستىق بازاردى قاداعالاۋ-باسقارۋ مەكەمەسى"), "11654000MB1508279T");

#[derive(Debug, Clone, Copy)]
enum Who {
    Citizen(usize),
    Enterprise(usize),
}

#[derive(Debug, Clone, Copy)]
enum Validity {
    /// Valid for so many years from issue.
    Years(i64),
    /// Valid until so many days from today (negative: already past), issued `years` before.
    UntilDay { days: i64, years: i64 },
    /// 长期
    LongTerm,
}

/// (holder, type, issuer, issued this many days ago, validity, status override)
type Seed = (
    Who,
    &'static str,
    (Text, &'static str),
    i64,
    Validity,
    Option<CertificateStatus>,
);

#[rustfmt::skip]
const SEEDS: &[Seed] = &[
    (Who::Citizen(0), "ID_CARD", PSB_URUMQI, 0, Validity::UntilDay { days: 45, years: 10 }, None),
    (Who::Citizen(0), "HOUSEHOLD_REGISTER", PSB_URUMQI, 3650, Validity::LongTerm, None),
    (Who::Citizen(0), "MARRIAGE_CERT", CIVIL_URUMQI, 2100, Validity::LongTerm, None),
    (Who::Citizen(0), "SOCIAL_SECURITY_CARD", HRSS, 2500, Validity::Years(10), None),
    (Who::Citizen(1), "ID_CARD", PSB_ILI, 4000, Validity::Years(20), None),
    (Who::Citizen(1), "HOUSEHOLD_REGISTER", PSB_ILI, 4000, Validity::LongTerm, None),
    (Who::Citizen(1), "MARRIAGE_CERT", CIVIL_YINING, 120, Validity::LongTerm, None),
    (Who::Citizen(1), "DRIVER_LICENSE", TRAFFIC, 0, Validity::UntilDay { days: 70, years: 6 }, None),
    (Who::Citizen(1), "SOCIAL_SECURITY_CARD", HRSS, 1800, Validity::Years(10), None),
    (Who::Citizen(2), "ID_CARD", PSB_URUMQI, 5000, Validity::LongTerm, None),
    (Who::Citizen(2), "HOUSEHOLD_REGISTER", PSB_URUMQI, 9000, Validity::LongTerm, None),
    (Who::Citizen(2), "RETIREMENT_CERT", HRSS, 3300, Validity::LongTerm, None),
    (Who::Citizen(2), "PROPERTY_CERT", PROPERTY_URUMQI, 2600, Validity::LongTerm, None),
    (Who::Citizen(2), "SOCIAL_SECURITY_CARD", HRSS, 3000, Validity::Years(10), None),
    (Who::Citizen(3), "ID_CARD", PSB_CHANGJI, 3000, Validity::Years(20), None),
    (Who::Citizen(3), "HOUSEHOLD_REGISTER", PSB_CHANGJI, 7000, Validity::LongTerm, None),
    (Who::Citizen(3), "DISABILITY_CERT", DISABLED_CHANGJI, 1100, Validity::Years(10), None),
    (Who::Citizen(3), "SOCIAL_SECURITY_CARD", HRSS, 2200, Validity::Years(10), None),
    (Who::Citizen(4), "ID_CARD", PSB_ILI, 2400, Validity::Years(10), None),
    (Who::Citizen(4), "HOUSEHOLD_REGISTER", PSB_ILI, 2400, Validity::LongTerm, None),
    (Who::Citizen(4), "RESIDENCE_PERMIT", PSB_URUMQI, 0, Validity::UntilDay { days: 30, years: 1 }, None),
    (Who::Citizen(4), "SOCIAL_SECURITY_CARD", HRSS, 900, Validity::Years(10), None),
    (Who::Citizen(5), "ID_CARD", PSB_KASHGAR, 6000, Validity::LongTerm, None),
    (Who::Citizen(5), "HOUSEHOLD_REGISTER", PSB_KASHGAR, 12000, Validity::LongTerm, None),
    (Who::Citizen(5), "RETIREMENT_CERT", HRSS, 5800, Validity::LongTerm, None),
    (Who::Citizen(5), "DRIVER_LICENSE", TRAFFIC, 0, Validity::UntilDay { days: -200, years: 10 }, None),
    (Who::Citizen(5), "SOCIAL_SECURITY_CARD", HRSS, 3100, Validity::Years(10), None),
    (Who::Citizen(6), "DRIVER_LICENSE", TRAFFIC, 700, Validity::Years(6), None),
    (Who::Citizen(6), "SOCIAL_SECURITY_CARD", HRSS, 700, Validity::Years(10), None),
    (Who::Enterprise(0), "BUSINESS_LICENSE", MARKET_ILI, 1500, Validity::LongTerm, None),
    (Who::Enterprise(0), "FOOD_BUSINESS_LICENSE", MARKET_ILI, 0, Validity::UntilDay { days: 60, years: 5 }, None),
    (Who::Enterprise(1), "BUSINESS_LICENSE", MARKET_ILI, 2000, Validity::LongTerm, None),
    (Who::Enterprise(2), "BUSINESS_LICENSE", MARKET_ILI, 300, Validity::LongTerm, Some(CertificateStatus::Revoked)),
];

/// ISO/IEC 7064 MOD 37,36 over the letters and digits of `value`.
fn check_char(value: &str) -> char {
    const M: u32 = 36;
    let mut p = M;
    for c in value.chars().filter(char::is_ascii_alphanumeric) {
        let v = c.to_digit(36).unwrap_or(0);
        let mut s = (p + v) % M;
        if s == 0 {
            s = M;
        }
        p = (s * 2) % (M + 1);
    }
    let check = (M + 1 - p) % M;
    char::from_digit(check, 36).map_or('0', |c| c.to_ascii_uppercase())
}

fn holder(who: Who) -> (String, String, HolderType, &'static str) {
    match who {
        Who::Citizen(i) => {
            let citizen = demo_citizens()[i];
            (
                citizen.id_number.into(),
                citizen.name.into(),
                HolderType::Citizen,
                citizen.id_number,
            )
        }
        Who::Enterprise(i) => {
            let enterprise = demo_enterprises()[i];
            (
                enterprise.uscc.into(),
                enterprise.name.into(),
                HolderType::Enterprise,
                enterprise.uscc,
            )
        }
    }
}

/// 证照编号 as each kind of certificate numbers itself (many reuse the holder's code).
fn certificate_no(type_code: &str, code: &str, serial: usize, issued: Date) -> String {
    match type_code {
        "HOUSEHOLD_REGISTER" => format!("{}{:09}", &code[..6], 100_000 + serial * 7),
        "MARRIAGE_CERT" => format!("J{}-{}-{:06}", &code[..6], issued.year(), serial * 37),
        "DISABILITY_CERT" => format!("{code}42"),
        "RETIREMENT_CERT" => format!("TX{}{:06}", issued.year(), serial * 53),
        "PROPERTY_CERT" => format!(
            "新({})乌鲁木齐市不动产权第{:07}号",
            issued.year(),
            serial * 101
        ),
        "FOOD_BUSINESS_LICENSE" => format!("JY1654026{:07}", serial * 11),
        "SOCIAL_SECURITY_CARD" => format!("J65{:07}", serial * 97),
        _ => code.to_string(),
    }
}

pub(super) fn seed(now: &Zoned) -> Vec<StoredCertificate> {
    let today = now.date();
    SEEDS
        .iter()
        .enumerate()
        .map(
            |(serial, &(who, type_code, (issuer, issuer_code), days_ago, validity, status))| {
                let (holder_code, holder_name, holder_type, code) = holder(who);
                let (issued, valid_to) = match validity {
                    Validity::Years(years) => {
                        let issued = today.saturating_sub(Span::new().days(days_ago));
                        (
                            issued,
                            Some(issued.saturating_add(Span::new().years(years))),
                        )
                    }
                    Validity::UntilDay { days, years } => {
                        let until = today.saturating_add(Span::new().days(days));
                        (until.saturating_sub(Span::new().years(years)), Some(until))
                    }
                    Validity::LongTerm => (today.saturating_sub(Span::new().days(days_ago)), None),
                };
                let (_, name, type_agency) = TYPES
                    .iter()
                    .copied()
                    .find(|(code, ..)| *code == type_code)
                    .unwrap_or(TYPES[0]);
                let id = format!(
                    "1.2.156.3005.2.{type_agency}.{issuer_code}.{:08}.001",
                    20_000 + serial
                );
                let status = status.unwrap_or(if valid_to.is_some_and(|to| to < today) {
                    CertificateStatus::Expired
                } else {
                    CertificateStatus::Valid
                });
                StoredCertificate {
                    holder_code,
                    holder_type,
                    certificate: Certificate {
                        certificate_id: format!("{id}.{}", check_char(&id)),
                        type_code: type_code.to_string(),
                        type_name: text(name),
                        certificate_no: certificate_no(type_code, code, serial, issued),
                        holder_name,
                        issuer_name: text(issuer),
                        issue_date: issued.to_string(),
                        valid_from: issued.to_string(),
                        valid_to: valid_to.map(|to| to.to_string()),
                        status,
                    },
                }
            },
        )
        .collect()
}

#[handler]
pub(super) async fn query(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: CertificatesQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let records = lock(&state.records);
    let list: Vec<&Certificate> = records
        .certificates
        .iter()
        .filter(|stored| {
            stored.holder_code == wanted.holder_code
                && stored.holder_type == wanted.holder_code_type
        })
        .map(|stored| &stored.certificate)
        .collect();
    ok(list)
}

#[handler]
pub(super) async fn detail(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: CertificateRef = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let records = lock(&state.records);
    match records.certificates.iter().find(|stored| {
        stored.certificate.certificate_id == wanted.certificate_id
            && stored.holder_code == wanted.holder_code
    }) {
        Some(stored) => ok(&stored.certificate),
        None => not_found("证照不存在"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::gov::records::now;

    #[test]
    fn every_citizen_and_enterprise_holds_certificates_and_two_expire_within_90_days() {
        let now = now();
        let seeded = seed(&now);
        for citizen in demo_citizens() {
            assert!(
                seeded
                    .iter()
                    .filter(|s| s.holder_code == citizen.id_number)
                    .count()
                    >= 2
            );
        }
        for enterprise in demo_enterprises() {
            assert!(seeded.iter().any(|s| s.holder_code == enterprise.uscc
                && s.certificate.type_code == "BUSINESS_LICENSE"));
        }
        let soon = now.date().saturating_add(Span::new().days(90));
        let expiring = seeded
            .iter()
            .filter(|s| s.certificate.status == CertificateStatus::Valid)
            .filter_map(|s| s.certificate.valid_to.as_deref())
            .filter(|to| to.parse::<Date>().is_ok_and(|to| to <= soon))
            .count();
        assert!(expiring >= 2, "{expiring}");
        assert!(
            seeded
                .iter()
                .any(|s| s.certificate.status == CertificateStatus::Expired)
        );
        assert!(
            seeded
                .iter()
                .any(|s| s.certificate.type_code == "DISABILITY_CERT")
        );
    }

    #[test]
    fn identifiers_are_unique_and_end_with_their_check_character() {
        let seeded = seed(&now());
        let mut ids: Vec<&str> = seeded
            .iter()
            .map(|s| s.certificate.certificate_id.as_str())
            .collect();
        for id in &ids {
            let (body, check) = id.rsplit_once('.').expect("dotted");
            assert!(id.starts_with("1.2.156.3005.2."));
            assert_eq!(check, check_char(body).to_string());
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), seeded.len());
    }

    #[test]
    fn the_check_character_changes_when_one_character_does() {
        assert_ne!(
            check_char("1.2.156.3005.2.A1"),
            check_char("1.2.156.3005.2.A2")
        );
    }
}
