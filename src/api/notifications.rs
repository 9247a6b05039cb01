//! The person's notifications and how they may be reached: the in-app inbox
//! (`/v1/notifications`), subscription-message credits (`/v1/me/subscriptions`), the app's push
//! registrations (`/v1/me/devices`) and channel preferences (`/v1/me/notification-settings`).

use base64::Engine;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::Example,
};

use super::{ApiTags, internal, rfc3339};
use crate::{
    AppState,
    domain::push::{
        Channel, Kind,
        inbox::InboxEntry,
        outbox::Params,
        preferences::{Credit, PopupResult, PreferenceError},
        schedule::QuietHours,
    },
    http::{
        auth::CitizenAuth,
        context::RequestCtx,
        problem::{Problem, ProblemKind},
    },
    i18n::Args,
};

pub struct NotificationsApi;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum NotificationKindView {
    /// A benefit the person qualifies for (`link.id` is the offer: `GET /v1/benefits/{id}`).
    BenefitOffer,
    /// An application's status changed (`link.id` is the project number:
    /// `GET /v1/me/applications/{id}`).
    ApplicationStatus,
}

/// Where else the notification went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum DeliveryView {
    /// Waiting: quiet hours, a retry, or the dispatcher has not reached it yet.
    Pending,
    /// A platform accepted it (`channel`).
    Sent,
    /// It could not be delivered elsewhere before its deadline: the inbox has it.
    Failed,
    /// No channel the person allowed could take it: the inbox alone has it.
    InboxOnly,
}

/// A channel outside the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum ChannelView {
    /// WeChat subscription message.
    Wechat,
    /// Alipay subscription message.
    Alipay,
    /// App push.
    App,
}

impl From<Channel> for ChannelView {
    fn from(channel: Channel) -> Self {
        match channel {
            Channel::Wechat => Self::Wechat,
            Channel::Alipay => Self::Alipay,
            Channel::App => Self::App,
        }
    }
}

impl From<ChannelView> for Channel {
    fn from(channel: ChannelView) -> Self {
        match channel {
            ChannelView::Wechat => Self::Wechat,
            ChannelView::Alipay => Self::Alipay,
            ChannelView::App => Self::App,
        }
    }
}

/// One notification, in the request's language.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct NotificationView {
    pub id: String,
    pub kind: NotificationKindView,
    /// The offer id or the application's project number.
    pub subject_id: String,
    pub title: String,
    pub body: String,
    /// For benefit offers: why the person qualifies, one line per condition, with their own
    /// values as the platform knew them when the offer was made.
    pub reasons: Vec<String>,
    /// A short prompt for what to do next.
    pub hint: String,
    pub created_at: String,
    #[oai(skip_serializing_if_is_none)]
    pub read_at: Option<String>,
    pub delivery: DeliveryView,
    #[oai(skip_serializing_if_is_none)]
    pub channel: Option<ChannelView>,
}

/// A page of the inbox, newest first.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct NotificationList {
    pub items: Vec<NotificationView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    pub next_cursor: Option<String>,
    pub unread_count: u64,
}

/// How many were marked read.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct MarkedRead {
    pub marked: u64,
}

/// The person's answer for one template in `wx.requestSubscribeMessage` /
/// `my.requestSubscribeMessage`, as the platform returned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum PopupResultView {
    Accept,
    Reject,
    /// The person turned the template off in settings.
    Ban,
    /// The platform filtered the template out.
    Filter,
}

/// One template's answer.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PopupAnswer {
    #[oai(validator(min_length = 1, max_length = 128))]
    pub template_id: String,
    pub result: PopupResultView,
}

/// A platform that sends subscription messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum MessagePlatform {
    Wechat,
    Alipay,
}

/// The answers of one subscription popup.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PopupAnswers {
    pub platform: MessagePlatform,
    /// At most 3 templates per popup (both platforms' limit).
    #[oai(validator(min_items = 1, max_items = 3))]
    pub results: Vec<PopupAnswer>,
    /// The templates are long-term subscriptions (government services may use them): an
    /// accept allows any number of messages until the person turns it off.
    #[oai(default)]
    pub long_term: bool,
}

/// A template the client may ask the person to accept.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SubscriptionView {
    pub platform: MessagePlatform,
    pub template_id: String,
    /// What it is used for.
    pub purpose: NotificationKindView,
    /// Messages that may still be sent (one per accept).
    pub credits: i64,
    pub long_term: bool,
}

/// Templates to pass to `wx.requestSubscribeMessage` / `my.requestSubscribeMessage`.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionView>,
}

/// The app's device platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum DevicePlatformView {
    Android,
    Ios,
}

/// A push registration of the app.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct DeviceRegistration {
    pub platform: DevicePlatformView,
}

/// Quiet hours, `HH:MM` in the person's time zone (`timeZone` of `GET /v1/me`).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct QuietHoursView {
    #[oai(validator(min_length = 5, max_length = 5))]
    pub start: String,
    #[oai(validator(min_length = 5, max_length = 5))]
    pub end: String,
}

/// How the person wants to be reached. The inbox always has everything.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct NotificationSettings {
    /// In order of preference; empty: the inbox only.
    #[oai(validator(max_items = 3))]
    pub channels: Vec<ChannelView>,
    /// Nothing is pushed between `start` and `end`; it waits until `end`.
    pub quiet_hours: QuietHoursView,
}

/// Changes to the settings; absent fields stay.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NotificationSettingsChange {
    #[oai(validator(max_items = 3))]
    pub channels: Option<Vec<ChannelView>>,
    pub quiet_hours: Option<QuietHoursView>,
}

#[derive(ApiResponse)]
pub enum NotificationsProblem {
    /// A parameter or the body is invalid (`validation_failed`), including a bad `cursor`.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// Not signed in (`unauthorized`, `token_expired`).
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// No such notification or device of this person (`notification_not_found`,
    /// `device_not_found`).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// A template id that is not configured (`template_unknown`).
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

#[derive(ApiResponse)]
pub enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

fn kind_view(kind: Kind) -> NotificationKindView {
    match kind {
        Kind::BenefitOffer => NotificationKindView::BenefitOffer,
        Kind::ApplicationStatus => NotificationKindView::ApplicationStatus,
    }
}

fn platform_view(channel: Channel) -> MessagePlatform {
    if channel == Channel::Alipay {
        MessagePlatform::Alipay
    } else {
        MessagePlatform::Wechat
    }
}

fn subscriptions(credits: Vec<Credit>) -> SubscriptionList {
    SubscriptionList {
        items: credits
            .into_iter()
            .map(|c| SubscriptionView {
                platform: platform_view(c.platform),
                template_id: c.template_id,
                purpose: kind_view(c.kind),
                credits: c.credits,
                long_term: c.long_term,
            })
            .collect(),
    }
}

fn millis(ms: i64) -> String {
    rfc3339(ms.div_euclid(1000))
}

fn encode_cursor(at: i64, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}.{id}"))
}

fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (at, id) = text.split_once('.')?;
    Some((at.parse().ok()?, id.to_string()))
}

async fn view(
    state: &AppState,
    lang: &RequestCtx,
    account_id: &str,
    entry: InboxEntry,
) -> NotificationView {
    let rendered = state.push.render(lang.lang, &entry.params);
    let (subject_id, reasons) = match &entry.params {
        Params::BenefitOffer { offer_id, .. } => {
            let reasons = match state.benefits.offer_of(account_id, offer_id).await {
                Ok(offer) => offer
                    .reasons
                    .iter()
                    .map(|reason| {
                        crate::domain::benefits::explain::render(&lang.l10n, lang.lang, reason)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            (offer_id.clone(), reasons)
        }
        Params::ApplicationStatus { project_no, .. } => (project_no.clone(), Vec::new()),
    };
    let delivery = match entry.state.as_str() {
        "sent" => DeliveryView::Sent,
        "failed" => DeliveryView::Failed,
        "inbox" => DeliveryView::InboxOnly,
        _ => DeliveryView::Pending,
    };
    NotificationView {
        id: entry.id,
        kind: kind_view(entry.kind),
        subject_id,
        title: rendered.title,
        body: rendered.body,
        reasons,
        hint: rendered.hint,
        created_at: millis(entry.created_at),
        read_at: entry.read_at.map(millis),
        delivery,
        channel: (delivery == DeliveryView::Sent)
            .then_some(entry.channel.map(Into::into))
            .flatten(),
    }
}

fn not_found(lang: &RequestCtx, kind: ProblemKind) -> NotificationsProblem {
    NotificationsProblem::NotFound(lang.problem(kind, &Args::new()))
}

#[OpenApi(tag = "ApiTags::Me")]
impl NotificationsApi {
    /// List my notifications
    ///
    /// The in-app inbox: everything the person was told, newest first, with the full text and,
    /// for benefits, why they qualify. Notifications sent through WeChat, Alipay or app push
    /// are here too (`delivery`, `channel`).
    #[oai(
        path = "/v1/notifications",
        method = "get",
        operation_id = "listNotifications"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        /// Only unread notifications.
        #[oai(default)]
        unread: Query<bool>,
        /// From `nextCursor` of the previous page.
        #[oai(validator(max_length = 200))]
        cursor: Query<Option<String>>,
        /// Page size, 1 to 50.
        #[oai(
            default = "default_limit",
            validator(minimum(value = "1"), maximum(value = "50"))
        )]
        limit: Query<u32>,
    ) -> Result<Json<NotificationList>, NotificationsProblem> {
        let after = match cursor.0.as_deref() {
            None => None,
            Some(text) => Some(decode_cursor(text).ok_or_else(|| {
                NotificationsProblem::BadRequest(lang.problem(
                    ProblemKind::BadRequest(poem::http::StatusCode::BAD_REQUEST),
                    &Args::new(),
                ))
            })?),
        };
        let page = state
            .push
            .inbox(&auth.0.account_id, unread.0, after, limit.0)
            .await
            .map_err(|err| NotificationsProblem::Internal(internal(&lang, &err)))?;
        let mut items = Vec::with_capacity(page.entries.len());
        for entry in page.entries {
            items.push(view(&state, &lang, &auth.0.account_id, entry).await);
        }
        Ok(Json(NotificationList {
            items,
            next_cursor: page.next.map(|(at, id)| encode_cursor(at, &id)),
            unread_count: page.unread,
        }))
    }

    /// Mark a notification read
    #[oai(
        path = "/v1/notifications/:notification_id/read",
        method = "post",
        operation_id = "markNotificationRead"
    )]
    async fn mark_read(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        #[oai(validator(custom = "super::validators::token()"))] notification_id: Path<String>,
    ) -> Result<Json<NotificationView>, NotificationsProblem> {
        match state
            .push
            .mark_read(&auth.0.account_id, &notification_id.0)
            .await
        {
            Ok(Some(entry)) => Ok(Json(view(&state, &lang, &auth.0.account_id, entry).await)),
            Ok(None) => Err(not_found(&lang, ProblemKind::NotificationNotFound)),
            Err(err) => Err(NotificationsProblem::Internal(internal(&lang, &err))),
        }
    }

    /// Mark all my notifications read
    #[oai(
        path = "/v1/notifications/read-all",
        method = "post",
        operation_id = "markAllNotificationsRead"
    )]
    async fn mark_all_read(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Result<Json<MarkedRead>, NotificationsProblem> {
        let marked = state
            .push
            .mark_all_read(&auth.0.account_id)
            .await
            .map_err(|err| NotificationsProblem::Internal(internal(&lang, &err)))?;
        Ok(Json(MarkedRead { marked }))
    }

    /// List my subscription templates
    ///
    /// The WeChat and Alipay templates Tongban sends, with what each is for and the messages
    /// the person's accepts still allow. Pass the template ids to
    /// `wx.requestSubscribeMessage({tmplIds})` (or `my.requestSubscribeMessage({entityIds})`)
    /// from a tap, then report the answers with `POST /v1/me/subscriptions`.
    #[oai(
        path = "/v1/me/subscriptions",
        method = "get",
        operation_id = "listMySubscriptions"
    )]
    async fn subscriptions(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Result<Json<SubscriptionList>, NotificationsProblem> {
        let credits = state
            .push
            .credits(&auth.0.account_id)
            .await
            .map_err(|err| NotificationsProblem::Internal(internal(&lang, &err)))?;
        Ok(Json(subscriptions(credits)))
    }

    /// Report a subscription popup's answers
    ///
    /// Each `accept` of a one-time template allows one message; `ban` takes all away.
    #[oai(
        path = "/v1/me/subscriptions",
        method = "post",
        operation_id = "recordMySubscriptions"
    )]
    async fn record_subscriptions(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        body: Json<PopupAnswers>,
    ) -> Result<Json<SubscriptionList>, NotificationsProblem> {
        let platform = match body.platform {
            MessagePlatform::Wechat => Channel::Wechat,
            MessagePlatform::Alipay => Channel::Alipay,
        };
        let answers: Vec<(String, PopupResult)> = body
            .results
            .iter()
            .map(|answer| {
                let result = match answer.result {
                    PopupResultView::Accept => PopupResult::Accept,
                    PopupResultView::Reject => PopupResult::Reject,
                    PopupResultView::Ban => PopupResult::Ban,
                    PopupResultView::Filter => PopupResult::Filter,
                };
                (answer.template_id.clone(), result)
            })
            .collect();
        match state
            .push
            .record_popup(&auth.0.account_id, platform, &answers, body.long_term)
            .await
        {
            Ok(credits) => Ok(Json(subscriptions(credits))),
            Err(PreferenceError::UnknownTemplate(_)) => Err(NotificationsProblem::Unprocessable(
                lang.problem(ProblemKind::TemplateUnknown, &Args::new()),
            )),
            Err(PreferenceError::Unexpected(err)) => {
                Err(NotificationsProblem::Internal(internal(&lang, &err)))
            }
        }
    }

    /// Register the app for push
    ///
    /// The push gateway's registration id of this device; a device someone else registered
    /// before moves to this person.
    #[oai(
        path = "/v1/me/devices/:registration_id",
        method = "put",
        operation_id = "registerMyDevice"
    )]
    async fn register_device(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        #[oai(validator(custom = "super::validators::token()"))] registration_id: Path<String>,
        body: Json<DeviceRegistration>,
    ) -> Result<Done, NotificationsProblem> {
        let platform = match body.platform {
            DevicePlatformView::Android => "android",
            DevicePlatformView::Ios => "ios",
        };
        state
            .push
            .register_device(&auth.0.account_id, &registration_id.0, platform)
            .await
            .map_err(|err| NotificationsProblem::Internal(internal(&lang, &err)))?;
        Ok(Done::NoContent)
    }

    /// Stop push to a device
    #[oai(
        path = "/v1/me/devices/:registration_id",
        method = "delete",
        operation_id = "forgetMyDevice"
    )]
    async fn forget_device(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        #[oai(validator(custom = "super::validators::token()"))] registration_id: Path<String>,
    ) -> Result<Done, NotificationsProblem> {
        match state
            .push
            .forget_device(&auth.0.account_id, &registration_id.0)
            .await
        {
            Ok(true) => Ok(Done::NoContent),
            Ok(false) => Err(not_found(&lang, ProblemKind::DeviceNotFound)),
            Err(err) => Err(NotificationsProblem::Internal(internal(&lang, &err))),
        }
    }

    /// Read my notification settings
    #[oai(
        path = "/v1/me/notification-settings",
        method = "get",
        operation_id = "getMyNotificationSettings"
    )]
    async fn settings(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
    ) -> Result<Json<NotificationSettings>, NotificationsProblem> {
        settings_view(&state, &lang, &auth.0.account_id).await
    }

    /// Change my notification settings
    ///
    /// The order of channels to try and quiet hours. A channel still needs its permission:
    /// a subscription accept (WeChat, Alipay) or a registered device (app).
    #[oai(
        path = "/v1/me/notification-settings",
        method = "patch",
        operation_id = "updateMyNotificationSettings"
    )]
    async fn update_settings(
        &self,
        state: Data<&AppState>,
        lang: RequestCtx,
        auth: CitizenAuth,
        body: Json<NotificationSettingsChange>,
    ) -> Result<Json<NotificationSettings>, NotificationsProblem> {
        let channels: Option<Vec<Channel>> = body.channels.as_ref().map(|channels| {
            let mut unique: Vec<Channel> = Vec::new();
            for channel in channels {
                let channel = Channel::from(*channel);
                if !unique.contains(&channel) {
                    unique.push(channel);
                }
            }
            unique
        });
        let quiet = body
            .quiet_hours
            .as_ref()
            .map(|q| (q.start.as_str(), q.end.as_str()));
        if let Some((start, end)) = quiet
            && QuietHours::parse(start, end).is_err()
        {
            return Err(NotificationsProblem::BadRequest(lang.problem(
                ProblemKind::BadRequest(poem::http::StatusCode::BAD_REQUEST),
                &Args::new(),
            )));
        }
        state
            .push
            .set_channel_preferences(&auth.0.account_id, channels.as_deref(), quiet)
            .await
            .map_err(|err| NotificationsProblem::Internal(internal(&lang, &err)))?;
        settings_view(&state, &lang, &auth.0.account_id).await
    }
}

async fn settings_view(
    state: &AppState,
    lang: &RequestCtx,
    account_id: &str,
) -> Result<Json<NotificationSettings>, NotificationsProblem> {
    let prefs = state
        .push
        .channel_preferences(account_id)
        .await
        .map_err(|err| NotificationsProblem::Internal(internal(lang, &err)))?;
    Ok(Json(NotificationSettings {
        channels: prefs.channels.into_iter().map(Into::into).collect(),
        quiet_hours: QuietHoursView {
            start: prefs.quiet_start,
            end: prefs.quiet_end,
        },
    }))
}

fn default_limit() -> u32 {
    20
}

impl Example for NotificationView {
    fn example() -> Self {
        Self {
            id: "ntf_3f0c1e2d3b4a49d8a7e6f5c4b3a29180".into(),
            kind: NotificationKindView::BenefitOffer,
            subject_id: "ofr_9a8b7c6d5e4f40312a1b2c3d4e5f6a7b".into(),
            title: "待确认的惠民政策：育儿补贴".into(),
            body: "根据政府部门掌握的信息，您符合“育儿补贴”的条件，无需申请。请在2027年2月20日前打开“我的惠民政策”确认领取。 金额：每年3600元".into(),
            reasons: vec!["您有未满3周岁的子女（2025年12月出生）".into()],
            hint: "点击查看原因并确认领取".into(),
            created_at: "2026-11-22T10:00:00+08:00".into(),
            read_at: None,
            delivery: DeliveryView::Sent,
            channel: Some(ChannelView::Wechat),
        }
    }
}

impl Example for NotificationList {
    fn example() -> Self {
        Self {
            items: vec![NotificationView::example()],
            next_cursor: None,
            unread_count: 1,
        }
    }
}

impl Example for MarkedRead {
    fn example() -> Self {
        Self { marked: 3 }
    }
}

impl Example for SubscriptionList {
    fn example() -> Self {
        Self {
            items: vec![
                SubscriptionView {
                    platform: MessagePlatform::Wechat,
                    template_id: "tongban-benefit-offer-0001".into(),
                    purpose: NotificationKindView::BenefitOffer,
                    credits: 1,
                    long_term: false,
                },
                SubscriptionView {
                    platform: MessagePlatform::Wechat,
                    template_id: "tongban-application-status-0001".into(),
                    purpose: NotificationKindView::ApplicationStatus,
                    credits: 0,
                    long_term: false,
                },
            ],
        }
    }
}

impl Example for NotificationSettings {
    fn example() -> Self {
        Self {
            channels: vec![ChannelView::Wechat, ChannelView::App],
            quiet_hours: QuietHoursView {
                start: "22:00".into(),
                end: "08:00".into(),
            },
        }
    }
}
