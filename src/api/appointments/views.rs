//! Response and request bodies of the appointments API, and their examples.

use poem_openapi::{Enum, Object};

use super::super::{
    Text,
    records::{FreshnessCode, text},
};
use crate::{
    http::context::RequestCtx,
    i18n::{Args, Lang},
    msg,
    upstream::gov::wire::{self, AppointmentStatus},
};

/// One service window (窗口) of a hall.
#[derive(Debug, Object)]
pub struct HallWindowView {
    pub no: String,
    pub name: Text,
}

/// A government-service hall (政务服务大厅).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct HallView {
    /// For `/v1/halls/{hallId}/slots`.
    pub hall_id: String,
    pub name: Text,
    /// Street addresses are Chinese only at the platform: `lang` says so.
    pub address: Text,
    /// Opening hours as people read them (Xinjiang office hours, Beijing time).
    pub hours: Text,
    /// 行政区划代码 of the hall's area.
    pub area_code: String,
    pub windows: Vec<HallWindowView>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct HallList {
    pub items: Vec<HallView>,
    pub freshness: FreshnessCode,
}

impl poem_openapi::types::Example for HallList {
    fn example() -> Self {
        Self {
            items: vec![HallView {
                hall_id: "hall-yining-city".into(),
                name: Text::new("伊宁市政务服务中心", Lang::ZhHans),
                address: Text::new("伊宁市解放西路66号", Lang::ZhHans),
                hours: Text::new(
                    "周一至周五 10:00—13:30、15:30—19:30（北京时间），法定节假日除外",
                    Lang::ZhHans,
                ),
                area_code: "654002000000".into(),
                windows: vec![HallWindowView {
                    no: "01".into(),
                    name: Text::new("综合受理窗口", Lang::ZhHans),
                }],
            }],
            freshness: FreshnessCode::Fresh,
        }
    }
}

/// A bookable half hour.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SlotView {
    /// For `POST /v1/me/appointments`.
    pub slot_id: String,
    pub start: String,
    pub end: String,
    pub capacity: u32,
    /// Places still free (a few seconds old at most).
    pub remaining: u32,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct SlotList {
    pub hall_id: String,
    pub date: String,
    pub service_code: String,
    /// Empty on weekends.
    pub items: Vec<SlotView>,
}

impl poem_openapi::types::Example for SlotList {
    fn example() -> Self {
        Self {
            hall_id: "hall-yining-city".into(),
            date: "2026-11-23".into(),
            service_code: "1165400001010031273000173007001".into(),
            items: vec![SlotView {
                slot_id: "hall-yining-city.20261123.1000".into(),
                start: "2026-11-23T10:00:00+08:00".into(),
                end: "2026-11-23T10:30:00+08:00".into(),
                capacity: 3,
                remaining: 2,
            }],
        }
    }
}

/// What to book.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", deny_unknown_fields)]
pub struct BookAppointmentBody {
    /// A slot from `/v1/halls/{hallId}/slots`.
    #[oai(validator(max_length = 100, pattern = "^[0-9A-Za-z._-]{1,100}$"))]
    pub slot_id: String,
    /// The service item to handle at the hall (`/v1/services/{code}`).
    #[oai(validator(max_length = 64, pattern = "^[0-9A-Za-z-]{1,64}$"))]
    pub service_code: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "camelCase")]
pub enum AppointmentStatusCode {
    Booked,
    /// Took a queue number at the hall (已取号).
    CheckedIn,
    Served,
    Cancelled,
    NoShow,
}

pub fn status_view(status: AppointmentStatus) -> (AppointmentStatusCode, &'static str) {
    use AppointmentStatus as S;
    match status {
        S::Booked => (
            AppointmentStatusCode::Booked,
            msg!("appointment-status-booked"),
        ),
        S::CheckedIn => (
            AppointmentStatusCode::CheckedIn,
            msg!("appointment-status-checked-in"),
        ),
        S::Served => (
            AppointmentStatusCode::Served,
            msg!("appointment-status-served"),
        ),
        S::Cancelled => (
            AppointmentStatusCode::Cancelled,
            msg!("appointment-status-cancelled"),
        ),
        S::NoShow => (
            AppointmentStatusCode::NoShow,
            msg!("appointment-status-no-show"),
        ),
    }
}

/// A booking just made (or, for a retried request, the one made first).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct AppointmentCreated {
    pub appointment_id: String,
    /// Shown at the hall to take a queue number.
    pub voucher_code: String,
    pub status: AppointmentStatusCode,
    pub status_name: String,
    pub slot_id: String,
    pub service_code: String,
}

impl poem_openapi::types::Example for AppointmentCreated {
    fn example() -> Self {
        Self {
            appointment_id: "YY20261123000001".into(),
            voucher_code: "112648".into(),
            status: AppointmentStatusCode::Booked,
            status_name: "已预约".into(),
            slot_id: "hall-yining-city.20261123.1000".into(),
            service_code: "1165400001010031273000173007001".into(),
        }
    }
}

/// One of the person's appointments.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct AppointmentView {
    pub appointment_id: String,
    pub voucher_code: String,
    pub hall_id: String,
    /// Absent when the hall is no longer listed.
    #[oai(skip_serializing_if_is_none)]
    pub hall_name: Option<Text>,
    pub slot_id: String,
    pub service_code: String,
    pub start: String,
    pub end: String,
    pub status: AppointmentStatusCode,
    pub status_name: String,
    /// Only a booked appointment can be cancelled.
    pub cancellable: bool,
    pub created_at: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase", example)]
pub struct AppointmentList {
    /// Newest slot first, cancelled ones included.
    pub items: Vec<AppointmentView>,
}

impl poem_openapi::types::Example for AppointmentList {
    fn example() -> Self {
        Self {
            items: vec![AppointmentView {
                appointment_id: "YY20261123000001".into(),
                voucher_code: "112648".into(),
                hall_id: "hall-yining-city".into(),
                hall_name: Some(Text::new("伊宁市政务服务中心", Lang::ZhHans)),
                slot_id: "hall-yining-city.20261123.1000".into(),
                service_code: "1165400001010031273000173007001".into(),
                start: "2026-11-23T10:00:00+08:00".into(),
                end: "2026-11-23T10:30:00+08:00".into(),
                status: AppointmentStatusCode::Booked,
                status_name: "已预约".into(),
                cancellable: true,
                created_at: "2026-11-20T09:12:00+08:00".into(),
            }],
        }
    }
}

pub fn hall_view(lang: &RequestCtx, hall: &wire::Hall) -> HallView {
    HallView {
        hall_id: hall.hall_id.clone(),
        name: text(lang, &hall.name),
        address: text(lang, &hall.address),
        hours: text(lang, &hall.hours),
        area_code: hall.area_code.clone(),
        windows: hall
            .windows
            .iter()
            .map(|w| HallWindowView {
                no: w.no.clone(),
                name: text(lang, &w.name),
            })
            .collect(),
    }
}

/// One appointment as the person sees it; `halls` names its hall when it is still listed.
pub fn appointment_view(
    lang: &RequestCtx,
    appointment: &wire::Appointment,
    halls: Option<&[wire::Hall]>,
) -> AppointmentView {
    let (status, message) = status_view(appointment.status);
    let hall = halls
        .into_iter()
        .flatten()
        .find(|h| h.hall_id == appointment.hall_id);
    AppointmentView {
        appointment_id: appointment.appointment_id.clone(),
        voucher_code: appointment.voucher_code.clone(),
        hall_id: appointment.hall_id.clone(),
        hall_name: hall.map(|h| text(lang, &h.name)),
        slot_id: appointment.slot_id.clone(),
        service_code: appointment.task_code.clone(),
        start: appointment.start.clone(),
        end: appointment.end.clone(),
        status,
        status_name: lang.text(message, &Args::new()),
        cancellable: appointment.status == AppointmentStatus::Booked,
        created_at: appointment.create_time.clone(),
    }
}
