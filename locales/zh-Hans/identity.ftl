# Sign-in, sessions, real-name binding and account problems. Variables are always text.

problem-unauthorized-title = 请先登录
problem-unauthorized-detail = 登录已失效或尚未登录，请重新登录后再试。
problem-token-expired-title = 登录已过期
problem-token-expired-detail = 访问令牌已过期，请使用刷新令牌续期。
problem-forbidden-title = 没有权限
problem-forbidden-detail = 您的密钥无权执行此操作。
problem-rate-limited-title = 操作过于频繁
problem-rate-limited-detail = 请在 { $seconds } 秒后再试。
problem-login-code-invalid-title = 登录凭证无效
problem-login-code-invalid-detail = 登录凭证无效或已过期，请重新打开小程序登录。
problem-login-code-used-title = 登录凭证已使用
problem-login-code-used-detail = 该登录凭证已经用过，请重新发起登录。
problem-login-blocked-title = 暂时无法登录
problem-login-blocked-detail = 平台暂时限制了该账号登录，请稍后再试或联系客服。
problem-refresh-token-invalid-title = 登录已失效
problem-refresh-token-invalid-detail = 请重新登录。
problem-real-name-mismatch-title = 姓名与证件号码不一致
problem-real-name-mismatch-detail = 请核对姓名和身份证件号码后重试。
problem-real-name-not-found-title = 未查到该身份信息
problem-real-name-not-found-detail = 省政务服务平台没有该证件号码的记录，请核对后重试。
problem-face-verification-failed-title = 人脸核验未通过
problem-face-verification-failed-detail = 请在光线充足处重新进行人脸核验。
problem-real-name-already-bound-title = 账号已实名认证
problem-real-name-already-bound-detail = 该账号已绑定其他身份，不能再次绑定。
problem-phone-code-invalid-title = 手机号授权无效
problem-phone-code-invalid-detail = 手机号授权已失效，请重新授权。
problem-signature-invalid-title = 签名验证失败
problem-signature-invalid-detail = 请求签名无效，已拒绝处理。
problem-wechat-unavailable-title = 服务暂时不可用
problem-wechat-unavailable-detail = 暂时无法连接微信平台，请稍后再试。
problem-alipay-unavailable-title = 服务暂时不可用
problem-alipay-unavailable-detail = 暂时无法连接支付宝平台，请稍后再试。

# Field problems of real-name binding: { $field } is the API's field name.

field-id-wrong-length = “{ $field }”应为 18 位。
field-id-invalid-character = “{ $field }”只能包含数字，最后一位可以是 { "X" }。
field-id-bad-region = “{ $field }”的地区代码不正确。
field-id-bad-birth-date = “{ $field }”中的出生日期不正确。
field-id-bad-check-digit = “{ $field }”的校验位不正确，请逐位核对。
field-name-invalid-character = “{ $field }”只能包含文字和间隔号“·”。

problem-face-verification-required-title = 需要人脸核验
problem-face-verification-required-detail = 该身份已绑定其他账号，请先完成人脸核验再合并账号。
