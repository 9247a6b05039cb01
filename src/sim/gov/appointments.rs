//! Appointments (预约) at the halls: half-hour slots within the hall's hours (10:00–13:30 and
//! 15:30–19:30 Beijing time, as Xinjiang offices keep), on working days, for the next 7 days
//! only; booking with the capacity enforced under the records lock (never more bookings than
//! places, however many arrive at once); a holder's list; cancelling, which frees the place.
//! Slot ids are `{hallId}.{YYYYMMDD}.{HHMM}`, so the simulator needs no slot table.

use std::sync::Arc;

use jiff::{
    Span, Zoned,
    civil::{Date, Time, Weekday},
};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Query},
};
use serde::Deserialize;

use super::{
    Refusal, SimState, admit, admit_json,
    citizens::demo_citizens,
    conflict,
    directory::Directory,
    invalid, lock, not_found, ok,
    records::{Replay, StoredAppointment, beijing, now, rfc3339},
    refuse,
};
use crate::upstream::gov::wire::{
    self, Appointment, AppointmentCancel, AppointmentStatus, AppointmentsQuery, BookAppointment,
    Booking, Slot,
};

/// How many days ahead can be booked.
const BOOKING_WINDOW_DAYS: i64 = 7;

/// Start times (hour, minute) of the half-hour slots of a working day.
fn slot_starts() -> impl Iterator<Item = (i8, i8)> {
    let morning = (0..7).map(|i| (10 + (i / 2) as i8, if i % 2 == 0 { 0 } else { 30 }));
    let afternoon = (0..8).map(|i| (15 + ((i + 1) / 2) as i8, if i % 2 == 0 { 30 } else { 0 }));
    morning.chain(afternoon)
}

fn is_working_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

fn slot_id(hall_id: &str, date: Date, (hour, minute): (i8, i8)) -> String {
    format!("{hall_id}.{}.{hour:02}{minute:02}", date.strftime("%Y%m%d"))
}

/// A slot's hall, start and end, when the id names a real slot.
fn parse_slot(slot_id: &str) -> Option<(&str, Zoned, Zoned)> {
    let mut parts = slot_id.rsplitn(3, '.');
    let time = parts.next()?;
    let date = parts.next()?;
    let hall = parts.next()?;
    let date = Date::strptime("%Y%m%d", date).ok()?;
    let hour: i8 = time.get(..2)?.parse().ok()?;
    let minute: i8 = time.get(2..)?.parse().ok()?;
    if time.len() != 4 || !slot_starts().any(|start| start == (hour, minute)) {
        return None;
    }
    let start = date
        .to_datetime(Time::new(hour, minute, 0, 0).ok()?)
        .to_zoned(beijing())
        .ok()?;
    let end = start.saturating_add(Span::new().minutes(30));
    Some((hall, start, end))
}

/// Whether `date` can be booked today: from tomorrow to a week ahead.
fn in_window(date: Date, today: Date) -> bool {
    date > today && date <= today.saturating_add(Span::new().days(BOOKING_WINDOW_DAYS))
}

fn booked(appointments: &[StoredAppointment], slot_id: &str) -> u32 {
    appointments
        .iter()
        .filter(|stored| {
            stored.appointment.slot_id == slot_id
                && matches!(
                    stored.appointment.status,
                    AppointmentStatus::Booked | AppointmentStatus::CheckedIn
                )
        })
        .count() as u32
}

/// Checks that the hall exists and handles the item; the refusal otherwise.
fn check_hall_and_task(state: &SimState, hall_id: &str, task_code: &str) -> Result<u32, Refusal> {
    let Some(hall) = state.directory.hall(hall_id) else {
        return Err(Refusal::not_found("大厅不存在"));
    };
    let Some(item) = state.items.iter().find(|item| item.task_code == task_code) else {
        return Err(Refusal::invalid("事项不存在"));
    };
    if !item.halls.is_empty() && !item.halls.iter().any(|h| h == hall_id) {
        return Err(Refusal::invalid("该大厅不办理此事项"));
    }
    Ok(hall.slot_capacity)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SlotQuery {
    date: String,
    task_code: String,
}

#[handler]
pub(super) async fn slots(
    req: &Request,
    Path(hall_id): Path<String>,
    Query(params): Query<SlotQuery>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    if let Err(refused) = admit(state, req, &[]).await {
        return refused;
    }
    let capacity = match check_hall_and_task(state, &hall_id, &params.task_code) {
        Ok(capacity) => capacity,
        Err(refused) => return refused.into(),
    };
    let Ok(date) = params.date.parse::<Date>() else {
        return invalid("日期格式错误");
    };
    if !in_window(date, now().date()) {
        return invalid("只能预约未来7天内的时段");
    }
    if !is_working_day(date) {
        return ok(Vec::<Slot>::new());
    }
    let records = lock(&state.records);
    let list: Vec<Slot> = slot_starts()
        .filter_map(|start| {
            let id = slot_id(&hall_id, date, start);
            let (_, from, to) = parse_slot(&id)?;
            Some(Slot {
                booked: booked(&records.appointments, &id),
                slot_id: id,
                start: rfc3339(&from),
                end: rfc3339(&to),
                capacity,
            })
        })
        .collect();
    ok(list)
}

#[handler]
pub(super) async fn book(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let booking: BookAppointment = match admit_json(state, req, &body).await {
        Ok(booking) => booking,
        Err(refused) => return refused,
    };
    let Some((hall_id, start, end)) = parse_slot(&booking.slot_id) else {
        return not_found("时段不存在");
    };
    let capacity = match check_hall_and_task(state, hall_id, &booking.task_code) {
        Ok(capacity) => capacity,
        Err(refused) => return refused.into(),
    };
    if !in_window(start.date(), now().date()) || !is_working_day(start.date()) {
        return invalid("只能预约未来7天内工作日的时段");
    }
    if booking.holder_name.trim().is_empty()
        || booking.holder_code.is_empty()
        || booking.phone.len() != 11
        || !booking.phone.bytes().all(|b| b.is_ascii_digit())
    {
        return invalid("预约人信息不完整");
    }
    let request = serde_json::to_value(&booking).unwrap_or_default();
    let mut records = lock(&state.records);
    match records.replay("book", &booking.client_request_id, &request) {
        Replay::Repeat(answer) => return ok(answer),
        Replay::Conflict => return conflict("请求编号已用于其他预约"),
        Replay::New => {}
    }
    if booked(&records.appointments, &booking.slot_id) >= capacity {
        return refuse(StatusCode::CONFLICT, wire::CODE_SLOT_FULL, "该时段已约满");
    }
    let sequence = records.next_sequence();
    let appointment = Appointment {
        appointment_id: format!("YY{}{sequence:06}", start.strftime("%Y%m%d")),
        voucher_code: format!("{:06}", (sequence * 7919 + 104_729) % 1_000_000),
        hall_id: hall_id.to_string(),
        slot_id: booking.slot_id.clone(),
        task_code: booking.task_code.clone(),
        start: rfc3339(&start),
        end: rfc3339(&end),
        status: AppointmentStatus::Booked,
        create_time: rfc3339(&now()),
    };
    let answer = Booking {
        appointment_id: appointment.appointment_id.clone(),
        voucher_code: appointment.voucher_code.clone(),
        status: AppointmentStatus::Booked,
    };
    records.appointments.push(StoredAppointment {
        holder_code: booking.holder_code.clone(),
        appointment,
    });
    let answer = serde_json::to_value(&answer).unwrap_or_default();
    records.remember("book", &booking.client_request_id, request, answer.clone());
    ok(answer)
}

#[handler]
pub(super) async fn query(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: AppointmentsQuery = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let records = lock(&state.records);
    let mut list: Vec<&Appointment> = records
        .appointments
        .iter()
        .filter(|stored| stored.holder_code == wanted.holder_code)
        .map(|stored| &stored.appointment)
        .collect();
    list.sort_by(|a, b| b.start.cmp(&a.start));
    ok(list)
}

#[handler]
pub(super) async fn cancel(
    req: &Request,
    body: Vec<u8>,
    Data(state): Data<&Arc<SimState>>,
) -> Response {
    let wanted: AppointmentCancel = match admit_json(state, req, &body).await {
        Ok(wanted) => wanted,
        Err(refused) => return refused,
    };
    let mut records = lock(&state.records);
    let Some(stored) = records.appointments.iter_mut().find(|stored| {
        stored.appointment.appointment_id == wanted.appointment_id
            && stored.holder_code == wanted.holder_code
    }) else {
        return not_found("预约不存在");
    };
    match stored.appointment.status {
        AppointmentStatus::Booked => {
            stored.appointment.status = AppointmentStatus::Cancelled;
            ok(&stored.appointment)
        }
        AppointmentStatus::Cancelled => conflict("预约已取消"),
        _ => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            wire::CODE_WRONG_STATE,
            "预约已办理，不能取消",
        ),
    }
}

/// The next working day after `today`.
fn next_working_day(today: Date, skip: usize) -> Date {
    let mut date = today;
    let mut left = skip + 1;
    while left > 0 {
        date = date.saturating_add(Span::new().days(1));
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// A few appointments of demo citizens: two coming up, one cancelled, one served.
pub(super) fn seed(directory: &Directory, now: &Zoned) -> Vec<StoredAppointment> {
    let citizens = demo_citizens();
    let today = now.date();
    let past = today.saturating_sub(Span::new().days(10));
    let past = if is_working_day(past) {
        past
    } else {
        next_working_day(past, 0)
    };
    let seeds = [
        (
            0,
            "hall-ili-prefecture",
            next_working_day(today, 0),
            (10, 0),
            "1165400001010031273000173007002",
            AppointmentStatus::Booked,
        ),
        (
            1,
            "hall-yining-city",
            next_working_day(today, 1),
            (15, 30),
            "11654000MB1508279T3000138001001",
            AppointmentStatus::Booked,
        ),
        (
            5,
            "hall-yining-county",
            next_working_day(today, 0),
            (11, 0),
            "11654000010100523N3000132019000",
            AppointmentStatus::Cancelled,
        ),
        (
            2,
            "hall-ili-prefecture",
            past,
            (16, 0),
            "11654000010100451X3000134050000",
            AppointmentStatus::Served,
        ),
    ];
    seeds
        .into_iter()
        .enumerate()
        .filter(|(_, (_, hall, ..))| directory.hall(hall).is_some())
        .filter_map(|(n, (who, hall, date, time, task, status))| {
            let id = slot_id(hall, date, time);
            let (_, start, end) = parse_slot(&id)?;
            Some(StoredAppointment {
                holder_code: citizens[who].id_number.to_string(),
                appointment: Appointment {
                    appointment_id: format!("YY{}{:06}", date.strftime("%Y%m%d"), 900_000 + n),
                    voucher_code: format!("{:06}", 310_000 + n * 1_111),
                    hall_id: hall.to_string(),
                    slot_id: id,
                    task_code: task.to_string(),
                    start: rfc3339(&start),
                    end: rfc3339(&end),
                    status,
                    create_time: rfc3339(&start.saturating_sub(Span::new().days(3))),
                },
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_working_day_has_fifteen_half_hour_slots_within_the_halls_hours() {
        let starts: Vec<(i8, i8)> = slot_starts().collect();
        assert_eq!(starts.len(), 15);
        assert_eq!(starts.first(), Some(&(10, 0)));
        assert!(starts.contains(&(13, 0)) && !starts.contains(&(13, 30)));
        assert!(starts.contains(&(15, 30)) && starts.contains(&(19, 0)));
        assert!(!starts.contains(&(14, 0)) && !starts.contains(&(19, 30)));
    }

    #[test]
    fn a_slot_id_round_trips_and_nonsense_is_refused() {
        let date = jiff::civil::date(2026, 11, 23);
        let id = slot_id("hall-tekes", date, (15, 30));
        assert_eq!(id, "hall-tekes.20261123.1530");
        let (hall, start, end) = parse_slot(&id).expect("parses");
        assert_eq!(hall, "hall-tekes");
        assert_eq!(rfc3339(&start), "2026-11-23T15:30:00+08:00");
        assert_eq!(rfc3339(&end), "2026-11-23T16:00:00+08:00");
        assert!(parse_slot("hall-tekes.20261123.1400").is_none());
        assert!(parse_slot("hall-tekes.2026-11-23.1530").is_none());
        assert!(parse_slot("1530").is_none());
    }

    #[test]
    fn the_window_is_tomorrow_to_a_week_ahead() {
        let today = jiff::civil::date(2026, 11, 22);
        assert!(!in_window(today, today));
        assert!(in_window(jiff::civil::date(2026, 11, 23), today));
        assert!(in_window(jiff::civil::date(2026, 11, 29), today));
        assert!(!in_window(jiff::civil::date(2026, 11, 30), today));
    }
}
