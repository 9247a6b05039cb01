use super::client_and_sim;
use crate::upstream::gov::{CatalogFilter, GovError};

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

#[tokio::test]
async fn the_implementation_list_is_filtered_by_theme_applicant_and_online_application() {
    let (client, _sim) = client_and_sim().await;
    let all = client
        .catalog_page(&CatalogFilter::default(), 1, 100)
        .await
        .expect("whole list");
    let filter = CatalogFilter {
        themes: vec!["elderly", "health"],
        server_type: Some("1"),
        online_apply: true,
        brief: false,
    };
    let page = client
        .catalog_page(&filter, 1, 100)
        .await
        .expect("filtered");
    assert!(
        page.total > 0 && page.total < all.total,
        "{} of {}",
        page.total,
        all.total
    );
    assert_eq!(page.list.len() as u64, page.total);
    for item in &page.list {
        assert!(item.online_apply, "{}", item.task_code);
        assert!(
            item.server_type.iter().any(|t| t == "1"),
            "{}",
            item.task_code
        );
        assert!(
            item.themes.iter().any(|t| t == "elderly" || t == "health"),
            "{}",
            item.task_code
        );
    }
    // Paged like the whole list, by task code.
    let second = client.catalog_page(&filter, 2, 5).await.expect("page 2");
    assert_eq!(second.total, page.total);
    let codes: Vec<_> = second.list.iter().map(|i| &i.task_code).collect();
    let expected: Vec<_> = page.list[5..10].iter().map(|i| &i.task_code).collect();
    assert_eq!(codes, expected);
}

#[tokio::test]
async fn a_brief_list_leaves_the_guide_out_and_keeps_the_summary() {
    let (client, _sim) = client_and_sim().await;
    let full = client
        .catalog_page(&CatalogFilter::default(), 1, 100)
        .await
        .expect("full");
    let brief = CatalogFilter {
        brief: true,
        ..CatalogFilter::default()
    };
    let page = client.catalog_page(&brief, 1, 100).await.expect("brief");
    assert_eq!(page.total, full.total);
    assert!(full.list.iter().any(|item| !item.materials.is_empty()));
    for (brief, full) in page.list.iter().zip(&full.list) {
        assert_eq!(brief.task_code, full.task_code);
        assert_eq!(brief.task_name, full.task_name);
        assert_eq!(brief.dept_name, full.dept_name);
        assert_eq!(brief.promise_day, full.promise_day);
        assert_eq!(brief.themes, full.themes);
        assert!(brief.materials.is_empty() && brief.special_procedures.is_empty());
        assert!(brief.accept_condition.is_blank());
    }
}
