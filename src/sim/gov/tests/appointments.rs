use jiff::{Span, civil::Date};

use super::{citizen, client_and_sim, working_day};
use crate::{
    sim::gov::seed_catalog,
    upstream::gov::{
        GovClient, GovError, Holder,
        wire::{AppointmentStatus, BookAppointment, Slot},
    },
};

/// A catalog item handled at `hall_id` (or at every hall).
fn task_at(hall_id: &str) -> String {
    seed_catalog()
        .expect("catalog")
        .into_iter()
        .find(|item| item.halls.is_empty() || item.halls.iter().any(|h| h == hall_id))
        .map(|item| item.task_code)
        .expect("an item handled at the hall")
}

fn booking(request_id: &str, slot: &Slot, task_code: &str, holder: &Holder) -> BookAppointment {
    BookAppointment {
        client_request_id: request_id.to_string(),
        slot_id: slot.slot_id.clone(),
        task_code: task_code.to_string(),
        holder_code: holder.code.clone(),
        holder_name: "叶尔兰·努尔兰".to_string(),
        phone: "13899990002".to_string(),
    }
}

async fn last_slot(client: &GovClient, hall_id: &str, date: Date, task: &str) -> Slot {
    let slots = client.slots(hall_id, date, task).await.expect("slots");
    slots.last().cloned().expect("a slot")
}

#[tokio::test]
async fn a_working_day_has_half_hour_slots_within_the_halls_hours() {
    let (client, _sim) = client_and_sim().await;
    let task = task_at("hall-yining-city");
    let slots = client
        .slots("hall-yining-city", working_day(0), &task)
        .await
        .expect("slots");
    assert_eq!(slots.len(), 15);
    assert!(slots[0].start.ends_with("T10:00:00+08:00"));
    assert!(slots[14].end.ends_with("T19:30:00+08:00"));
    assert!(
        slots
            .iter()
            .all(|s| s.capacity == 3 && s.booked <= s.capacity)
    );
}

#[tokio::test]
async fn a_weekend_has_no_slots_and_a_day_beyond_the_week_is_rejected() {
    let (client, _sim) = client_and_sim().await;
    let task = task_at("hall-kuitun");
    let today = crate::sim::gov::records::now().date();
    let saturday = (1..=7)
        .map(|d| today.saturating_add(Span::new().days(d)))
        .find(|d| d.weekday() == jiff::civil::Weekday::Saturday)
        .expect("a saturday within a week");
    let weekend = client
        .slots("hall-kuitun", saturday, &task)
        .await
        .expect("slots");
    assert!(weekend.is_empty());
    let far = today.saturating_add(Span::new().days(8));
    let result = client.slots("hall-kuitun", far, &task).await;
    assert!(matches!(result, Err(GovError::Rejected(_))), "{result:?}");
    let past = client.slots("hall-kuitun", today, &task).await;
    assert!(matches!(past, Err(GovError::Rejected(_))), "{past:?}");
}

#[tokio::test]
async fn an_unknown_hall_is_not_found() {
    let (client, _sim) = client_and_sim().await;
    let task = task_at("hall-kuitun");
    let result = client.slots("hall-nowhere", working_day(0), &task).await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
}

#[tokio::test]
async fn fifty_concurrent_bookings_of_a_one_place_slot_give_exactly_one() {
    let (client, _sim) = client_and_sim().await;
    let task = task_at("hall-tekes");
    let slot = last_slot(&client, "hall-tekes", working_day(1), &task).await;
    assert_eq!(slot.capacity, 1);
    let attempts = (0..50).map(|i| {
        let client = client.clone();
        let holder = Holder {
            code: format!("6540271990010100{i:02}"),
            ..citizen(1)
        };
        let body = booking(&format!("rush-{i}"), &slot, &task, &holder);
        async move { client.book(&body).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let booked = results.iter().filter(|r| r.is_ok()).count();
    let full = results
        .iter()
        .filter(|r| matches!(r, Err(GovError::SlotFull)))
        .count();
    assert_eq!((booked, full), (1, 49));
    let after = last_slot(&client, "hall-tekes", working_day(1), &task).await;
    assert_eq!(after.booked, 1);
}

#[tokio::test]
async fn cancelling_frees_the_place_and_a_second_cancel_is_a_conflict() {
    let (client, _sim) = client_and_sim().await;
    let task = task_at("hall-nilka");
    let slot = last_slot(&client, "hall-nilka", working_day(0), &task).await;
    let holder = citizen(1);
    let first = client
        .book(&booking("b-1", &slot, &task, &holder))
        .await
        .expect("booked");
    assert_eq!(first.status, AppointmentStatus::Booked);
    let other = citizen(2);
    let refused = client.book(&booking("b-2", &slot, &task, &other)).await;
    assert!(matches!(refused, Err(GovError::SlotFull)), "{refused:?}");

    let cancelled = client
        .cancel_appointment(&first.appointment_id, &holder)
        .await
        .expect("cancel");
    assert_eq!(cancelled.status, AppointmentStatus::Cancelled);
    let again = client
        .cancel_appointment(&first.appointment_id, &holder)
        .await;
    assert!(matches!(again, Err(GovError::Conflict(_))), "{again:?}");
    client
        .book(&booking("b-3", &slot, &task, &other))
        .await
        .expect("the freed place");
}

#[tokio::test]
async fn another_holders_appointment_cannot_be_cancelled_and_is_not_listed() {
    let (client, _sim) = client_and_sim().await;
    let mine = client.appointments(&citizen(0)).await.expect("list");
    let upcoming = mine
        .iter()
        .find(|a| a.status == AppointmentStatus::Booked)
        .expect("a seeded booking");
    let result = client
        .cancel_appointment(&upcoming.appointment_id, &citizen(1))
        .await;
    assert!(matches!(result, Err(GovError::NotFound)), "{result:?}");
    let theirs = client.appointments(&citizen(1)).await.expect("list");
    assert!(
        theirs
            .iter()
            .all(|a| a.appointment_id != upcoming.appointment_id)
    );
}

#[tokio::test]
async fn a_retried_booking_answers_the_same_appointment() {
    let (client, _sim) = client_and_sim().await;
    let task = task_at("hall-horgos");
    let slot = last_slot(&client, "hall-horgos", working_day(2), &task).await;
    let body = booking("retry-1", &slot, &task, &citizen(3));
    let first = client.book(&body).await.expect("first");
    let again = client.book(&body).await.expect("again");
    assert_eq!(first, again);
    let listed = client.appointments(&citizen(3)).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].hall_id, "hall-horgos");
}

#[tokio::test]
async fn a_served_appointment_cannot_be_cancelled() {
    let (client, _sim) = client_and_sim().await;
    let served = client
        .appointments(&citizen(2))
        .await
        .expect("list")
        .into_iter()
        .find(|a| a.status == AppointmentStatus::Served)
        .expect("a served appointment");
    let result = client
        .cancel_appointment(&served.appointment_id, &citizen(2))
        .await;
    assert!(matches!(result, Err(GovError::Rejected(_))), "{result:?}");
}
