//! The provincial government-service platform's wire format, shared by [`super::GovClient`] and
//! the simulator. Every response is an envelope `{code, message, data}` with `code` `"200"` on
//! success. Every request is signed: HMAC-SHA256 with the app secret over
//! `app_key \n timestamp \n nonce \n METHOD \n path?query`, hex-encoded, sent with the key,
//! timestamp (Unix seconds) and nonce in `X-Gov-*` headers. A request with a non-empty body
//! (the JSON POSTs) signs one more line, the hex SHA-256 of the exact body bytes sent:
//! `app_key \n timestamp \n nonce \n METHOD \n path?query \n sha256hex(body)`, so a body
//! cannot be swapped under a valid signature; requests without a body (GETs) sign the five
//! lines only. The platform refuses a timestamp more than 300 s away from its clock and a nonce
//! it has already seen.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const HEADER_APP_KEY: &str = "x-gov-app-key";
pub const HEADER_TIMESTAMP: &str = "x-gov-timestamp";
pub const HEADER_NONCE: &str = "x-gov-nonce";
pub const HEADER_SIGNATURE: &str = "x-gov-signature";
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

pub const CODE_OK: &str = "200";
pub const CODE_BAD_REQUEST: &str = "400";
pub const CODE_BAD_SIGNATURE: &str = "401";
pub const CODE_NOT_FOUND: &str = "404";
/// The request conflicts with what the platform already holds: an idempotency key reused with
/// another body, a second rating of one application, cancelling a cancelled appointment.
pub const CODE_CONFLICT: &str = "409";
/// The appointment slot has no place left.
pub const CODE_SLOT_FULL: &str = "40901";
/// A field of the body is invalid (level out of range, a bad rating without a comment, a date
/// outside the booking window, an item that cannot be applied for online …).
pub const CODE_VALIDATION: &str = "422";
/// The application is not in a state that allows this (supplementing outside 补正, rating an
/// unfinished application).
pub const CODE_WRONG_STATE: &str = "42201";
pub const CODE_RATE_LIMITED: &str = "429";
pub const CODE_INTERNAL: &str = "500";

/// What a signature covers: one request as sent.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub app_key: &'a str,
    pub timestamp: i64,
    pub nonce: &'a str,
    pub method: &'a str,
    pub path_and_query: &'a str,
    /// The exact body bytes; empty for requests without a body, which sign no body line.
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    fn mac(&self, secret: &[u8]) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
            unreachable!("HMAC takes keys of any length")
        };
        let Self {
            app_key,
            timestamp,
            nonce,
            method,
            path_and_query,
            body,
        } = self;
        mac.update(
            format!("{app_key}\n{timestamp}\n{nonce}\n{method}\n{path_and_query}").as_bytes(),
        );
        if !body.is_empty() {
            mac.update(format!("\n{}", hex::encode(Sha256::digest(body))).as_bytes());
        }
        mac
    }

    /// The hex HMAC-SHA256 signature.
    pub fn sign(&self, secret: &[u8]) -> String {
        hex::encode(self.mac(secret).finalize().into_bytes())
    }

    /// Checks a signature in constant time.
    pub fn verify(&self, secret: &[u8], given: &str) -> bool {
        let Ok(given) = hex::decode(given) else {
            return false;
        };
        self.mac(secret).verify_slice(&given).is_ok()
    }
}

/// The hex HMAC-SHA256 signature of one request without a body.
pub fn signature(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
) -> String {
    SignedRequest {
        app_key,
        timestamp,
        nonce,
        method,
        path_and_query,
        body: &[],
    }
    .sign(secret)
}

/// Checks the signature of a request without a body, in constant time.
pub fn verify(
    secret: &[u8],
    app_key: &str,
    timestamp: i64,
    nonce: &str,
    method: &str,
    path_and_query: &str,
    given: &str,
) -> bool {
    SignedRequest {
        app_key,
        timestamp,
        nonce,
        method,
        path_and_query,
        body: &[],
    }
    .verify(secret, given)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub code: String,
    pub message: String,
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub total: u64,
    pub page_no: u32,
    pub page_size: u32,
    pub list: Vec<T>,
}

/// Text in the platform's three languages; Chinese is always present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct I18nText {
    pub zh: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kk: Option<String>,
}

impl I18nText {
    /// No text in any language (a field a brief list item leaves out).
    pub fn is_blank(&self) -> bool {
        self.zh.is_empty() && self.ug.is_none() && self.kk.is_none()
    }
}

/// One entry of the implementation list (实施清单), with the platform's field names.
#[derive(Debug, Clone, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskItem {
    /// 实施编码
    pub task_code: String,
    /// 基本编码
    pub catalog_code: String,
    pub task_name: I18nText,
    /// 事项类型: 01 行政许可 … 20 公共服务, 99 其他.
    pub task_type: String,
    pub dept_code: String,
    pub dept_name: I18nText,
    /// 服务对象: "1" natural person, "2" legal person.
    pub server_type: Vec<String>,
    /// 办件类型: "1" 即办件, "2" 承诺件.
    pub project_type: String,
    /// 法定办结时限 and its unit ("1" working days, "2" natural days).
    pub anticipate_day: u32,
    pub anticipate_type: String,
    /// 承诺办结时限 and its unit.
    pub promise_day: u32,
    pub promise_type: String,
    /// 到办事现场次数
    pub limit_scene_num: u32,
    pub is_fee: bool,
    #[serde(default)]
    pub fee_fen: i64,
    /// Left out of brief list items (`view=brief`), like `materials` and `specialProcedures`.
    #[serde(default, skip_serializing_if = "I18nText::is_blank")]
    pub accept_condition: I18nText,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub materials: Vec<MaterialItem>,
    #[serde(default)]
    pub life_events: Vec<String>,
    /// Theme codes (`themes.json`) the item is listed under.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Ids of the halls where the item is handled in person.
    #[serde(default)]
    pub halls: Vec<String>,
    /// 办理形式: any of `online`, `window`, `express`, `selfService`.
    #[serde(default)]
    pub handle_forms: Vec<String>,
    /// The item can be applied for through the mini-program.
    #[serde(default)]
    pub online_apply: bool,
    /// 特别程序 whose time does not count in the time limit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special_procedures: Vec<SpecialProcedureRule>,
    pub version: u32,
    pub update_time: String,
}

impl TaskItem {
    /// The item as a brief list entry: without the guide's acceptance conditions, materials
    /// and special procedures.
    pub fn brief(&self) -> Self {
        // Field by field, so that the left-out parts are never copied only to be dropped
        // (`..self.clone()` copied every material and procedure first).
        Self {
            task_code: self.task_code.clone(),
            catalog_code: self.catalog_code.clone(),
            task_name: self.task_name.clone(),
            task_type: self.task_type.clone(),
            dept_code: self.dept_code.clone(),
            dept_name: self.dept_name.clone(),
            server_type: self.server_type.clone(),
            project_type: self.project_type.clone(),
            anticipate_day: self.anticipate_day,
            anticipate_type: self.anticipate_type.clone(),
            promise_day: self.promise_day,
            promise_type: self.promise_type.clone(),
            limit_scene_num: self.limit_scene_num,
            is_fee: self.is_fee,
            fee_fen: self.fee_fen,
            accept_condition: I18nText::default(),
            materials: Vec::new(),
            life_events: self.life_events.clone(),
            themes: self.themes.clone(),
            halls: self.halls.clone(),
            handle_forms: self.handle_forms.clone(),
            online_apply: self.online_apply,
            special_procedures: Vec::new(),
            version: self.version,
            update_time: self.update_time.clone(),
        }
    }
}

#[derive(Debug, Clone, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MaterialItem {
    pub material_name: I18nText,
    /// "1" original, "2" copy, "3" electronic.
    pub material_form: String,
    pub page_num: u32,
    pub is_need: bool,
    /// E-certificate type codes that substitute for the material (免提交).
    #[serde(default)]
    pub cert_types: Vec<String>,
}

/// A special procedure (特别程序: 听证, 检验检测, 专家评审, 公示 …) an item may go through.
#[derive(Debug, Clone, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecialProcedureRule {
    pub name: I18nText,
    /// Its own limit; these days do not count in the item's time limit.
    pub limit_days: u32,
}

/// Body of `POST /api/v1/identity/verify` (统一身份认证 real-name check).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityVerifyRequest {
    pub name: String,
    pub id_number: String,
    /// The token of a face check done in the client's container, when the item requires one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub face_token: Option<String>,
}

/// `data` of the identity verification answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityVerifyData {
    pub result: IdentityVerifyResult,
    /// RFC 3339, the platform's clock.
    pub verified_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityVerifyResult {
    /// The name and the ID number belong together.
    Match,
    /// The ID number exists under another name.
    Mismatch,
    /// No such ID number in the population register.
    NotFound,
    /// The face token did not pass.
    FaceFailed,
}

/// A theme (主题) that groups catalog items for browsing, from `GET /api/v1/themes`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Theme {
    pub code: String,
    pub name: I18nText,
}

/// A "one thing done once" bundle (一件事一次办) of items applied for together, named by its
/// life-event code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    pub code: String,
    pub name: I18nText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<I18nText>,
    /// `person` or `enterprise`: whose life cycle the event belongs to.
    pub lifecycle: String,
    /// The lead department (牵头部门), as its unified social credit code.
    #[serde(default)]
    pub lead_dept_code: String,
    /// 承诺办结时限 of the whole bundle, in working days.
    #[serde(default)]
    pub promise_day: u32,
    pub items: Vec<BundleItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BundleItem {
    pub task_code: String,
    /// Applied for only when the applicant's situation calls for it.
    #[serde(default)]
    pub optional: bool,
}

/// A government-service hall (政务服务大厅) where items are handled in person and appointments
/// are taken.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hall {
    pub hall_id: String,
    pub name: I18nText,
    pub address: I18nText,
    /// Opening hours as people read them; halls in Xinjiang keep local office hours.
    pub hours: I18nText,
    /// 12-digit administrative division code (行政区划代码).
    pub area_code: String,
    pub windows: Vec<HallWindow>,
}

/// One service window (窗口) of a hall.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HallWindow {
    pub no: String,
    pub name: I18nText,
}

/// 持证主体代码类型 (GB/T 36903): what kind of code identifies the holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HolderType {
    /// 111: 公民身份号码, a citizen's ID number.
    #[serde(rename = "111")]
    Citizen,
    /// 001: 统一社会信用代码, an enterprise's unified social credit code.
    #[serde(rename = "001")]
    Enterprise,
}

impl HolderType {
    /// The code as sent on the wire.
    pub fn code(self) -> &'static str {
        match self {
            Self::Citizen => "111",
            Self::Enterprise => "001",
        }
    }
}

/// Writes a Debug that names the type and the listed fields only, so that bodies carrying
/// holder codes, names or phone numbers can never leak them into a log line.
macro_rules! redacted_debug {
    ($type:ident $(, $field:ident)*) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type))
                    $(.field(stringify!($field), &self.$field))*
                    .finish_non_exhaustive()
            }
        }
    };
}

/// Body of `POST /api/v1/applications/query`: one holder's applications, newest first.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationsQuery {
    pub holder_code: String,
    pub holder_code_type: HolderType,
    pub page_no: u32,
    pub page_size: u32,
}
redacted_debug!(ApplicationsQuery, holder_code_type, page_no, page_size);

/// Body of `POST /api/v1/applications/detail`: the platform checks that the project is the
/// holder's.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRef {
    pub project_no: String,
    pub holder_code: String,
}
redacted_debug!(ApplicationRef, project_no);

/// One line of a holder's application list.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationSummary {
    /// 办件编号
    pub project_no: String,
    pub task_code: String,
    pub task_name: I18nText,
    /// 办理状态 code "1"…"16" (see `docs/upstream-gov.md`).
    pub status: String,
    pub apply_time: String,
    /// When the status last changed.
    pub update_time: String,
}

/// 办理状态 codes after which an application is finished and can be rated (好差评).
pub const FINISHED_STATUSES: [&str; 5] = ["11", "12", "13", "15", STATUS_RESULT_READY];
/// 补正(开始): the applicant is asked for more material.
pub const STATUS_SUPPLEMENT_REQUESTED: &str = "6";
/// 补正(结束): the material asked for has been handed in.
pub const STATUS_SUPPLEMENT_SUBMITTED: &str = "7";
/// 已接件: received, not yet accepted.
pub const STATUS_RECEIVED: &str = "1";
/// 出证(待领取): approved, and the result (licence, card, decision) waits at the window to be
/// collected. Not in the SPGL list, which ends at 15: this platform's extension (**UNVERIFIED**
/// against a real provincial platform; `docs/upstream-gov.md` §2).
pub const STATUS_RESULT_READY: &str = "16";

/// 办件: one application by one holder for one item, with its history.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    pub project_no: String,
    pub task_code: String,
    pub task_name: I18nText,
    /// 办理状态 code "1"…"16".
    pub status: String,
    pub apply_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_time: Option<String>,
    /// 承诺办结时间: acceptance plus the promised limit, extended by paused days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promise_due_time: Option<String>,
    /// 法定办结时间
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_due_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finish_time: Option<String>,
    /// Every step so far, oldest first.
    pub history: Vec<ApplicationStep>,
    /// 特别程序 started on this application; the clock is paused while one is open.
    #[serde(default)]
    pub special_procedures: Vec<SpecialProcedureRun>,
    /// The open 一次性补正告知, while the status is "6".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement: Option<SupplementNotice>,
    /// The holder's 好差评 level, once rated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_level: Option<u8>,
}

/// One step of an application (业务动作 in 办理环节), as its history lists it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationStep {
    pub seq: u32,
    /// The 办理状态 code this step led to.
    pub status_code: String,
    pub action: I18nText,
    pub step_name: I18nText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<I18nText>,
    pub start_time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// A special procedure as it ran on one application.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpecialProcedureRun {
    pub name: I18nText,
    pub start_time: String,
    /// Absent while the procedure is still running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// 一次性补正告知: everything that is missing, told at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupplementNotice {
    pub items: Vec<I18nText>,
    pub notice_no: String,
    pub issue_time: String,
    pub due_time: String,
}

/// Body of `POST /api/v1/applications`. The platform keeps the answer per `client_request_id`,
/// so a retried submission never creates a second application.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitApplication {
    pub client_request_id: String,
    pub task_code: String,
    pub holder_code: String,
    pub holder_code_type: HolderType,
    pub holder_name: String,
    pub contact_phone: String,
    /// The item's application form, opaque to the platform's front office.
    pub form_data: serde_json::Map<String, serde_json::Value>,
    pub materials: Vec<SubmittedMaterial>,
}
redacted_debug!(
    SubmitApplication,
    client_request_id,
    task_code,
    holder_code_type
);

/// One material handed in: an e-certificate (免提交) or an uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmittedMaterial {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_ref: Option<String>,
}

/// The answer to a submission or a supplement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitResult {
    pub project_no: String,
    pub status: String,
}

/// Body of `POST /api/v1/applications/supplement` (补正), allowed only in status "6".
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SupplementRequest {
    pub project_no: String,
    pub holder_code: String,
    pub client_request_id: String,
    pub materials: Vec<SubmittedMaterial>,
}
redacted_debug!(SupplementRequest, project_no, client_request_id);

/// Body of `POST /api/v1/certificates/query`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificatesQuery {
    pub holder_code: String,
    pub holder_code_type: HolderType,
}
redacted_debug!(CertificatesQuery, holder_code_type);

/// Body of `POST /api/v1/certificates/detail`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateRef {
    pub certificate_id: String,
    pub holder_code: String,
}
redacted_debug!(CertificateRef, certificate_id);

/// 电子证照: one e-certificate of one holder.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certificate {
    /// 电子证照标识
    pub certificate_id: String,
    /// 证照类型代码, e.g. `ID_CARD`, `DRIVER_LICENSE`.
    pub type_code: String,
    pub type_name: I18nText,
    /// 证照编号, personal: never logged.
    pub certificate_no: String,
    pub holder_name: String,
    pub issuer_name: I18nText,
    /// `YYYY-MM-DD`, as are the validity dates.
    pub issue_date: String,
    pub valid_from: String,
    /// Absent for a long-term (长期) certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<String>,
    pub status: CertificateStatus,
}
redacted_debug!(Certificate, certificate_id, type_code, valid_to, status);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CertificateStatus {
    Valid,
    Expired,
    /// 冻结/暂扣
    Suspended,
    /// 吊销
    Revoked,
    /// 注销
    Cancelled,
}

/// Body of `POST /api/v1/ratings` (好差评): level 5 非常满意 … 1 非常不满意; 1 and 2 are 差评
/// and need a comment so the agency can rectify.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingRequest {
    pub project_no: String,
    pub holder_code: String,
    pub level: u8,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Where the rating was given; Tongban always sends `miniProgram`.
    pub channel: String,
}
redacted_debug!(RatingRequest, project_no, level, channel);

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RatingReceipt {
    pub rating_id: String,
    pub project_no: String,
    pub level: u8,
    pub create_time: String,
}

/// One bookable half hour of a hall, from `GET /api/v1/halls/{hallId}/slots`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    pub slot_id: String,
    /// RFC 3339 with the +08:00 offset.
    pub start: String,
    pub end: String,
    pub capacity: u32,
    pub booked: u32,
}

/// Body of `POST /api/v1/appointments` (预约), idempotent on `client_request_id`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BookAppointment {
    pub client_request_id: String,
    pub slot_id: String,
    pub task_code: String,
    pub holder_code: String,
    pub holder_name: String,
    pub phone: String,
}
redacted_debug!(BookAppointment, client_request_id, slot_id, task_code);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    pub appointment_id: String,
    /// Shown at the hall to take a queue number.
    pub voucher_code: String,
    pub status: AppointmentStatus,
}

/// Body of `POST /api/v1/appointments/query`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentsQuery {
    pub holder_code: String,
}
redacted_debug!(AppointmentsQuery);

/// Body of `POST /api/v1/appointments/cancel`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppointmentCancel {
    pub appointment_id: String,
    pub holder_code: String,
}
redacted_debug!(AppointmentCancel, appointment_id);

/// One appointment of a holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Appointment {
    pub appointment_id: String,
    pub voucher_code: String,
    pub hall_id: String,
    pub slot_id: String,
    pub task_code: String,
    pub start: String,
    pub end: String,
    pub status: AppointmentStatus,
    pub create_time: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AppointmentStatus {
    Booked,
    /// 已取号 at the hall.
    CheckedIn,
    Served,
    Cancelled,
    NoShow,
}

/// Writes a closed set of fact values: a Rust enum whose wire text is exactly the value named
/// in the rules (`docs/benefits-rules.md` §3), with `as_str` giving that text back.
macro_rules! fact_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// The value as sent on the wire and named in the rules.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }
    };
}

fact_enum!(
    /// Sex as registered (and encoded in the ID number's sequence digits).
    Sex { Male = "male", Female = "female" }
);

fact_enum!(
    /// 户口性质: the kind of household registration.
    Hukou { Urban = "urban", Rural = "rural" }
);

fact_enum!(
    /// Household income per person against the local minimum living standard (低保标准).
    IncomeBand {
        /// Under the local minimum.
        Subsistence = "subsistence",
        /// Under 1.5 times the minimum (低收入).
        Low = "low",
        Middle = "middle",
        High = "high",
    }
);

fact_enum!(
    /// 就业状态
    Employment {
        Employed = "employed",
        /// Registered as unemployed (失业登记).
        Unemployed = "unemployed",
        /// 灵活就业
        Flexible = "flexible",
        Farmer = "farmer",
        Retired = "retired",
        Student = "student",
        None = "none",
    }
);

fact_enum!(
    /// 市场主体类型
    EnterpriseType {
        LimitedCompany = "limited_company",
        /// 个人独资企业
        SoleProprietorship = "sole_proprietorship",
        Partnership = "partnership",
        /// 个体工商户
        IndividualBusiness = "individual_business",
        /// 农民专业合作社
        Cooperative = "cooperative",
    }
);

fact_enum!(
    /// 企业规模 as the 工信部 classification names it.
    EnterpriseSize { Micro = "micro", Small = "small", Medium = "medium", Large = "large" }
);

fact_enum!(
    /// 纳税信用等级; `M` is the level of enterprises too new to be rated.
    TaxCredit { A = "A", B = "B", M = "M", C = "C", D = "D" }
);

/// Body of `POST /api/v1/facts/person` (共享数据: one person's facts for eligibility).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonFactsQuery {
    pub id_number: String,
}
redacted_debug!(PersonFactsQuery);

/// Body of `POST /api/v1/facts/person/batch`: at most [`MAX_FACTS_BATCH`] ID numbers.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonFactsBatchQuery {
    pub id_numbers: Vec<String>,
}
redacted_debug!(PersonFactsBatchQuery);

/// Body of `POST /api/v1/facts/enterprise`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseFactsQuery {
    pub credit_code: String,
}
redacted_debug!(EnterpriseFactsQuery);

/// Body of `POST /api/v1/facts/enterprise/batch`: at most [`MAX_FACTS_BATCH`] credit codes.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseFactsBatchQuery {
    pub credit_codes: Vec<String>,
}
redacted_debug!(EnterpriseFactsBatchQuery);

/// Body of `POST /api/v1/facts/person/ids` and `…/enterprise/ids`: one page of the holder
/// codes the platform has facts for, so a sweep can enumerate them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FactsIdsQuery {
    pub page_no: u32,
    pub page_size: u32,
}

/// The most codes one batch query may ask for; more is a `400`.
pub const MAX_FACTS_BATCH: usize = 500;
/// The largest page of `…/ids`; larger sizes are clamped to it.
pub const MAX_FACTS_IDS_PAGE: u32 = 500;

/// One minor child of a person, as the household register knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildFacts {
    /// `YYYY-MM-DD`
    pub birth_date: String,
}

/// The facts the platform shares about one person for eligibility (免申即享), from the
/// population, civil-affairs, disability, human-resources and veterans' registers. Every
/// field is personal: the Debug prints none of them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonFacts {
    pub id_number: String,
    /// `YYYY-MM-DD`, as encoded in the ID number.
    pub birth_date: String,
    pub sex: Sex,
    /// 6-digit county-level division code of the household registration.
    pub district: String,
    pub hukou: Hukou,
    pub household_size: u32,
    /// Household income per person, yuan per month.
    pub income_per_capita: i64,
    pub income_band: IncomeBand,
    /// 0 = none; 1–4 as on the disability certificate (1 most severe).
    pub disability_level: u8,
    /// Children under 18, oldest first.
    pub children: Vec<ChildFacts>,
    pub employment: Employment,
    /// The household receives minimum living support (低保).
    pub subsistence: bool,
    /// Supported as extremely poor (特困供养).
    pub extreme_poverty: bool,
    /// Lives alone (空巢/独居).
    pub living_alone: bool,
    /// Discharged serviceman (退役军人).
    pub veteran: bool,
    /// When any of these facts last changed, RFC 3339 in Beijing time.
    pub updated_at: String,
}
redacted_debug!(PersonFacts);

/// The facts the platform shares about one enterprise, from the market-regulation, tax and
/// social-insurance registers. The Debug leaves out the credit code and the name.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EnterpriseFacts {
    /// 统一社会信用代码
    pub credit_code: String,
    pub name: I18nText,
    #[serde(rename = "type")]
    pub kind: EnterpriseType,
    pub size: EnterpriseSize,
    /// GB/T 4754 section letter `A`…`T`.
    pub industry: String,
    /// 6-digit division code of registration.
    pub district: String,
    /// `YYYY-MM-DD`, the date of establishment (成立日期).
    pub registered_on: String,
    pub tax_credit: TaxCredit,
    /// Insured employees.
    pub employees: u32,
    /// College graduates hired this year and insured.
    pub graduate_hires: u32,
    /// Last year's revenue, yuan.
    pub annual_revenue: i64,
    /// Certified high-tech enterprise (高新技术企业).
    pub high_tech: bool,
    pub updated_at: String,
}
redacted_debug!(EnterpriseFacts, kind, size, industry, district);

/// The answer of a batch facts query: the facts found, in the order asked, and the codes the
/// platform has no facts for. The Debug gives only the counts.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FactsBatch<T> {
    pub list: Vec<T>,
    pub missing: Vec<String>,
}

impl<T> std::fmt::Debug for FactsBatch<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactsBatch")
            .field("found", &self.list.len())
            .field("missing", &self.missing.len())
            .finish()
    }
}

/// The event's id on a life-event delivery (事件推送); timestamp and signature travel in
/// [`HEADER_TIMESTAMP`] and [`HEADER_SIGNATURE`].
pub const HEADER_EVENT_ID: &str = "x-gov-event-id";

fact_enum!(
    /// What happened in a life event.
    LifeEventType {
        /// 出生登记: a child was added to a person's household.
        BirthRegistered = "birth_registered",
        /// A disability certificate was issued or its level changed.
        DisabilityCertified = "disability_certified",
        /// 低保认定
        SubsistenceGranted = "subsistence_granted",
        Retired = "retired",
        /// 失业登记
        UnemploymentRegistered = "unemployment_registered",
        /// A birthday, which may cross an age threshold of some rule.
        Birthday = "birthday",
        /// 设立登记 of a new market entity.
        EnterpriseRegistered = "enterprise_registered",
        /// 变更登记, a new tax credit rating, insured staff changes.
        EnterpriseChanged = "enterprise_changed",
    }
);

/// Whose facts a life event changed. The Debug leaves out the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventSubject {
    #[serde(rename_all = "camelCase")]
    Person { id_number: String },
    #[serde(rename_all = "camelCase")]
    Enterprise { credit_code: String },
}

impl std::fmt::Debug for EventSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Person { .. } => "Person",
            Self::Enterprise { .. } => "Enterprise",
        })
    }
}

/// The body of a life-event delivery: which facts of whom changed; the receiver reads the
/// new values with the facts queries.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LifeEvent {
    /// A UUID v4, also sent as [`HEADER_EVENT_ID`]; the same on every retry.
    pub event_id: String,
    #[serde(rename = "type")]
    pub kind: LifeEventType,
    /// RFC 3339 in Beijing time.
    pub occurred_at: String,
    pub subject: EventSubject,
    /// Wire names of the changed facts (`children`, `disabilityLevel`, …).
    pub facts: Vec<String>,
}
redacted_debug!(LifeEvent, event_id, kind, subject, facts);

// After `LifeEvent` and the macros, which it uses.
mod gov_event;
pub use gov_event::{ApplicationEvent, ApplicationEventType, ApplicationStatusChange, GovEvent};

fn event_mac(key: &[u8], timestamp: i64, event_id: &str, body: &[u8]) -> Hmac<Sha256> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(format!("{timestamp}.{event_id}.").as_bytes());
    mac.update(body);
    mac
}

/// The `X-Gov-Signature` of a life-event delivery: `sha256=` and the lowercase hex
/// HMAC-SHA256 with the event key over `{timestamp}.{eventId}.{raw body}`.
pub fn event_signature(key: &[u8], timestamp: i64, event_id: &str, body: &[u8]) -> String {
    let mac = event_mac(key, timestamp, event_id, body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a life-event signature in constant time.
pub fn verify_event_signature(
    key: &[u8],
    timestamp: i64,
    event_id: &str,
    body: &[u8],
    given: &str,
) -> bool {
    let Some(Ok(given)) = given.strip_prefix("sha256=").map(hex::decode) else {
        return false;
    };
    event_mac(key, timestamp, event_id, body)
        .verify_slice(&given)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let sig = signature(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
        );
        assert!(verify(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
            &sig
        ));
        assert!(!verify(
            b"other",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
            &sig
        ));
        assert!(!verify(
            b"secret",
            "key",
            1_700_000_001,
            "n1",
            "GET",
            "/api/v1/health",
            &sig
        ));
        assert!(!verify(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health?x=1",
            &sig
        ));
        assert!(!verify(
            b"secret",
            "key",
            1_700_000_000,
            "n1",
            "GET",
            "/api/v1/health",
            "zz"
        ));
    }

    #[test]
    fn a_body_adds_its_sha256_as_a_sixth_line() {
        let body = r#"{"name":"王建华","idNumber":"650104195811020019"}"#.as_bytes();
        let request = SignedRequest {
            app_key: "key",
            timestamp: 1_700_000_000,
            nonce: "n1",
            method: "POST",
            path_and_query: "/api/v1/identity/verify",
            body,
        };
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").expect("any key length");
            mac.update(
                format!(
                    "key\n1700000000\nn1\nPOST\n/api/v1/identity/verify\n{}",
                    hex::encode(Sha256::digest(body))
                )
                .as_bytes(),
            );
            hex::encode(mac.finalize().into_bytes())
        };
        let sig = request.sign(b"secret");
        assert_eq!(sig, expected);
        assert!(request.verify(b"secret", &sig));
        let tampered = SignedRequest {
            body: r#"{"name":"王建华","idNumber":"650102199503140022"}"#.as_bytes(),
            ..request
        };
        assert!(!tampered.verify(b"secret", &sig));
        let stripped = SignedRequest {
            body: &[],
            ..request
        };
        assert!(!stripped.verify(b"secret", &sig));
    }

    #[test]
    fn a_request_without_a_body_signs_five_lines_as_before() {
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").expect("any key length");
            mac.update(b"key\n1700000000\nn1\nGET\n/api/v1/health");
            hex::encode(mac.finalize().into_bytes())
        };
        assert_eq!(
            signature(
                b"secret",
                "key",
                1_700_000_000,
                "n1",
                "GET",
                "/api/v1/health"
            ),
            expected
        );
    }

    #[test]
    fn an_event_signature_covers_timestamp_id_and_body() {
        let body = br#"{"eventId":"e1","type":"birthday"}"#;
        let expected = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"key").expect("any key length");
            mac.update(b"1700000000.e1.");
            mac.update(body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        };
        let sig = event_signature(b"key", 1_700_000_000, "e1", body);
        assert_eq!(sig, expected);
        assert!(verify_event_signature(
            b"key",
            1_700_000_000,
            "e1",
            body,
            &sig
        ));
        assert!(!verify_event_signature(
            b"key",
            1_700_000_001,
            "e1",
            body,
            &sig
        ));
        assert!(!verify_event_signature(
            b"key",
            1_700_000_000,
            "e2",
            body,
            &sig
        ));
        assert!(!verify_event_signature(
            b"other",
            1_700_000_000,
            "e1",
            body,
            &sig
        ));
        assert!(!verify_event_signature(
            b"key",
            1_700_000_000,
            "e1",
            b"{}",
            &sig
        ));
        assert!(!verify_event_signature(
            b"key",
            1_700_000_000,
            "e1",
            body,
            &sig[7..]
        ));
    }
}

/// `POST /api/v1/benefits/claims`: a person's claim of a benefit they were found eligible
/// for (免申即享 兑付申请), idempotent on `clientRequestId` (Tongban's offer id).
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BenefitClaim {
    pub policy_id: String,
    pub policy_version: u32,
    /// The period claimed: `once`, `2026` or `2026-11`.
    pub period: String,
    /// In fen, when the benefit is money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    pub holder_code: String,
    pub holder_code_type: HolderType,
    pub client_request_id: String,
}
redacted_debug!(
    BenefitClaim,
    policy_id,
    policy_version,
    period,
    client_request_id
);

/// The platform's receipt of a claim.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimReceipt {
    pub claim_id: String,
    /// `submitted`, then `accepted`, `paid` or `rejected`.
    pub status: String,
}

/// Body of `POST /api/v1/benefits/claims/query`: the current status of a holder's claims.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsQuery {
    pub claim_ids: Vec<String>,
    pub holder_code: String,
    pub holder_code_type: HolderType,
}
redacted_debug!(ClaimsQuery, claim_ids, holder_code_type);

/// A claim as the simulated platform keeps it.
#[derive(Clone)]
pub struct BenefitClaimRecord {
    pub claim: BenefitClaim,
    pub receipt: ClaimReceipt,
}
redacted_debug!(BenefitClaimRecord, receipt);
