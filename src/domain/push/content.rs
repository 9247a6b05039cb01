//! The words of a notification, in the person's language (`locales/*/push.ftl`), and template
//! field values that fit each platform's rules.
//!
//! WeChat's templates are chosen in the console with fixed Chinese labels; only the values are
//! ours. A value is written in the person's language when it fits the field's type (a `thing`
//! field takes 20 characters of any script, cut at a word when longer) and in Mandarin when
//! the type admits only Chinese or formatted values (`phrase`: five Chinese characters;
//! `amount`: a number with 元). `docs/push.md` shows an example in each language.

use jiff::civil::Date;

use super::{
    config::{Slot, TemplateConfig},
    outbox::{Params, StatusChange},
};
use crate::{
    domain::benefits::explain,
    i18n::{Args, L10n, Lang, format},
};

/// A notification in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
    pub hint: String,
    pub state: String,
    /// The policy's or the service item's name.
    pub subject: String,
    pub amount: Option<String>,
    /// The amount as a template `amount` field takes it: digits and 元 (`100.50元`).
    pub amount_plain: Option<String>,
    /// The confirm-by or supplement deadline as the language writes dates.
    pub deadline: Option<String>,
    /// The same deadline as YYYY-MM-DD, for template fields.
    pub deadline_iso: Option<String>,
    /// When the status changed, `YYYY-MM-DD HH:MM` in Beijing time, for template fields.
    pub changed_at: Option<String>,
}

pub fn render(l10n: &L10n, lang: Lang, params: &Params) -> Rendered {
    match params {
        Params::BenefitOffer {
            policy,
            amount_fen,
            amount_unit,
            confirm_by,
            ..
        } => {
            let name = policy.get(lang).to_string();
            let amount = amount_fen.map(|fen| {
                explain::amount(l10n, lang, fen, amount_unit.as_deref().unwrap_or("once"))
            });
            let confirm_by = confirm_by.as_deref().and_then(|d| d.parse::<Date>().ok());
            let mode = if confirm_by.is_some() {
                "confirm"
            } else {
                "granted"
            };
            let deadline = confirm_by.map(|d| format::date(d, lang));
            let args = Args::new()
                .text("policy", name.clone())
                .text("deadline", deadline.clone().unwrap_or_default());
            let mut body = l10n.format(lang, &format!("push-offer-body-{mode}"), &args);
            if let Some(amount) = &amount {
                body.push(' ');
                body.push_str(&l10n.format(
                    lang,
                    "push-offer-amount",
                    &Args::new().text("amount", amount.clone()),
                ));
            }
            Rendered {
                title: l10n.format(lang, &format!("push-offer-title-{mode}"), &args),
                body,
                hint: l10n.format(lang, &format!("push-offer-hint-{mode}"), &args),
                state: l10n.format(lang, &format!("push-offer-state-{mode}"), &args),
                subject: name,
                amount,
                amount_plain: amount_fen.map(plain_amount),
                deadline,
                deadline_iso: confirm_by.map(|d| d.to_string()),
                changed_at: None,
            }
        }
        Params::ApplicationStatus {
            service,
            change,
            due,
            changed_at,
            ..
        } => {
            let name = service.get(lang).to_string();
            let due = due.as_deref().and_then(|d| d.parse::<Date>().ok());
            let code = change.code();
            let deadline = due.map(|d| format::date(d, lang));
            let args = Args::new()
                .text("service", name.clone())
                .text("due", deadline.clone().unwrap_or_default());
            let body_id = match (change, &deadline) {
                (StatusChange::Supplement, None) => "push-app-body-supplement-nodue".to_string(),
                _ => format!("push-app-body-{code}"),
            };
            Rendered {
                title: l10n.format(lang, &format!("push-app-title-{code}"), &args),
                body: l10n.format(lang, &body_id, &args),
                hint: l10n.format(lang, &format!("push-app-hint-{code}"), &args),
                state: l10n.format(lang, &format!("push-app-state-{code}"), &args),
                subject: name,
                amount: None,
                amount_plain: None,
                deadline,
                deadline_iso: due.map(|d| d.to_string()),
                changed_at: Some(beijing_minute(*changed_at)),
            }
        }
    }
}

/// `100元`, `100.50元`.
fn plain_amount(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}元", fen / 100)
    } else {
        format!("{}.{:02}元", fen / 100, (fen % 100).abs())
    }
}

/// `YYYY-MM-DD HH:MM` in Beijing time.
fn beijing_minute(ms: i64) -> String {
    let offset = super::schedule::zone_offset_ms("Asia/Shanghai");
    jiff::Timestamp::from_millisecond(ms + offset)
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// The value a slot holds, in the person's language where it is words.
fn slot_value(rendered: &Rendered, slot: Slot) -> String {
    let or_dash = |value: &Option<String>| value.clone().unwrap_or_else(|| "-".into());
    match slot {
        Slot::Policy | Slot::Service => rendered.subject.clone(),
        Slot::Amount => or_dash(&rendered.amount_plain),
        Slot::Deadline => or_dash(&rendered.deadline_iso),
        Slot::Date => or_dash(&rendered.changed_at),
        Slot::State => rendered.state.clone(),
        Slot::Hint => rendered.hint.clone(),
    }
}

/// A WeChat template's `data`: each field in the person's language if it fits the field's
/// type, else in Mandarin; `None` names a field no rendering fits (a configuration error).
pub fn wechat_data(
    template: &TemplateConfig,
    rendered: &Rendered,
    mandarin: &Rendered,
) -> Result<Vec<(String, String)>, String> {
    template
        .fields
        .iter()
        .map(|(key, slot)| {
            let own = slot_value(rendered, *slot);
            crate::upstream::wechat::fit_value(key, &own)
                .or_else(|| crate::upstream::wechat::fit_value(key, &slot_value(mandarin, *slot)))
                .map(|value| (key.clone(), value))
                .ok_or_else(|| key.clone())
        })
        .collect()
}

/// Alipay's keywords: at most 50 characters each.
pub fn alipay_data(template: &TemplateConfig, rendered: &Rendered) -> Vec<(String, String)> {
    const MAX: usize = 50;
    template
        .fields
        .iter()
        .map(|(key, slot)| {
            let value = slot_value(rendered, *slot);
            let value = if value.chars().count() > MAX {
                let mut cut: String = value.chars().take(MAX - 1).collect();
                cut.push('…');
                cut
            } else {
                value
            };
            (key.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::benefits::policy::Text3;

    fn offer() -> Params {
        Params::BenefitOffer {
            offer_id: "ofr_1".into(),
            policy_id: "elderly-allowance".into(),
            policy: Text3 {
                zh_hans: "高龄津贴".into(),
                ug_arab: "ياشانغانلار ياردەم پۇلى".into(),
                kk_arab: "قارتتار جاردەماقىسى".into(),
            },
            amount_fen: Some(10_000),
            amount_unit: Some("month".into()),
            confirm_by: Some("2026-12-22".into()),
        }
    }

    #[test]
    fn an_offer_reads_in_each_language_with_its_deadline() {
        let l10n = L10n::embedded().expect("locales");
        let zh = render(&l10n, Lang::ZhHans, &offer());
        assert!(zh.title.contains("高龄津贴"), "{}", zh.title);
        assert!(zh.body.contains("2026年12月22日"), "{}", zh.body);
        assert_eq!(zh.deadline_iso.as_deref(), Some("2026-12-22"));
        for lang in [Lang::UgArab, Lang::KkArab] {
            let text = render(&l10n, lang, &offer());
            assert!(
                crate::i18n::mostly_arabic_script(&text.body),
                "{}",
                text.body
            );
            assert!(text.title.contains(offer_name(lang)), "{}", text.title);
        }
    }

    fn offer_name(lang: Lang) -> &'static str {
        match lang {
            Lang::UgArab => "ياشانغانلار ياردەم پۇلى",
            Lang::KkArab => "قارتتار جاردەماقىسى",
            Lang::ZhHans => "高龄津贴",
        }
    }

    #[test]
    fn wechat_fields_fall_back_to_mandarin_where_the_type_takes_only_chinese() {
        let l10n = L10n::embedded().expect("locales");
        let template = crate::domain::push::config::PushConfig::default()
            .wechat
            .benefit_offer;
        let ug = render(&l10n, Lang::UgArab, &offer());
        let zh = render(&l10n, Lang::ZhHans, &offer());
        let data: std::collections::BTreeMap<_, _> = wechat_data(&template, &ug, &zh)
            .expect("fits")
            .into_iter()
            .collect();
        // `thing` takes Uyghur, cut to 20 characters.
        assert!(data["thing1"].chars().count() <= 20);
        assert!(crate::i18n::mostly_arabic_script(&data["thing1"]));
        // `phrase` takes five Chinese characters only: the Mandarin state.
        assert_eq!(data["phrase5"], "待确认");
        assert_eq!(data["date3"], "2026-12-22");
    }
}
