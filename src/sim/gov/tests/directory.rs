use super::client_and_sim;
use crate::upstream::gov::GovError;

#[tokio::test]
async fn the_themes_are_the_fourteen_of_the_conventions_in_three_languages() {
    let (client, sim) = client_and_sim().await;
    let themes = client.themes().await.expect("themes");
    assert_eq!(themes.len(), 14);
    assert!(themes.iter().any(|t| t.code == "household"));
    assert!(
        themes
            .iter()
            .all(|t| t.name.ug.is_some() && t.name.kk.is_some())
    );
    assert_eq!(sim.catalog_calls(), 1);
}

#[tokio::test]
async fn bundles_are_listed_and_one_is_found_by_its_code() {
    let (client, _sim) = client_and_sim().await;
    let bundles = client.bundles().await.expect("bundles");
    assert!(bundles.len() >= 10, "{}", bundles.len());
    let birth = client.bundle("birth").await.expect("birth bundle");
    assert_eq!(birth.code, "birth");
    assert!(!birth.items.is_empty());
}

#[tokio::test]
async fn an_unknown_bundle_is_not_found() {
    let (client, _sim) = client_and_sim().await;
    let result = client.bundle("no-such-bundle").await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn the_twelve_halls_of_ili_have_trilingual_names_hours_and_windows() {
    let (client, _sim) = client_and_sim().await;
    let halls = client.halls().await.expect("halls");
    assert_eq!(halls.len(), 12);
    assert!(halls.iter().any(|h| h.hall_id == "hall-qapqal"));
    for hall in &halls {
        assert!(
            hall.name.ug.is_some() && hall.name.kk.is_some(),
            "{}",
            hall.hall_id
        );
        assert!(hall.hours.zh.contains("10:00") && hall.hours.zh.contains("19:30"));
        assert_eq!(hall.area_code.len(), 12);
        assert!(!hall.windows.is_empty());
    }
}
