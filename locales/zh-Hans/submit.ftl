# "One thing done once" bundles (一件事一次办), submitting applications and supplements.

problem-bundle-not-found-title = 找不到该“一件事”
problem-bundle-not-found-detail = 没有编码为 { $code } 的“一件事一次办”事项。
problem-request-in-progress-title = 请求正在处理
problem-request-in-progress-detail = 同一请求正在处理中，请稍后查看结果，不要重复提交。
problem-not-online-title = 该事项不支持网上申请
problem-not-online-detail = 该事项需到政务服务大厅窗口办理，可以先预约。
problem-not-awaiting-supplement-title = 无需补正材料
problem-not-awaiting-supplement-detail = 该办件当前不在补正阶段，无需提交补正材料。
