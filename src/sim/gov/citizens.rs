//! The simulated platform's population register: a few demo citizens of Xinjiang, and the
//! real-name check (`POST /api/v1/identity/verify`) answered from them. The same people are meant
//! to appear in the WeChat and Alipay simulators (by `wechat_openid` / `alipay_open_id`), so one
//! demo person can log in, bind their real name and receive benefits end to end.

use std::sync::{Arc, atomic::Ordering};

use jiff::civil::{Date, date};
use poem::{Request, Response, handler, http::StatusCode, web::Data};

use super::{SimState, admit, answer};
use crate::upstream::gov::wire::{
    self, IdentityVerifyData, IdentityVerifyRequest, IdentityVerifyResult,
};

/// One person in the simulated register. All data is invented; the ID numbers have correct
/// check characters so that they pass `IdNumber::parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoCitizen {
    /// As on the ID card: Uyghur and Kazakh names in Chinese transliteration with `·`.
    pub name: &'static str,
    pub id_number: &'static str,
    /// An 11-digit mobile number, for the phone-number flows of the mini-program simulators.
    pub phone: &'static str,
    /// Also encoded in `id_number`; spread so that age rules (over 60, adults) can be tested.
    pub birth_date: Date,
    /// The openid the WeChat simulator gives this person.
    pub wechat_openid: &'static str,
    /// The open_id the Alipay simulator gives this person.
    pub alipay_open_id: &'static str,
}

const CITIZENS: &[DemoCitizen] = &[
    // Uyghur woman in Urumqi's Tianshan district
    DemoCitizen {
        name: "阿依古丽·艾合买提",
        id_number: "650102199503140022",
        phone: "13899990001",
        birth_date: date(1995, 3, 14),
        wechat_openid: "oTongbanDemoCitizen000000001",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000001",
    },
    // Kazakh man in Yining (Ili)
    DemoCitizen {
        name: "叶尔兰·努尔兰",
        id_number: "654002198807210038",
        phone: "13899990002",
        birth_date: date(1988, 7, 21),
        wechat_openid: "oTongbanDemoCitizen000000002",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000002",
    },
    // Han man in Urumqi's Shayibake district, over 60
    DemoCitizen {
        name: "王建华",
        id_number: "650104195811020019",
        phone: "13899990003",
        birth_date: date(1958, 11, 2),
        wechat_openid: "oTongbanDemoCitizen000000003",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000003",
    },
    // Hui woman in Changji
    DemoCitizen {
        name: "马秀兰",
        id_number: "652301197205090028",
        phone: "13899990004",
        birth_date: date(1972, 5, 9),
        wechat_openid: "oTongbanDemoCitizen000000004",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000004",
    },
    // Kazakh woman in Yining county (Ili)
    DemoCitizen {
        name: "古丽娜尔·哈力别克",
        id_number: "654021199912310042",
        phone: "13899990005",
        birth_date: date(1999, 12, 31),
        wechat_openid: "oTongbanDemoCitizen000000005",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000005",
    },
    // Uyghur man in Kashgar, over 70
    DemoCitizen {
        name: "买买提·吐尔逊",
        id_number: "653101195001150050",
        phone: "13899990006",
        birth_date: date(1950, 1, 15),
        wechat_openid: "oTongbanDemoCitizen000000006",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000006",
    },
    // citizen of Kazakhstan (398) with a 2023 permanent-residence ID issued in Xinjiang
    DemoCitizen {
        name: "阿斯哈尔·托克塔尔",
        id_number: "965398198506100014",
        phone: "13899990007",
        birth_date: date(1985, 6, 10),
        wechat_openid: "oTongbanDemoCitizen000000007",
        alipay_open_id: "074TongbanDemoCitizen00000000000000000000000007",
    },
];

/// The demo citizens, in a stable order.
pub fn demo_citizens() -> Vec<DemoCitizen> {
    CITIZENS.to_vec()
}

/// `POST /api/v1/identity/verify`. The signature covers the body, so the body is read before
/// admission.
#[handler]
pub(super) async fn verify(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &body).await {
        return refused;
    }
    state.identity_calls.fetch_add(1, Ordering::SeqCst);
    let Ok(request) = serde_json::from_slice::<IdentityVerifyRequest>(&body) else {
        return answer::<()>(
            StatusCode::BAD_REQUEST,
            wire::CODE_BAD_REQUEST,
            "请求参数错误",
            None,
        );
    };
    let data = IdentityVerifyData {
        result: check(&request),
        verified_at: jiff::Timestamp::now().to_string(),
    };
    answer(StatusCode::OK, wire::CODE_OK, "成功", Some(data))
}

/// The register is consulted first: a face can only be compared with the photo of a person
/// who is found under that name. The face token `"fail"` stands for a failed comparison.
fn check(request: &IdentityVerifyRequest) -> IdentityVerifyResult {
    let Some(citizen) = CITIZENS
        .iter()
        .find(|citizen| citizen.id_number == request.id_number)
    else {
        return IdentityVerifyResult::NotFound;
    };
    if citizen.name != request.name {
        IdentityVerifyResult::Mismatch
    } else if request.face_token.as_deref() == Some("fail") {
        IdentityVerifyResult::FaceFailed
    } else {
        IdentityVerifyResult::Match
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use secrecy::SecretString;

    use super::*;
    use crate::{
        domain::identity::id_number::{IdKind, IdNumber},
        sim::gov::GovSim,
    };

    #[test]
    fn every_demo_id_number_parses_and_encodes_the_birth_date() {
        for citizen in demo_citizens() {
            let id = IdNumber::parse(citizen.id_number).expect(citizen.name);
            assert_eq!(id.birth_date(), citizen.birth_date, "{}", citizen.name);
        }
    }

    #[test]
    fn the_register_covers_the_people_tests_need() {
        let citizens = demo_citizens();
        assert!(citizens.len() >= 6);
        let kinds: Vec<IdKind> = citizens
            .iter()
            .filter_map(|c| IdNumber::parse(c.id_number).ok())
            .map(|id| id.kind())
            .collect();
        assert!(kinds.contains(&IdKind::ForeignPermanentResident));
        let residents = citizens.iter().filter(|c| c.id_number.starts_with("65"));
        assert_eq!(residents.count(), citizens.len() - 1);
        let sixty_years_ago =
            jiff::civil::date(2025, 1, 1).saturating_sub(jiff::Span::new().years(60));
        assert!(citizens.iter().any(|c| c.birth_date < sixty_years_ago));
        assert!(citizens.iter().any(|c| c.name.contains('·')));
        assert!(citizens.iter().any(|c| !c.name.contains('·')));
    }

    #[test]
    fn demo_identifiers_are_unique_and_well_formed() {
        let citizens = demo_citizens();
        for field in [
            |c: &DemoCitizen| c.id_number,
            |c: &DemoCitizen| c.phone,
            |c: &DemoCitizen| c.wechat_openid,
            |c: &DemoCitizen| c.alipay_open_id,
        ] {
            let unique: HashSet<&str> = citizens.iter().map(field).collect();
            assert_eq!(unique.len(), citizens.len());
        }
        for citizen in &citizens {
            assert_eq!(citizen.phone.len(), 11);
            assert!(citizen.phone.starts_with('1'));
            assert_eq!(citizen.wechat_openid.len(), 28);
        }
    }

    fn request(name: &str, id_number: &str, face_token: Option<&str>) -> IdentityVerifyRequest {
        IdentityVerifyRequest {
            name: name.into(),
            id_number: id_number.into(),
            face_token: face_token.map(Into::into),
        }
    }

    #[test]
    fn the_register_answers_match_mismatch_not_found_and_face_failed() {
        let aygul = CITIZENS[0];
        let check_of = |name, id, face| check(&request(name, id, face));
        assert_eq!(
            check_of(aygul.name, aygul.id_number, None),
            IdentityVerifyResult::Match
        );
        assert_eq!(
            check_of(aygul.name, aygul.id_number, Some("ok")),
            IdentityVerifyResult::Match
        );
        assert_eq!(
            check_of("王建华", aygul.id_number, None),
            IdentityVerifyResult::Mismatch
        );
        assert_eq!(
            check_of(aygul.name, "11010519491231002X", None),
            IdentityVerifyResult::NotFound
        );
        assert_eq!(
            check_of(aygul.name, aygul.id_number, Some("fail")),
            IdentityVerifyResult::FaceFailed
        );
    }

    /// Sends a POST signed over `signed_body` but carrying `sent_body`.
    async fn post_signed(sim: &GovSim, signed_body: &[u8], sent_body: &[u8]) -> serde_json::Value {
        let path = "/api/v1/identity/verify";
        let timestamp = jiff::Timestamp::now().as_second();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let signature = wire::SignedRequest {
            app_key: "key",
            timestamp,
            nonce: &nonce,
            method: "POST",
            path_and_query: path,
            body: signed_body,
        }
        .sign(b"secret");
        reqwest::Client::new()
            .post(format!("{}{path}", sim.base_url()))
            .header(wire::HEADER_APP_KEY, "key")
            .header(wire::HEADER_TIMESTAMP, timestamp.to_string())
            .header(wire::HEADER_NONCE, nonce)
            .header(wire::HEADER_SIGNATURE, signature)
            .header("content-type", "application/json")
            .body(sent_body.to_vec())
            .send()
            .await
            .expect("sim answers")
            .json()
            .await
            .expect("json envelope")
    }

    #[tokio::test]
    async fn a_body_changed_after_signing_is_refused() {
        let sim = GovSim::start("key", &SecretString::from("secret"))
            .await
            .expect("sim");
        let aygul = CITIZENS[0];
        let signed = serde_json::to_vec(&request(aygul.name, aygul.id_number, None)).expect("json");
        let swapped =
            serde_json::to_vec(&request("王建华", "650104195811020019", None)).expect("json");

        let refused = post_signed(&sim, &signed, &swapped).await;
        let accepted = post_signed(&sim, &signed, &signed).await;

        assert_eq!(refused["code"], wire::CODE_BAD_SIGNATURE, "{refused}");
        assert_eq!(accepted["code"], wire::CODE_OK, "{accepted}");
        assert_eq!(accepted["data"]["result"], "match");
        assert_eq!(sim.identity_calls(), 1);
    }

    #[tokio::test]
    async fn a_body_that_is_not_the_request_shape_is_a_bad_request() {
        let sim = GovSim::start("key", &SecretString::from("secret"))
            .await
            .expect("sim");
        let answer = post_signed(&sim, b"{\"name\": 1}", b"{\"name\": 1}").await;
        assert_eq!(answer["code"], wire::CODE_BAD_REQUEST, "{answer}");
    }
}
