use super::{citizen, client_and_sim, enterprise};
use crate::upstream::gov::{GovError, wire::CertificateStatus};

#[tokio::test]
async fn a_citizen_gets_their_own_certificates() {
    let (client, sim) = client_and_sim().await;
    let certificates = client.certificates(&citizen(0)).await.expect("list");
    let types: Vec<&str> = certificates.iter().map(|c| c.type_code.as_str()).collect();
    assert!(
        types.contains(&"ID_CARD") && types.contains(&"HOUSEHOLD_REGISTER"),
        "{types:?}"
    );
    assert!(
        certificates
            .iter()
            .all(|c| c.holder_name == super::demo_citizens()[0].name)
    );
    assert_eq!(sim.calls(super::super::Resource::Certificates), 1);
}

#[tokio::test]
async fn an_enterprise_gets_its_business_licence_and_a_revoked_one_says_so() {
    let (client, _sim) = client_and_sim().await;
    let dairy = client.certificates(&enterprise(0)).await.expect("dairy");
    assert!(dairy.iter().any(|c| c.type_code == "BUSINESS_LICENSE"
        && c.certificate_no == super::demo_enterprises()[0].uscc));
    let revoked = client.certificates(&enterprise(2)).await.expect("trading");
    assert_eq!(revoked[0].status, CertificateStatus::Revoked);
}

#[tokio::test]
async fn one_certificate_is_found_by_its_holder_and_not_by_anyone_else() {
    let (client, _sim) = client_and_sim().await;
    let mine = client.certificates(&citizen(1)).await.expect("list");
    let id = &mine[0].certificate_id;
    let found = client.certificate(id, &citizen(1)).await.expect("own");
    assert_eq!(&found.certificate_id, id);
    let result = client.certificate(id, &citizen(0)).await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn a_citizens_code_asked_as_an_enterprise_finds_nothing() {
    let (client, _sim) = client_and_sim().await;
    let holder = crate::upstream::gov::Holder::enterprise(super::demo_citizens()[0].id_number);
    let certificates = client.certificates(&holder).await.expect("list");
    assert!(certificates.is_empty());
}
