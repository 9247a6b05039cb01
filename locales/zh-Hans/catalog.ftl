# Service catalog (事项库) display text.

item-type-licensing = 行政许可
item-type-penalty = 行政处罚
item-type-coercion = 行政强制
item-type-levy = 行政征收
item-type-benefit = 行政给付
item-type-inspection = 行政检查
item-type-confirmation = 行政确认
item-type-award = 行政奖励
item-type-adjudication = 行政裁决
item-type-other-power = 其他行政权力
item-type-public-service = 公共服务
item-type-other = 其他

service-object-person = 个人
service-object-enterprise = 法人（企业）

time-limit-on-the-spot = 即时办结
time-limit-working-days = { $days } 个工作日
time-limit-natural-days = { $days } 天

visits-none = 无需到现场办理
visits-count = 最多跑 { $visits } 次

fee-free = 不收费
fee-charged = 收费 { $amount }

material-form-original = 原件
material-form-copy = 复印件
material-form-electronic = 电子材料
