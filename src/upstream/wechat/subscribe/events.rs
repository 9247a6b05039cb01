//! The subscription-message events WeChat pushes to the message-push URL (消息推送, JSON
//! format), read from a message whose signature has already been checked: the popup result
//! (`subscribe_msg_popup_event`), a user turning a template off in settings
//! (`subscribe_msg_change_event`) and the final result of a send (`subscribe_msg_sent_event`).
//!
//! Two quirks of the JSON format are absorbed here (official guide
//! developers.weixin.qq.com/miniprogram/dev/framework/open-ability/subscribe-message.html,
//! PR Wechat-Group/WxJava#2477): `List` is an object when it holds one item and an array when it
//! holds several, and `CreateTime`, `MsgID`, `ErrorCode` and `PopupScene` are documented as
//! strings but may arrive as numbers. Messages nested the XML way
//! (`SubscribeMsgSentEvent.List`) are read too.

use serde_json::Value;

/// One item of a subscription-message event. A push may carry several (one per template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscribeEvent {
    /// The final outcome of one `subscribeMessage.send` (下发结果事件).
    Sent {
        /// The recipient (`FromUserName`).
        openid: String,
        /// The template of the message sent.
        template_id: String,
        /// The `msgid` the send call answered, to match the event with the send.
        msg_id: i64,
        /// 0 when delivered; otherwise a system failure of the asynchronous delivery.
        error_code: i64,
        /// WeChat's word for `error_code` (`success` when delivered).
        error_status: String,
        /// `CreateTime`: Unix seconds.
        created_at: i64,
    },
    /// The user changed a template's setting in the service-notification settings; WeChat
    /// documents only `reject` being pushed (the user's remaining credits are gone).
    Changed {
        /// The user (`FromUserName`).
        openid: String,
        /// The template turned off.
        template_id: String,
        /// `SubscribeStatusString` as sent: `reject` (others kept as they come).
        status: String,
    },
    /// The user answered a `wx.requestSubscribeMessage` popup for this template.
    Popup {
        /// The user (`FromUserName`).
        openid: String,
        /// One of the templates the popup asked for.
        template_id: String,
        /// `SubscribeStatusString` as sent: `accept` (one credit granted) or `reject`.
        status: String,
    },
}

/// The subscription events in a verified push `message`; empty for other messages. Items
/// without a template id (or, for sent events, without a usable `MsgID`) are skipped rather
/// than failing the others.
pub fn parse_subscribe_events(message: &Value) -> Vec<SubscribeEvent> {
    let Some(event) = message.get("Event").and_then(Value::as_str) else {
        return Vec::new();
    };
    let nested = match event {
        "subscribe_msg_sent_event" => "SubscribeMsgSentEvent",
        "subscribe_msg_change_event" => "SubscribeMsgChangeEvent",
        "subscribe_msg_popup_event" => "SubscribeMsgPopupEvent",
        _ => return Vec::new(),
    };
    let openid = text(message.get("FromUserName")).unwrap_or_default();
    let created_at = integer(message.get("CreateTime")).unwrap_or_default();
    let list = message
        .get("List")
        .or_else(|| message.get(nested).and_then(|inner| inner.get("List")));
    let items: Vec<&Value> = match list {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(|item| {
            let template_id = text(item.get("TemplateId")).filter(|id| !id.is_empty())?;
            let status = || text(item.get("SubscribeStatusString")).unwrap_or_default();
            let openid = openid.clone();
            Some(match event {
                "subscribe_msg_sent_event" => SubscribeEvent::Sent {
                    openid,
                    template_id,
                    msg_id: integer(item.get("MsgID").or_else(|| item.get("MsgId")))?,
                    // A missing code is not a success: only an explicit 0 is.
                    error_code: integer(item.get("ErrorCode")).unwrap_or(-1),
                    error_status: text(item.get("ErrorStatus")).unwrap_or_default(),
                    created_at,
                },
                "subscribe_msg_change_event" => SubscribeEvent::Changed {
                    openid,
                    template_id,
                    status: status(),
                },
                _ => SubscribeEvent::Popup {
                    openid,
                    template_id,
                    status: status(),
                },
            })
        })
        .collect()
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The guide's JSON sample of a sent event (List as an object; strings for numbers).
    fn documented_sent_event() -> Value {
        json!({
            "ToUserName": "gh_123456789abc",
            "FromUserName": "o7esq5PHRGBQYmeNyfG064wEFVpQ",
            "CreateTime": "1620963428",
            "MsgType": "event",
            "Event": "subscribe_msg_sent_event",
            "List": {
                "TemplateId": "BEwX0BO-T3MqK3Uc5oTU3CGBqzjpndk2jzUf7VfExd8",
                "MsgID": "1864323726461255680",
                "ErrorCode": "0",
                "ErrorStatus": "success"
            }
        })
    }

    #[test]
    fn the_documented_sent_event_reads_its_strings_as_numbers() {
        let events = parse_subscribe_events(&documented_sent_event());

        assert_eq!(
            events,
            vec![SubscribeEvent::Sent {
                openid: "o7esq5PHRGBQYmeNyfG064wEFVpQ".into(),
                template_id: "BEwX0BO-T3MqK3Uc5oTU3CGBqzjpndk2jzUf7VfExd8".into(),
                msg_id: 1_864_323_726_461_255_680,
                error_code: 0,
                error_status: "success".into(),
                created_at: 1_620_963_428,
            }]
        );
    }

    #[test]
    fn a_sent_event_with_numbers_where_the_sample_has_strings_reads_the_same() {
        let mut message = documented_sent_event();
        message["CreateTime"] = json!(1_620_963_428);
        message["List"]["MsgID"] = json!(1_864_323_726_461_255_680_i64);
        message["List"]["ErrorCode"] = json!(0);

        assert_eq!(
            parse_subscribe_events(&message),
            parse_subscribe_events(&documented_sent_event())
        );
    }

    #[test]
    fn the_documented_popup_event_with_a_list_array_gives_one_event_per_item() {
        // The guide's sample, minus its trailing comma (not valid JSON), plus a second item.
        let message = json!({
            "ToUserName": "gh_123456789abc",
            "FromUserName": "o7esq5OI1Uej6Xixw1lA2H7XDVbc",
            "CreateTime": "1620973045",
            "MsgType": "event",
            "Event": "subscribe_msg_popup_event",
            "List": [
                {"TemplateId": "hD-ixGOhYmUfjOnI8MCzQMPshzGVeux_2vzyvQu7O68",
                 "SubscribeStatusString": "accept", "PopupScene": "0"},
                {"TemplateId": "9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI",
                 "SubscribeStatusString": "reject", "PopupScene": 0}
            ]
        });

        let events = parse_subscribe_events(&message);

        assert_eq!(
            events,
            vec![
                SubscribeEvent::Popup {
                    openid: "o7esq5OI1Uej6Xixw1lA2H7XDVbc".into(),
                    template_id: "hD-ixGOhYmUfjOnI8MCzQMPshzGVeux_2vzyvQu7O68".into(),
                    status: "accept".into(),
                },
                SubscribeEvent::Popup {
                    openid: "o7esq5OI1Uej6Xixw1lA2H7XDVbc".into(),
                    template_id: "9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI".into(),
                    status: "reject".into(),
                },
            ]
        );
    }

    #[test]
    fn a_change_event_reads_the_same_whether_list_is_one_object_or_an_array_of_one() {
        // The community report's two shapes (developers.weixin.qq.com/community/develop/doc/
        // 00042034428fa074706c908245b800).
        let item = json!({"SubscribeStatusString": "reject",
                          "TemplateId": "NQezXFstp4zZV2q7u5aSprQZEx061ODkFJGLdungfoI"});
        let message = |list: Value| {
            json!({"ToUserName": "xxxxx", "FromUserName": "oUser", "CreateTime": 1_625_575_518,
                   "MsgType": "event", "Event": "subscribe_msg_change_event", "List": list})
        };

        let single = parse_subscribe_events(&message(item.clone()));
        let array = parse_subscribe_events(&message(json!([item])));

        assert_eq!(single, array);
        assert_eq!(
            single,
            vec![SubscribeEvent::Changed {
                openid: "oUser".into(),
                template_id: "NQezXFstp4zZV2q7u5aSprQZEx061ODkFJGLdungfoI".into(),
                status: "reject".into(),
            }]
        );
    }

    #[test]
    fn a_list_nested_the_xml_way_is_read_too() {
        let message = json!({
            "FromUserName": "oUser", "CreateTime": 1_610_969_468, "MsgType": "event",
            "Event": "subscribe_msg_sent_event",
            "SubscribeMsgSentEvent": {"List": {"TemplateId": "T", "MsgID": 1_700_827_132_819_554_304_i64,
                                               "ErrorCode": 0, "ErrorStatus": "success"}}
        });

        let events = parse_subscribe_events(&message);

        assert!(
            matches!(
                &events[..],
                [SubscribeEvent::Sent {
                    msg_id: 1_700_827_132_819_554_304,
                    ..
                }]
            ),
            "{events:?}"
        );
    }

    #[test]
    fn other_messages_and_broken_items_give_no_events() {
        let text_message = json!({"MsgType": "text", "Content": "你好", "FromUserName": "o"});
        let no_template = json!({"Event": "subscribe_msg_change_event", "FromUserName": "o",
                                 "List": {"SubscribeStatusString": "reject"}});
        let no_msg_id = json!({"Event": "subscribe_msg_sent_event", "FromUserName": "o",
                               "List": {"TemplateId": "T", "ErrorCode": "0"}});

        for message in [text_message, no_template, no_msg_id] {
            assert_eq!(parse_subscribe_events(&message), vec![], "{message}");
        }
    }
}
