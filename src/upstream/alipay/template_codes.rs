//! `sub_code`s of `alipay.open.app.mini.templatemessage.send` (code 40004, "Business
//! Failed"). The first three are documented in Alipay's FAQ pages (AlipayDocs/open-docs:
//! "USER_TEMPLATE_ILLEGAL（模板非法）", "USER_TEMPLATE_LACK_KEYWORD（缺少关键词）",
//! "USER_KEYWORD_LENGTH_ERROR（关键词超长）"; alipay/alipay-easysdk tests answer
//! `USER_TEMPLATE_ILLEGAL` / `模板非法` for an unknown template). The others are
//! **UNVERIFIED**: no source found names the codes for a missing subscription, an unknown
//! user or a malformed `biz_content`.

/// The template id is unknown to the app, deleted, or of another kind (模板非法).
pub const TEMPLATE_ILLEGAL: &str = "USER_TEMPLATE_ILLEGAL";
/// `data` does not hold exactly the template's `keyword1..N` (缺少关键词).
pub const LACK_KEYWORD: &str = "USER_TEMPLATE_LACK_KEYWORD";
/// A keyword value is longer than 50 characters (关键词超长).
pub const KEYWORD_TOO_LONG: &str = "USER_KEYWORD_LENGTH_ERROR";
/// **UNVERIFIED**: the user holds no subscription to the template (never subscribed, a
/// one-time subscription already spent, or turned off in 消息管理).
pub const NOT_SUBSCRIBED: &str = "USER_NOT_SUBSCRIBED";
/// **UNVERIFIED**: `to_user_id` names no user of the app.
pub const USER_NOT_EXIST: &str = "USER_NOT_EXIST";
/// **UNVERIFIED**: a required field is missing or `data` is not a JSON string.
pub const INVALID_PARAMETER: &str = "INVALID_PARAMETER";
