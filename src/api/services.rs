//! `GET /v1/services` and `GET /v1/services/{code}`: the service catalog and one item's guide,
//! served from the provincial platform through the cache and localized per request.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use super::{
    ApiTags, Text,
    conditional::{etag, matches_etag},
    rendered::{Kept, Rendered},
};
use crate::{
    AppState,
    domain::catalog::{
        CatalogError, DayUnit, Filter, Material, ServiceItem, ServiceObject, TimeLimit, search,
    },
    http::{
        context::RequestCtx,
        problem::{FieldIssue, Problem, ProblemKind, Rule},
    },
    i18n::{Args, Lang, format},
    msg,
};

pub struct ServicesApi;

const DEFAULT_PAGE_SIZE: u32 = 20;

/// Who may apply for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum ServiceObjectCode {
    Person,
    Enterprise,
}

impl From<ServiceObjectCode> for ServiceObject {
    fn from(code: ServiceObjectCode) -> Self {
        match code {
            ServiceObjectCode::Person => ServiceObject::Person,
            ServiceObjectCode::Enterprise => ServiceObject::Enterprise,
        }
    }
}

impl ServiceObjectCode {
    fn code(self) -> &'static str {
        match self {
            ServiceObjectCode::Person => "person",
            ServiceObjectCode::Enterprise => "enterprise",
        }
    }
}

impl From<ServiceObject> for ServiceObjectCode {
    fn from(object: ServiceObject) -> Self {
        match object {
            ServiceObject::Person => ServiceObjectCode::Person,
            ServiceObject::Enterprise => ServiceObjectCode::Enterprise,
        }
    }
}

#[derive(Debug, Clone, Object)]
pub struct DepartmentView {
    /// The department's unified social credit code.
    pub code: String,
    pub name: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum DayUnitCode {
    WorkingDays,
    NaturalDays,
}

/// A time limit; `days` 0 means it is done on the spot (即办).
#[derive(Debug, Clone, Object)]
pub struct TimeLimitView {
    pub days: u32,
    pub unit: DayUnitCode,
    /// `5 个工作日`, `5 خىزمەت كۈنى`, …
    pub display: String,
}

/// A service item as listed.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct ServiceSummary {
    /// 实施编码, used in `/v1/services/{code}`.
    pub code: String,
    pub name: Text,
    /// 事项类型 code (`01` 行政许可 … `20` 公共服务) and its localized name.
    pub item_type: String,
    pub item_type_name: String,
    pub department: DepartmentView,
    pub service_objects: Vec<ServiceObjectCode>,
    /// Localized names of `serviceObjects`, in the same order.
    pub service_object_names: Vec<String>,
    pub promised_limit: TimeLimitView,
    /// 到办事现场次数: visits to a hall needed at most.
    pub max_visits: u32,
    /// `最多跑 1 次`, `无需到现场办理`, …
    pub max_visits_display: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum MaterialFormCode {
    Original,
    Copy,
    Electronic,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct MaterialView {
    pub name: Text,
    pub form: MaterialFormCode,
    pub form_name: String,
    pub copies: u32,
    pub required: bool,
    /// E-certificate types that stand in for it: with one of these in `/v1/me/certificates`
    /// the person need not hand it in (免提交).
    pub certificate_types: Vec<String>,
}

/// A special procedure (特别程序) the item may need; its days do not count in the time limit.
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct SpecialProcedureRuleView {
    pub name: Text,
    pub limit_days: u32,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase")]
pub struct FeeView {
    pub charged: bool,
    /// The fee in fen (1/100 yuan); 0 when free.
    pub amount_fen: i64,
    pub display: String,
}

/// A service item with its guide (办事指南).
#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct ServiceDetail {
    #[oai(flatten)]
    pub summary: ServiceSummary,
    /// 基本编码 in the national basic catalogue.
    pub catalog_code: String,
    pub statutory_limit: TimeLimitView,
    pub acceptance_conditions: Text,
    pub materials: Vec<MaterialView>,
    pub fee: FeeView,
    /// Life events this item belongs to (`birth`, `marriage`, `retirement`, …).
    pub life_events: Vec<String>,
    /// Themes (`household`, `elderly`, … from `/v1/themes`).
    pub themes: Vec<String>,
    /// Halls where it is handled in person (`/v1/halls`, their slots for appointments).
    pub halls: Vec<String>,
    pub special_procedures: Vec<SpecialProcedureRuleView>,
    /// Can be applied for in the mini-program (`POST /v1/me/applications`).
    pub online_apply: bool,
    /// The platform's version of this item.
    pub version: u32,
}

#[derive(Debug, Clone, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct ServicePage {
    pub items: Vec<ServiceSummary>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum ListServicesResponse {
    /// One page of service items.
    #[oai(status = 200)]
    Ok(Json<ServicePage>, #[oai(header = "ETag")] String),
    /// Unchanged since the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
    /// A parameter is invalid (`errors[]` says which), including an unknown `cursor`.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is cached.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

// Built once per request and moved straight into the response: boxing would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(ApiResponse)]
pub enum GetServiceResponse {
    /// The item and its guide.
    #[oai(status = 200)]
    Ok(Rendered<ServiceDetail>, #[oai(header = "ETag")] String),
    /// Unchanged since the `ETag` sent in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(#[oai(header = "ETag")] String),
    /// `code` is malformed.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No item has this code (`service_not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// Something failed inside Tongban.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The provincial platform cannot be reached and nothing is cached.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

#[OpenApi(prefix_path = "/v1/services", tag = "ApiTags::Services")]
impl ServicesApi {
    /// Browse and search the service catalog
    ///
    /// Service items of the prefecture, ordered by department, filtered by department, by who
    /// may apply, by life event and by theme, and searched with `q` in Chinese, Uyghur or Kazakh, `limit`
    /// at a time with an opaque `cursor`. Answers 304 to a matching `If-None-Match`.
    #[oai(path = "/", method = "get", operation_id = "listServices")]
    // The parameters are the operation's documented query parameters, one argument each.
    #[allow(clippy::too_many_arguments)]
    async fn list_services(
        &self,
        state: Data<&AppState>,
        /// Language of the response: `zh-Hans`, `ug-Arab` or `kk-Arab` (also `zh`, `ug`, `kk`).
        /// Overrides `Accept-Language`.
        lang: RequestCtx,
        /// Only items of this department (its unified social credit code, `^[0-9A-Z]{18}$`).
        #[oai(validator(max_length = 18, custom = "super::validators::credit_code()"))]
        department: Query<Option<String>>,
        /// Only items this kind of applicant may apply for.
        #[oai(name = "serviceObject")]
        service_object: Query<Option<ServiceObjectCode>>,
        /// Items per page, 1–100.
        #[oai(
            default = "default_page_size",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        limit: Query<u32>,
        /// Only items of this life event (`birth`, `marriage`, `retirement`, `startBusiness`, …;
        /// `^[A-Za-z]{1,32}$`).
        #[oai(
            name = "lifeEvent",
            validator(max_length = 32, custom = "super::validators::word()")
        )]
        life_event: Query<Option<String>>,
        /// Only items of this theme (`household`, `elderly`, … from `/v1/themes`;
        /// `^[A-Za-z]{1,32}$`).
        #[oai(validator(max_length = 32, custom = "super::validators::word()"))]
        theme: Query<Option<String>>,
        /// Words to search for in the items' names and departments, in any of the three
        /// languages (`身份证`, `كىملىك`, `كۋالىك`); every word must occur.
        #[oai(validator(max_length = 64))]
        q: Query<Option<String>>,
        /// `nextCursor` of the previous page.
        #[oai(validator(max_length = 256))]
        cursor: Query<Option<String>>,
        /// The `ETag` of a copy the client holds.
        #[oai(name = "If-None-Match", validator(max_length = 256))]
        if_none_match: Header<Option<String>>,
    ) -> ListServicesResponse {
        let query = q.0.as_deref().map(search::fold).filter(|q| !q.is_empty());
        let tag_parts = [
            lang.lang.tag(),
            department.0.as_deref().unwrap_or(""),
            service_object.0.map_or("", |o| o.code()),
            life_event.0.as_deref().unwrap_or(""),
            theme.0.as_deref().unwrap_or(""),
            query.as_deref().unwrap_or(""),
            cursor.0.as_deref().unwrap_or(""),
        ];
        let filter = Filter {
            department: department.0.clone(),
            service_object: service_object.0.map(Into::into),
            life_event: life_event.0.clone(),
            theme: theme.0.clone(),
            query: query.clone(),
        };
        match state
            .catalog
            .list(&filter, cursor.0.as_deref(), limit.0 as usize)
            .await
        {
            Ok(page) => {
                let limit_text = limit.0.to_string();
                let mut parts = tag_parts.to_vec();
                parts.push(&limit_text);
                let tag = etag(page.fingerprint, &parts);
                if matches_etag(if_none_match.0.as_deref(), &tag) {
                    return ListServicesResponse::NotModified(tag);
                }
                ListServicesResponse::Ok(
                    Json(ServicePage {
                        items: page.items.iter().map(|item| summary(&lang, item)).collect(),
                        next_cursor: page.next_cursor,
                    }),
                    tag,
                )
            }
            Err(CatalogError::InvalidCursor) => {
                ListServicesResponse::BadRequest(Json(ProblemKind::Validation.build(
                    &lang,
                    &Args::new(),
                    vec![FieldIssue::new("cursor", Rule::InvalidCursor)],
                )))
            }
            Err(err) => ListServicesResponse::Unavailable(unavailable(&lang, &err)),
        }
    }

    /// Read a service guide
    ///
    /// One service item with its guide (办事指南): conditions, materials, time limits, fee.
    /// Answers 304 to a matching `If-None-Match`.
    #[oai(path = "/:code", method = "get", operation_id = "getService")]
    async fn get_service(
        &self,
        state: Data<&AppState>,
        /// Language of the response: `zh-Hans`, `ug-Arab` or `kk-Arab` (also `zh`, `ug`, `kk`).
        /// Overrides `Accept-Language`.
        lang: RequestCtx,
        /// 实施编码 of the item (`^[A-Za-z0-9-]{1,64}$`).
        #[oai(validator(max_length = 64, custom = "super::validators::item_code()"))]
        code: Path<String>,
        /// The `ETag` of a copy the client holds.
        #[oai(name = "If-None-Match", validator(max_length = 256))]
        if_none_match: Header<Option<String>>,
    ) -> GetServiceResponse {
        match state.catalog.get(&code.0).await {
            Ok(item) => {
                let tag = etag(item.fingerprint, &[lang.lang.tag()]);
                if matches_etag(if_none_match.0.as_deref(), &tag) {
                    return GetServiceResponse::NotModified(tag);
                }
                let body = state
                    .guides
                    .render((code.0, lang.lang), item, |item| detail(&lang, item));
                GetServiceResponse::Ok(body, tag)
            }
            Err(CatalogError::NotFound) => GetServiceResponse::NotFound(lang.problem(
                ProblemKind::ServiceNotFound,
                &Args::new().text("code", code.0.clone()),
            )),
            Err(err) => GetServiceResponse::Unavailable(unavailable(&lang, &err)),
        }
    }
}

impl poem_openapi::types::Example for ServicePage {
    fn example() -> Self {
        Self {
            items: vec![example_summary()],
            next_cursor: Some("3131363534303030".into()),
        }
    }
}

impl poem_openapi::types::Example for ServiceDetail {
    fn example() -> Self {
        Self {
            summary: example_summary(),
            catalog_code: "000173001000".into(),
            statutory_limit: TimeLimitView {
                days: 20,
                unit: DayUnitCode::WorkingDays,
                display: "20 个工作日".into(),
            },
            acceptance_conditions: Text::new(
                "年满16周岁的中国公民，应当申领居民身份证。",
                Lang::ZhHans,
            ),
            materials: vec![MaterialView {
                name: Text::new("居民户口簿", Lang::ZhHans),
                form: MaterialFormCode::Original,
                form_name: "原件".into(),
                copies: 1,
                required: true,
                certificate_types: vec!["HOUSEHOLD_REGISTER".into()],
            }],
            fee: FeeView {
                charged: true,
                amount_fen: 2000,
                display: "收费 20.00元".into(),
            },
            life_events: vec![],
            themes: vec!["household".into()],
            halls: vec!["hall-ili-prefecture".into()],
            special_procedures: vec![],
            online_apply: true,
            version: 2,
        }
    }
}

pub fn example_summary() -> ServiceSummary {
    ServiceSummary {
        code: "11654000MB0000001X3000173001001".into(),
        name: Text::new("居民身份证首次申领", Lang::ZhHans),
        item_type: "20".into(),
        item_type_name: "公共服务".into(),
        department: DepartmentView {
            code: "11654000MB0000001X".into(),
            name: Text::new("伊犁哈萨克自治州公安局", Lang::ZhHans),
        },
        service_objects: vec![ServiceObjectCode::Person],
        service_object_names: vec!["个人".into()],
        promised_limit: TimeLimitView {
            days: 15,
            unit: DayUnitCode::WorkingDays,
            display: "15 个工作日".into(),
        },
        max_visits: 1,
        max_visits_display: "最多跑 1 次".into(),
    }
}

fn default_page_size() -> u32 {
    DEFAULT_PAGE_SIZE
}

fn time_limit(ctx: &RequestCtx, limit: TimeLimit) -> TimeLimitView {
    let args = Args::new().count("days", i64::from(limit.days));
    let display = match (limit.days, limit.unit) {
        (0, _) => ctx.text(msg!("time-limit-on-the-spot"), &args),
        (_, DayUnit::Working) => ctx.text(msg!("time-limit-working-days"), &args),
        (_, DayUnit::Natural) => ctx.text(msg!("time-limit-natural-days"), &args),
    };
    TimeLimitView {
        days: limit.days,
        unit: match limit.unit {
            DayUnit::Working => DayUnitCode::WorkingDays,
            DayUnit::Natural => DayUnitCode::NaturalDays,
        },
        display,
    }
}

pub fn summary(ctx: &RequestCtx, item: &ServiceItem) -> ServiceSummary {
    let (name, name_lang) = item.name.get(ctx.lang);
    let (dept, dept_lang) = item.department.name.get(ctx.lang);
    let max_visits_display = if item.max_visits == 0 {
        ctx.text(msg!("visits-none"), &Args::new())
    } else {
        ctx.text(
            msg!("visits-count"),
            &Args::new().count("visits", i64::from(item.max_visits)),
        )
    };
    ServiceSummary {
        code: item.code.clone(),
        name: Text::new(name, name_lang),
        item_type: item.item_type.code().to_string(),
        item_type_name: ctx.text(item.item_type.message_id(), &Args::new()),
        department: DepartmentView {
            code: item.department.code.clone(),
            name: Text::new(dept, dept_lang),
        },
        service_objects: item.service_objects.iter().map(|o| (*o).into()).collect(),
        service_object_names: item
            .service_objects
            .iter()
            .map(|o| ctx.text(o.message_id(), &Args::new()))
            .collect(),
        promised_limit: time_limit(ctx, item.promised_limit),
        max_visits: item.max_visits,
        max_visits_display,
    }
}

/// Logs why the catalog could not be read and answers the localized 503 body.
fn unavailable(ctx: &RequestCtx, err: &CatalogError) -> Json<Problem> {
    tracing::warn!(error = %err, source = ?std::error::Error::source(err), "catalog unavailable");
    ctx.problem(ProblemKind::UpstreamUnavailable, &Args::new())
}

fn material(ctx: &RequestCtx, material: &Material) -> MaterialView {
    use crate::domain::catalog::MaterialForm;
    let (name, name_lang) = material.name.get(ctx.lang);
    MaterialView {
        name: Text::new(name, name_lang),
        form: match material.form {
            MaterialForm::Original => MaterialFormCode::Original,
            MaterialForm::Copy => MaterialFormCode::Copy,
            MaterialForm::Electronic => MaterialFormCode::Electronic,
        },
        form_name: ctx.text(material.form.message_id(), &Args::new()),
        copies: material.copies,
        required: material.required,
        certificate_types: material.certificate_types.clone(),
    }
}

/// Service guides as last rendered, per item code and language: the same item (the same
/// fetch) is sent as the same bytes. Shared data, no personal data; 16 MiB at most, each for
/// ten minutes after its last use.
pub type Guides = Kept<(String, Lang), Arc<ServiceItem>, ServiceDetail>;

pub fn guides() -> Guides {
    Kept::new(16 * 1024 * 1024, std::time::Duration::from_secs(600))
}

fn detail(ctx: &RequestCtx, item: &ServiceItem) -> ServiceDetail {
    let (conditions, conditions_lang) = item.acceptance_conditions.get(ctx.lang);
    let fee = match item.fee_fen {
        Some(fen) => FeeView {
            charged: true,
            amount_fen: fen,
            display: ctx.text(
                msg!("fee-charged"),
                &Args::new().text("amount", format::money(fen, ctx.lang)),
            ),
        },
        None => FeeView {
            charged: false,
            amount_fen: 0,
            display: ctx.text(msg!("fee-free"), &Args::new()),
        },
    };
    ServiceDetail {
        summary: summary(ctx, item),
        catalog_code: item.catalog_code.clone(),
        statutory_limit: time_limit(ctx, item.statutory_limit),
        acceptance_conditions: Text::new(conditions, conditions_lang),
        materials: item.materials.iter().map(|m| material(ctx, m)).collect(),
        fee,
        life_events: item.life_events.clone(),
        themes: item.themes.clone(),
        halls: item.halls.clone(),
        special_procedures: item
            .special_procedures
            .iter()
            .map(|p| {
                let (name, lang) = p.name.get(ctx.lang);
                SpecialProcedureRuleView {
                    name: Text::new(name, lang),
                    limit_days: p.limit_days,
                }
            })
            .collect(),
        online_apply: item.online_apply,
        version: item.version,
    }
}
