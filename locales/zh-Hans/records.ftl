# A person's applications (办件), certificates (电子证照) and the home screen.

application-status-submitted = 已接件
application-status-withdrawn = 已撤回
application-status-accepted = 已受理
application-status-rejected-at-intake = 不予受理
application-status-supplement-requested = 待补正材料
application-status-supplement-submitted = 已补正材料
application-status-in-review = 审查中
application-status-paused = 特别程序中（暂停计时）
application-status-approved = 已办结（准予）
application-status-approved-tolerant = 已办结（容缺，待补交材料）
application-status-denied = 不予许可
application-status-revoked = 已撤销
application-status-result-ready = 已出证，待领取

certificate-status-valid = 有效
certificate-status-expired = 已过期
certificate-status-suspended = 已暂扣
certificate-status-revoked = 已吊销
certificate-status-cancelled = 已注销
certificate-expires-in = { $days } 天后到期
certificate-long-term = 长期有效

problem-real-name-required-title = 请先完成实名认证
problem-real-name-required-detail = 查看办件和证照前，请先绑定本人的姓名和身份证件号码。
