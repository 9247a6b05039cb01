# Rating a finished application (好差评) and appointments at the halls (预约).

problem-already-rated-title = 该办件已评价
problem-already-rated-detail = 每件办件只能评价一次。
problem-not-rateable-title = 办件尚未办结
problem-not-rateable-detail = 办件办结后才能评价。
problem-content-rejected-title = 评价内容未通过审核
problem-content-rejected-detail = 评价中含有不宜发布的内容，请修改后重试。

problem-slot-full-title = 该时段已约满
problem-slot-full-detail = 请选择其他时段。
problem-phone-required-title = 请先绑定手机号
problem-phone-required-detail = 预约需要能联系到您的手机号，请先绑定本人手机号。
problem-idempotency-key-reused-title = 请求编号已被使用
problem-idempotency-key-reused-detail = 这个请求编号已用于另一次不同的请求，新的操作请使用新的编号。
problem-not-bookable-title = 无法预约该时段
problem-not-bookable-detail = 该时段不在可预约范围内，或该大厅不办理此事项。
problem-not-cancellable-title = 预约无法取消
problem-not-cancellable-detail = 该预约已办理或已过期，不能取消。

appointment-status-booked = 已预约
appointment-status-checked-in = 已取号
appointment-status-served = 已办理
appointment-status-cancelled = 已取消
appointment-status-no-show = 未到场
