# Notifications (消息): what a person is told in the in-app inbox, in app push, and in the
# values of WeChat and Alipay template messages.
#
# Two kinds:
#   push-offer-*  a benefit offer (免申即享): `$policy` is the policy's title in the person's
#                 language, `$amount` the amount as displayed (may be empty), `$deadline` the
#                 last day to confirm as a localized date.
#   push-app-*    an application (办件) whose status changed: `$service` is the service item's
#                 name, `$due` a localized date (supplement deadline; may be empty).
#
# `*-title`  one line: inbox title, app-push title.
# `*-body`   the full text: inbox body (the inbox adds the reasons), app-push body.
# `*-hint`   short (WeChat `thing` fields hold at most 20 characters): what to do next.
# `*-state`  a few characters for a status field.

push-offer-title-confirm = 待确认的惠民政策：{ $policy }
push-offer-title-granted = 您已享受：{ $policy }
push-offer-body-confirm = 根据政府部门掌握的信息，您符合“{ $policy }”的条件，无需申请。请在{ $deadline }前打开“我的惠民政策”确认领取。
push-offer-body-granted = 根据政府部门掌握的信息，您符合“{ $policy }”的条件，将按规定自动发放，无需申请。
push-offer-amount = 金额：{ $amount }
push-offer-hint-confirm = 点击查看原因并确认领取
push-offer-hint-granted = 无需申请，将自动发放
push-offer-state-confirm = 待确认
push-offer-state-granted = 已享受

push-app-title-approved = 办件已办结：{ $service }
push-app-title-supplement = 需要补正材料：{ $service }
push-app-title-ready = 办理结果可以领取：{ $service }
push-app-title-rejected = 办件未获通过：{ $service }
push-app-body-approved = 您申请的“{ $service }”已办结，准予许可。
push-app-body-supplement = 您申请的“{ $service }”需要补正材料，请在{ $due }前提交，逾期将影响办理。
push-app-body-supplement-nodue = 您申请的“{ $service }”需要补正材料，请尽快提交。
push-app-body-ready = 您申请的“{ $service }”办理结果已可领取，领取方式请查看办件详情。
push-app-body-rejected = 您申请的“{ $service }”未获通过，原因和下一步请查看办件详情。
push-app-hint-approved = 点击查看办理结果
push-app-hint-supplement = 点击查看需补正的材料
push-app-hint-ready = 点击查看领取方式
push-app-hint-rejected = 点击查看原因
push-app-state-approved = 已办结
push-app-state-supplement = 待补正
push-app-state-ready = 待领取
push-app-state-rejected = 未通过

problem-notification-not-found-title = 没有找到这条消息
problem-notification-not-found-detail = 这条消息不存在，或不属于您。
problem-device-not-found-title = 没有找到这台设备
problem-device-not-found-detail = 这台设备没有登记在您的账户下。
problem-template-unknown-title = 不认识这个消息模板
problem-template-unknown-detail = 这个模板不是本服务发送消息所用的模板，请使用“我的订阅”中列出的模板。
problem-campaign-not-found-title = 没有找到这次推送
problem-campaign-not-found-detail = 没有以此编号发出的推送。
