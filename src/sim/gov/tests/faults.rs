use std::time::{Duration, Instant};

use super::{citizen, client_and_sim};
use crate::{
    sim::gov::{Faults, Resource},
    upstream::gov::GovError,
};

#[tokio::test]
async fn an_outage_of_certificates_leaves_applications_working() {
    let (client, sim) = client_and_sim().await;
    sim.set_faults(
        Resource::Certificates,
        Faults {
            outage: true,
            ..Faults::default()
        },
    );
    let certificates = client.certificates(&citizen(0)).await;
    assert!(
        matches!(certificates, Err(GovError::Unavailable(_))),
        "{certificates:?}"
    );
    client
        .applications(&citizen(0), 1, 10)
        .await
        .expect("applications still work");
    assert_eq!(sim.calls(Resource::Certificates), 0);
    assert_eq!(sim.calls(Resource::Applications), 1);
}

#[tokio::test]
async fn an_error_rate_of_one_always_fails_and_zero_never_does() {
    let (client, sim) = client_and_sim().await;
    sim.set_faults(
        Resource::Halls,
        Faults {
            error_rate: 1.0,
            ..Faults::default()
        },
    );
    for _ in 0..10 {
        let result = client.halls().await;
        assert!(
            matches!(result, Err(GovError::Unavailable(_))),
            "{result:?}"
        );
    }
    assert_eq!(sim.calls(Resource::Halls), 0);
    sim.set_faults(Resource::Halls, Faults::default());
    for _ in 0..10 {
        client.halls().await.expect("no errors at rate 0");
    }
    assert_eq!(sim.calls(Resource::Halls), 10);
}

#[tokio::test]
async fn an_error_rate_of_one_half_fails_some_and_passes_some() {
    let (client, sim) = client_and_sim().await;
    sim.set_faults(
        Resource::Bundles,
        Faults {
            error_rate: 0.5,
            ..Faults::default()
        },
    );
    let mut failed = 0;
    for _ in 0..60 {
        if client.bundles().await.is_err() {
            failed += 1;
        }
    }
    // 60 fair coin flips all landing one way has a chance of 2^-59.
    assert!((1..60).contains(&failed), "{failed}");
}

#[tokio::test]
async fn latency_adds_time_to_that_resource_only() {
    let (client, sim) = client_and_sim().await;
    sim.set_faults(
        Resource::Ratings,
        Faults {
            latency: Duration::from_millis(300),
            ..Faults::default()
        },
    );
    let started = Instant::now();
    let _ = client
        .rate("no-such-project", &citizen(0), 5, &[], None)
        .await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    client.halls().await.expect("halls");
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn all_faults_take_every_resource_down_at_once() {
    let (client, sim) = client_and_sim().await;
    sim.set_all_faults(Faults {
        outage: true,
        ..Faults::default()
    });
    assert!(matches!(
        client.health().await,
        Err(GovError::Unavailable(_))
    ));
    assert!(matches!(
        client.halls().await,
        Err(GovError::Unavailable(_))
    ));
    assert!(matches!(
        client.themes().await,
        Err(GovError::Unavailable(_))
    ));
    assert!(Resource::ALL.iter().all(|r| sim.calls(*r) == 0));
}
