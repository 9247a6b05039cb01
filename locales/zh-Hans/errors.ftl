# Problem titles and details (application/problem+json). Variables are always text.

problem-not-found-title = 找不到请求的内容
problem-not-found-detail = 该地址不存在，请检查链接是否正确。
problem-method-not-allowed-title = 不支持该请求方式
problem-method-not-allowed-detail = 该地址不支持 { $method } 请求。
problem-payload-too-large-title = 提交的内容过大
problem-payload-too-large-detail = 请求内容不能超过 { $kilobytes } KB。
problem-validation-title = 请求参数有误
problem-validation-detail = 请检查下列各项后重试。
problem-unsupported-media-type-title = 不支持该内容格式
problem-unsupported-media-type-detail = 请以 { $format } 格式提交内容。
problem-internal-title = 服务出了点问题
problem-internal-detail = 请稍后再试。如需帮助，请提供请求编号 { $requestId }。
problem-upstream-unavailable-title = 服务暂时不可用
problem-upstream-unavailable-detail = 暂时无法连接省政务服务平台，请稍后再试。
problem-service-not-found-title = 找不到该事项
problem-service-not-found-detail = 没有编码为 { $code } 的办事事项。
problem-overloaded-title = 服务繁忙
problem-overloaded-detail = 当前办理的人较多，请稍后再试。
problem-bad-request-title = 请求无法处理
problem-bad-request-detail = 请检查请求内容后重试。

# One line per invalid field; { $field } is the API's field or parameter name.

field-required = 缺少必填项“{ $field }”。
field-too-long = “{ $field }”不能超过 { $max } 个字符。
field-too-short = “{ $field }”至少需要 { $min } 个字符。
field-out-of-range = “{ $field }”的取值超出允许范围。
field-invalid = “{ $field }”的值无效。
field-bad-format = “{ $field }”的格式不正确。
field-unknown = 无法识别的字段“{ $field }”。
field-invalid-cursor = “{ $field }”无效或已过期，请从第一页重新开始。
body-malformed = 请求内容不是有效的 { $format }。
