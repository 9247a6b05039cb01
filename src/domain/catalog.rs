//! The service catalog (事项库): service items read from the provincial platform, cached, and
//! browsed with cursor pagination. The platform's data is cached once in all its languages and
//! localized per request.

pub mod search;

use std::{sync::Arc, time::Duration};

use super::cache::{CacheCounters, Fnv1a, Freshness, SharedCache, Ttl};
use crate::{
    config::CacheConfig,
    i18n::Lang,
    msg,
    upstream::gov::{
        CatalogFilter, GovClient, GovError,
        wire::{I18nText, Page, TaskItem},
    },
};

/// Text from an upstream in up to three languages; Chinese is always there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText {
    pub zh: String,
    pub ug: Option<String>,
    pub kk: Option<String>,
}

impl LocalizedText {
    /// The text in `lang`, or the Chinese text when that translation is missing, with the
    /// language actually returned.
    pub fn get(&self, lang: Lang) -> (&str, Lang) {
        let translated = match lang {
            Lang::ZhHans => None,
            Lang::UgArab => self.ug.as_deref(),
            Lang::KkArab => self.kk.as_deref(),
        };
        match translated {
            Some(text) if !text.trim().is_empty() => (text, lang),
            _ => (&self.zh, Lang::ZhHans),
        }
    }
}

impl From<I18nText> for LocalizedText {
    fn from(text: I18nText) -> Self {
        Self {
            zh: text.zh,
            ug: text.ug,
            kk: text.kk,
        }
    }
}

/// 事项类型, the national item-type codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemType {
    Licensing,
    Penalty,
    Coercion,
    Levy,
    Benefit,
    Inspection,
    Confirmation,
    Award,
    Adjudication,
    OtherPower,
    PublicService,
    Other,
}

/// The national item-type codes (事项类型), one table for both directions.
const ITEM_TYPE_CODES: [(&str, ItemType); 12] = [
    ("01", ItemType::Licensing),
    ("02", ItemType::Penalty),
    ("03", ItemType::Coercion),
    ("04", ItemType::Levy),
    ("05", ItemType::Benefit),
    ("06", ItemType::Inspection),
    ("07", ItemType::Confirmation),
    ("08", ItemType::Award),
    ("09", ItemType::Adjudication),
    ("10", ItemType::OtherPower),
    ("20", ItemType::PublicService),
    ("99", ItemType::Other),
];

impl ItemType {
    /// The type for a platform code; codes outside the national list (local extensions such
    /// as 30–32) are `Other`.
    pub fn from_code(code: &str) -> Self {
        ITEM_TYPE_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(Self::Other, |(_, t)| *t)
    }

    /// The national code, `01` … `20`, `99`.
    pub fn code(self) -> &'static str {
        ITEM_TYPE_CODES
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("99", |(c, _)| c)
    }

    pub fn message_id(self) -> &'static str {
        match self {
            Self::Licensing => msg!("item-type-licensing"),
            Self::Penalty => msg!("item-type-penalty"),
            Self::Coercion => msg!("item-type-coercion"),
            Self::Levy => msg!("item-type-levy"),
            Self::Benefit => msg!("item-type-benefit"),
            Self::Inspection => msg!("item-type-inspection"),
            Self::Confirmation => msg!("item-type-confirmation"),
            Self::Award => msg!("item-type-award"),
            Self::Adjudication => msg!("item-type-adjudication"),
            Self::OtherPower => msg!("item-type-other-power"),
            Self::PublicService => msg!("item-type-public-service"),
            Self::Other => msg!("item-type-other"),
        }
    }
}

/// 服务对象: who may apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceObject {
    Person,
    Enterprise,
}

impl ServiceObject {
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Person => msg!("service-object-person"),
            Self::Enterprise => msg!("service-object-enterprise"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayUnit {
    Working,
    Natural,
}

/// A time limit (法定/承诺办结时限); zero days means done on the spot (即办).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeLimit {
    pub days: u32,
    pub unit: DayUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaterialForm {
    Original,
    Copy,
    Electronic,
}

impl MaterialForm {
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Original => msg!("material-form-original"),
            Self::Copy => msg!("material-form-copy"),
            Self::Electronic => msg!("material-form-electronic"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub name: LocalizedText,
    pub form: MaterialForm,
    pub copies: u32,
    pub required: bool,
    /// E-certificate types that stand in for it (免提交): `ID_CARD`, `HOUSEHOLD_REGISTER`, …
    pub certificate_types: Vec<String>,
}

/// A special procedure (特别程序) the item may go through; its days stop the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialProcedure {
    pub name: LocalizedText,
    pub limit_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub code: String,
    pub name: LocalizedText,
}

/// 事项: one service item of the implementation list, with its guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceItem {
    /// 实施编码, the code clients use.
    pub code: String,
    /// 基本编码
    pub catalog_code: String,
    pub name: LocalizedText,
    pub item_type: ItemType,
    pub department: Department,
    pub service_objects: Vec<ServiceObject>,
    pub statutory_limit: TimeLimit,
    pub promised_limit: TimeLimit,
    /// 到办事现场次数
    pub max_visits: u32,
    /// The fee in fen, when the item is charged.
    pub fee_fen: Option<i64>,
    pub acceptance_conditions: LocalizedText,
    pub materials: Vec<Material>,
    pub life_events: Vec<String>,
    /// Theme codes (`household`, `elderly`, …).
    pub themes: Vec<String>,
    /// Ids of the halls where the item is handled in person.
    pub halls: Vec<String>,
    pub special_procedures: Vec<SpecialProcedure>,
    /// Can be applied for in the mini-program.
    pub online_apply: bool,
    pub version: u32,
    /// Names, department and code in all languages, [`search::fold`]ed, for search; folded
    /// on the first search, not for every item fetched.
    search_text: std::sync::OnceLock<String>,
    /// A hash of everything the platform said about the item: part of its `ETag`.
    pub fingerprint: u64,
}

impl ServiceItem {
    /// Names, department and code in all languages, [`search::fold`]ed.
    pub fn search_text(&self) -> &str {
        self.search_text.get_or_init(|| {
            let mut all = vec![self.code.as_str()];
            for text in [&self.name, &self.department.name] {
                all.push(&text.zh);
                all.extend(text.ug.as_deref());
                all.extend(text.kk.as_deref());
            }
            search::fold(&all.join(" "))
        })
    }
}

fn day_unit(code: &str) -> DayUnit {
    if code == "2" {
        DayUnit::Natural
    } else {
        DayUnit::Working
    }
}

/// The item's fingerprint, fed by the wire item's derived `Hash` (its fields in order) rather
/// than its JSON serialized again, which allocated and escaped every item anew on every fetch
/// of the catalog.
fn fingerprint(item: &TaskItem) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = Fnv1a::default();
    item.hash(&mut hasher);
    hasher.finish()
}

impl From<TaskItem> for ServiceItem {
    fn from(item: TaskItem) -> Self {
        let fingerprint = fingerprint(&item);
        let service_objects = item
            .server_type
            .iter()
            .filter_map(|code| match code.as_str() {
                "1" => Some(ServiceObject::Person),
                "2" => Some(ServiceObject::Enterprise),
                _ => None,
            })
            .collect();
        Self {
            code: item.task_code,
            catalog_code: item.catalog_code,
            name: item.task_name.into(),
            item_type: ItemType::from_code(&item.task_type),
            department: Department {
                code: item.dept_code,
                name: item.dept_name.into(),
            },
            service_objects,
            statutory_limit: TimeLimit {
                days: item.anticipate_day,
                unit: day_unit(&item.anticipate_type),
            },
            promised_limit: TimeLimit {
                days: item.promise_day,
                unit: day_unit(&item.promise_type),
            },
            max_visits: item.limit_scene_num,
            fee_fen: item.is_fee.then_some(item.fee_fen),
            acceptance_conditions: item.accept_condition.into(),
            materials: item
                .materials
                .into_iter()
                .map(|m| Material {
                    name: m.material_name.into(),
                    form: match m.material_form.as_str() {
                        "2" => MaterialForm::Copy,
                        "3" => MaterialForm::Electronic,
                        _ => MaterialForm::Original,
                    },
                    copies: m.page_num,
                    required: m.is_need,
                    certificate_types: m.cert_types,
                })
                .collect(),
            life_events: item.life_events,
            themes: item.themes,
            halls: item.halls,
            special_procedures: item
                .special_procedures
                .into_iter()
                .map(|p| SpecialProcedure {
                    name: p.name.into(),
                    limit_days: p.limit_days,
                })
                .collect(),
            online_apply: item.online_apply,
            version: item.version,
            search_text: std::sync::OnceLock::new(),
            fingerprint,
        }
    }
}

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub department: Option<String>,
    pub service_object: Option<ServiceObject>,
    pub life_event: Option<String>,
    pub theme: Option<String>,
    /// A search query in any of the three languages, [`search::fold`]ed.
    pub query: Option<String>,
}

impl Filter {
    fn admits(&self, item: &ServiceItem) -> bool {
        self.department
            .as_ref()
            .is_none_or(|dept| &item.department.code == dept)
            && self
                .service_object
                .is_none_or(|object| item.service_objects.contains(&object))
            && self
                .life_event
                .as_ref()
                .is_none_or(|event| item.life_events.contains(event))
            && self
                .theme
                .as_ref()
                .is_none_or(|theme| item.themes.contains(theme))
            && self
                .query
                .as_ref()
                .is_none_or(|query| search::matches(item.search_text(), query))
    }
}

/// One page of items and the cursor of the next page, if any.
#[derive(Debug, Clone)]
pub struct ItemPage {
    pub items: Vec<Arc<ServiceItem>>,
    pub next_cursor: Option<String>,
    /// Changes whenever any item of the catalog changes: part of the list's `ETag`.
    pub fingerprint: u64,
}

/// The whole catalog as last fetched.
#[derive(Debug)]
struct Snapshot {
    items: Vec<Arc<ServiceItem>>,
    fingerprint: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("no such service item")]
    NotFound,
    #[error("the cursor is not one this server issued")]
    InvalidCursor,
    #[error("the gov platform cannot be reached")]
    Unavailable(#[source] Arc<GovError>),
}

const UPSTREAM_PAGE_SIZE: u32 = 100;

/// The catalog, served from cache; clones share the caches.
#[derive(Clone)]
pub struct Catalog {
    gov: GovClient,
    all: SharedCache<(), Snapshot>,
    items: SharedCache<String, ServiceItem>,
    /// The featured services per stage of life (index into [`STAGES`]) and count.
    featured: SharedCache<(usize, usize), Vec<Arc<ServiceItem>>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog").finish_non_exhaustive()
    }
}

impl Catalog {
    pub fn new(gov: GovClient, config: &CacheConfig, counters: CacheCounters) -> Self {
        let ttl = Ttl {
            fresh: Duration::from_secs(config.catalog_ttl_secs),
            stale_while_revalidate: Duration::from_secs(config.stale_while_revalidate_secs),
            stale_if_error: Duration::from_secs(config.stale_if_error_secs),
            negative: Duration::from_secs(config.negative_ttl_secs),
        };
        Self {
            gov,
            all: SharedCache::new("catalog", ttl, 1, counters.clone()),
            items: SharedCache::new(
                "service_item",
                ttl,
                config.catalog_max_items,
                counters.clone(),
            ),
            featured: SharedCache::new("featured", ttl, 16, counters),
        }
    }

    async fn snapshot(&self) -> Result<(Arc<Snapshot>, Freshness), CatalogError> {
        let gov = self.gov.clone();
        let fetched = self
            .all
            .get(&(), move || {
                let gov = gov.clone();
                async move { fetch_all(&gov).await.map(Some) }
            })
            .await
            .map_err(CatalogError::Unavailable)?;
        // `fetch_all` never answers "not found".
        fetched.ok_or_else(|| CatalogError::Unavailable(Arc::new(GovError::NotFound)))
    }

    /// Items matching `filter`, ordered by department then code, `limit` at a time. Concurrent
    /// misses share one upstream fetch.
    pub async fn list(
        &self,
        filter: &Filter,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<ItemPage, CatalogError> {
        let after = cursor.map(decode_cursor).transpose()?;
        let (all, _) = self.snapshot().await?;
        let matching = all.items.iter().filter(|item| filter.admits(item));
        let mut items: Vec<Arc<ServiceItem>> = match &after {
            Some(key) => matching
                .filter(|item| sort_key(item) > (key.0.as_str(), key.1.as_str()))
                .take(limit + 1)
                .cloned()
                .collect(),
            None => matching.take(limit + 1).cloned().collect(),
        };
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|item| encode_cursor(item))
        } else {
            None
        };
        Ok(ItemPage {
            items,
            next_cursor,
            fingerprint: all.fingerprint,
        })
    }

    /// One item with its guide. `code` must already be checked to be `[A-Za-z0-9-]{1,64}`.
    pub async fn get(&self, code: &str) -> Result<Arc<ServiceItem>, CatalogError> {
        let gov = self.gov.clone();
        let owned = code.to_string();
        let found = self
            .items
            .get(&owned.clone(), move || {
                let gov = gov.clone();
                let code = owned.clone();
                async move {
                    match gov.catalog_item(&code).await {
                        Ok(item) => Ok(Some(ServiceItem::from(item))),
                        Err(GovError::NotFound) => Ok(None),
                        Err(err) => Err(err),
                    }
                }
            })
            .await
            .map_err(CatalogError::Unavailable)?;
        found.map(|(item, _)| item).ok_or(CatalogError::NotFound)
    }

    /// Services worth showing first to a person of `age` (unknown before real-name binding):
    /// items they may apply for online, those of the themes of their stage of life first.
    /// The platform is asked for just those themes' items, not the whole catalog: the home
    /// screen asks for them on every request, and with short TTLs that is every request.
    pub async fn featured(
        &self,
        age: Option<i16>,
        limit: usize,
    ) -> Result<(Arc<Vec<Arc<ServiceItem>>>, Freshness), CatalogError> {
        let stage = match age {
            Some(age) if age >= 60 => 0,
            Some(age) if age < 30 => 1,
            Some(_) => 2,
            None => 3,
        };
        let gov = self.gov.clone();
        let fetched = self
            .featured
            .get(&(stage, limit), move || {
                let gov = gov.clone();
                async move { fetch_featured(&gov, STAGES[stage], limit).await.map(Some) }
            })
            .await
            .map_err(CatalogError::Unavailable)?;
        // `fetch_featured` never answers "not found".
        fetched.ok_or_else(|| CatalogError::Unavailable(Arc::new(GovError::NotFound)))
    }

    /// Drops every cached item, so the next request fetches fresh data.
    pub fn invalidate(&self) {
        self.all.invalidate_all();
        self.items.invalidate_all();
        self.featured.invalidate_all();
    }
}

/// A page of `items`, at most the platform's largest.
fn page_size(items: usize) -> u32 {
    u32::try_from(items)
        .unwrap_or(UPSTREAM_PAGE_SIZE)
        .min(UPSTREAM_PAGE_SIZE)
}

/// Featured services on the home screen.
pub const FEATURED: usize = 6;

/// The themes whose services a person sees first, per stage of life: 60 and over, under 30,
/// in between, and not yet known (before real-name binding).
const STAGES: [&[&str]; 4] = [
    &["elderly", "socialSecurity", "health"],
    &["employment", "education", "civilAffairs", "household"],
    &["household", "socialSecurity", "health", "housing"],
    &["household", "socialSecurity"],
];

/// Pages of the whole list asked for at once before the total is known: the prefecture's
/// catalog fits in two, so one round trip to the platform fetches all of it.
const SPECULATIVE_PAGES: u32 = 2;

/// The whole implementation list.
async fn fetch_all(gov: &GovClient) -> Result<Snapshot, GovError> {
    let mut items = fetch_items(gov, &CatalogFilter::default(), SPECULATIVE_PAGES).await?;
    items.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let fingerprint = items
        .iter()
        .fold(0u64, |acc, item| acc.rotate_left(5) ^ item.fingerprint);
    Ok(Snapshot { items, fingerprint })
}

/// The person services open online, those under `themes` first (in the order of `themes`,
/// then by code), `limit` of them. The platform lists items by code, so when the first theme
/// alone has `limit` services, its first page of `limit` is the answer: one call of a few
/// items (the first 6 under "elderly" are 7,759 bytes brief, against 40,900 for the 33
/// services under any of the three themes for people of 60 and over, which the home screen
/// fetched and parsed on every request its cache did not answer). Otherwise, all the themes'
/// items, ranked; and only when they are still fewer than `limit`, the rest by code.
async fn fetch_featured(
    gov: &GovClient,
    themes: &[&'static str],
    limit: usize,
) -> Result<Vec<Arc<ServiceItem>>, GovError> {
    let mut filter = CatalogFilter {
        themes: themes.iter().take(1).copied().collect(),
        server_type: Some("1"),
        online_apply: true,
        // Brief items: the home screen shows featured services as summaries, never their
        // guides (those come from `get`, which asks for the whole item).
        brief: true,
    };
    let first = gov.catalog_page(&filter, 1, page_size(limit)).await?;
    if first.list.len() >= limit {
        return Ok(first
            .list
            .into_iter()
            .take(limit)
            .map(|item| Arc::new(ServiceItem::from(item)))
            .collect());
    }
    filter.themes = themes.to_vec();
    let rank = |item: &ServiceItem| {
        themes
            .iter()
            .position(|theme| item.themes.iter().any(|t| t == theme))
            .unwrap_or(themes.len())
    };
    let mut featured = fetch_items(gov, &filter, 1).await?;
    featured.sort_by(|a, b| (rank(a), &a.code).cmp(&(rank(b), &b.code)));
    if featured.len() < limit {
        filter.themes.clear();
        let others = gov
            .catalog_page(&filter, 1, page_size(limit + featured.len()))
            .await?
            .list;
        let others: Vec<_> = others
            .into_iter()
            .filter(|item| !featured.iter().any(|f| f.code == item.task_code))
            .map(|item| Arc::new(ServiceItem::from(item)))
            .collect();
        featured.extend(others);
    }
    featured.truncate(limit);
    Ok(featured)
}

/// Every item `filter` admits, by code, one copy each. The first `speculative` pages are
/// requested concurrently, then whatever the reported total says is missing, also
/// concurrently: the latency is one or two round trips, not one per page.
async fn fetch_items(
    gov: &GovClient,
    filter: &CatalogFilter,
    speculative: u32,
) -> Result<Vec<Arc<ServiceItem>>, GovError> {
    let first = pages(gov, filter, 1..=speculative).await?;
    let total = first.first().map_or(0, |page| page.total);
    let last = u32::try_from(total.div_ceil(u64::from(UPSTREAM_PAGE_SIZE))).unwrap_or(u32::MAX);
    let rest = pages(gov, filter, speculative + 1..=last).await?;
    let mut items: Vec<Arc<ServiceItem>> = first
        .into_iter()
        .chain(rest)
        .flat_map(|page| page.list)
        .map(|item| Arc::new(ServiceItem::from(item)))
        .collect();
    items.sort_by(|a, b| a.code.cmp(&b.code));
    // Pages overlap if the catalog changed between requests; one copy of each item.
    items.dedup_by(|a, b| a.code == b.code);
    Ok(items)
}

fn sort_key(item: &ServiceItem) -> (&str, &str) {
    (item.department.code.as_str(), item.code.as_str())
}

/// The pages `numbers`, requested concurrently. Every request is let finish, even when one
/// fails: a half-open circuit breaker admits one probe, and dropping it unfinished because a
/// sibling was refused would keep the breaker from ever closing.
async fn pages(
    gov: &GovClient,
    filter: &CatalogFilter,
    numbers: std::ops::RangeInclusive<u32>,
) -> Result<Vec<Page<TaskItem>>, GovError> {
    futures_util::future::join_all(
        numbers.map(|page_no| gov.catalog_page(filter, page_no, UPSTREAM_PAGE_SIZE)),
    )
    .await
    .into_iter()
    .collect()
}

/// Cursors are opaque to clients: the hex of the last item's sort key.
fn encode_cursor(item: &ServiceItem) -> String {
    hex::encode(format!("{}\u{1f}{}", item.department.code, item.code))
}

fn decode_cursor(cursor: &str) -> Result<(String, String), CatalogError> {
    let bytes = hex::decode(cursor).map_err(|_| CatalogError::InvalidCursor)?;
    let text = String::from_utf8(bytes).map_err(|_| CatalogError::InvalidCursor)?;
    let (dept, code) = text
        .split_once('\u{1f}')
        .ok_or(CatalogError::InvalidCursor)?;
    Ok((dept.to_string(), code.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{config::GovUpstreamConfig, sim::gov::GovSim};

    async fn catalog_and_sim() -> (Catalog, GovSim) {
        let config = GovUpstreamConfig::default();
        let sim = GovSim::start(&config.app_key, &config.app_secret)
            .await
            .expect("sim starts");
        let gov = GovClient::new(&config, sim.base_url()).expect("client");
        let catalog = Catalog::new(gov, &CacheConfig::default(), CacheCounters::default());
        (catalog, sim)
    }

    /// The featured order computed from the whole catalog: person services open online,
    /// ranked by the first of `themes` they are listed under, then by code.
    fn featured_from(all: &[Arc<ServiceItem>], themes: &[&str], limit: usize) -> Vec<String> {
        let rank = |item: &ServiceItem| {
            themes
                .iter()
                .position(|theme| item.themes.iter().any(|t| t == theme))
                .unwrap_or(themes.len())
        };
        let mut candidates: Vec<&Arc<ServiceItem>> = all
            .iter()
            .filter(|item| {
                item.online_apply && item.service_objects.contains(&ServiceObject::Person)
            })
            .collect();
        candidates.sort_by(|a, b| (rank(a), &a.code).cmp(&(rank(b), &b.code)));
        candidates
            .into_iter()
            .take(limit)
            .map(|item| item.code.clone())
            .collect()
    }

    async fn whole(catalog: &Catalog) -> Vec<Arc<ServiceItem>> {
        catalog
            .list(&Filter::default(), None, 1_000)
            .await
            .expect("whole catalog")
            .items
    }

    fn codes(items: &[Arc<ServiceItem>]) -> Vec<String> {
        items.iter().map(|item| item.code.clone()).collect()
    }

    #[tokio::test]
    async fn featured_services_are_one_small_call_when_the_first_theme_has_enough() {
        let (catalog, sim) = catalog_and_sim().await;
        let (featured, freshness) = catalog
            .featured(Some(70), FEATURED)
            .await
            .expect("featured");
        assert_eq!(freshness, Freshness::Fresh);
        assert_eq!(
            sim.catalog_calls(),
            1,
            "one call for the first theme, not the whole catalog"
        );
        assert_eq!(featured.len(), FEATURED);
        assert!(
            featured
                .iter()
                .all(|item| item.themes.iter().any(|t| t == "elderly"))
        );

        let all = whole(&catalog).await;
        assert_eq!(codes(&featured), featured_from(&all, STAGES[0], FEATURED));

        // Kept like any catalog data: the next home screen asks the platform nothing.
        let calls = sim.catalog_calls();
        catalog
            .featured(Some(70), FEATURED)
            .await
            .expect("featured again");
        assert_eq!(sim.catalog_calls(), calls);
    }

    /// Every stage of life gets the order computed from the whole catalog.
    #[tokio::test]
    async fn featured_services_are_ranked_by_the_stages_themes_for_every_stage() {
        let (catalog, _sim) = catalog_and_sim().await;
        let all = whole(&catalog).await;
        for (age, stage) in [(Some(70), 0), (Some(20), 1), (Some(45), 2), (None, 3)] {
            let (featured, _) = catalog.featured(age, FEATURED).await.expect("featured");
            assert_eq!(
                codes(&featured),
                featured_from(&all, STAGES[stage], FEATURED),
                "{age:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_first_theme_with_too_few_services_is_followed_by_the_next_themes() {
        let (catalog, sim) = catalog_and_sim().await;
        // 7 services for people of 60 and over are listed under "elderly" in the seed.
        let (featured, _) = catalog.featured(Some(70), 8).await.expect("featured");
        assert_eq!(
            sim.catalog_calls(),
            2,
            "the first theme, then all three themes"
        );
        assert_eq!(featured.len(), 8);
        assert!(
            featured[..7]
                .iter()
                .all(|item| item.themes.iter().any(|t| t == "elderly"))
        );
        assert!(!featured[7].themes.iter().any(|t| t == "elderly"));

        let all = whole(&catalog).await;
        assert_eq!(codes(&featured), featured_from(&all, STAGES[0], 8));
    }

    #[tokio::test]
    async fn too_few_services_under_the_themes_are_followed_by_the_others_by_code() {
        let (catalog, sim) = catalog_and_sim().await;
        // Before real-name binding: household and social security, 30 services in the seed.
        let (featured, _) = catalog.featured(None, 40).await.expect("featured");
        assert_eq!(
            sim.catalog_calls(),
            3,
            "the first theme, then all the themes, then the rest"
        );
        assert_eq!(featured.len(), 40);
        let themed = |item: &Arc<ServiceItem>| {
            item.themes
                .iter()
                .any(|t| t == "household" || t == "socialSecurity")
        };
        let first_other = featured.iter().position(|item| !themed(item));
        let first_other = first_other.expect("some services outside the themes");
        assert!(featured[first_other..].iter().all(|item| !themed(item)));

        let all = whole(&catalog).await;
        assert_eq!(codes(&featured), featured_from(&all, STAGES[3], 40));
    }

    fn text(zh: &str, ug: Option<&str>) -> LocalizedText {
        LocalizedText {
            zh: zh.into(),
            ug: ug.map(Into::into),
            kk: None,
        }
    }

    #[test]
    fn a_missing_translation_falls_back_to_chinese_and_says_so() {
        let t = text("户口", Some("نوپۇس"));
        assert_eq!(t.get(Lang::UgArab), ("نوپۇس", Lang::UgArab));
        assert_eq!(t.get(Lang::KkArab), ("户口", Lang::ZhHans));
        assert_eq!(
            text("户口", Some("  ")).get(Lang::UgArab),
            ("户口", Lang::ZhHans)
        );
    }

    #[test]
    fn item_type_codes_round_trip() {
        for (code, item_type) in ITEM_TYPE_CODES {
            assert_eq!(ItemType::from_code(code), item_type);
            assert_eq!(item_type.code(), code);
        }
        assert_eq!(ItemType::from_code("31"), ItemType::Other);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() {
        assert!(matches!(
            decode_cursor("zz"),
            Err(CatalogError::InvalidCursor)
        ));
        assert!(matches!(
            decode_cursor(&hex::encode("no-separator")),
            Err(CatalogError::InvalidCursor)
        ));
        let (dept, code) = decode_cursor(&hex::encode("D1\u{1f}C9"))
            .ok()
            .unwrap_or_default();
        assert_eq!((dept.as_str(), code.as_str()), ("D1", "C9"));
    }
}
