# Benefits without application (免申即享): why a person qualifies, amounts, and problems.
#
# Explanations: one message per fact, `benefit-why-<subject>-<fact>`, chosen by `$op`:
#   ge / lt / eq / ne  an int fact against `$threshold` (`gt` and `le` arrive as ge/lt + 1)
#   in / notin         a value in (not in) a list; the person's own value is `$value`
#   true / false       a yes-or-no fact
#   exists / all       some (every) child meets `$op2` (ge / lt) `$threshold`
#   count              `$count` children meet `$op2` `$threshold`
#   size               the number of children, `$value`
#   startswith         a code beginning with a prefix
# Arguments always present: `$value` (the person's own value: a number, a code, or a localized
# place name in `$place`), and for dates `$year` / `$month` (birth, the matching child's birth,
# or registration).

benefit-why-person-age = { $op ->
    [lt] 您未满{ $threshold }周岁（{ $year }年{ $month }月出生）
    [eq] 您今年{ $value }周岁（{ $year }年{ $month }月出生）
   *[ge] 您已年满{ $threshold }周岁（{ $year }年{ $month }月出生）
}
benefit-why-person-sex = { $value ->
    [male] 您为男性
   *[female] 您为女性
}
benefit-why-person-district = 您的户籍在{ $place }
benefit-why-person-prefecture = 您的户籍在{ $place }
benefit-why-person-hukou = { $value ->
    [rural] 您为农村户籍
   *[urban] 您为城镇户籍
}
benefit-why-person-household_size = 您家户籍人口为{ $value }人
benefit-why-person-income_per_capita = 您家庭月人均收入为{ $value }元
benefit-why-person-income_band = { $value ->
    [subsistence] 您家庭人均收入低于当地最低生活保障标准
    [low] 您家庭为低收入家庭
    [middle] 您家庭收入为中等水平
   *[high] 您家庭收入为较高水平
}
benefit-why-person-disability_level = 您持有{ $value }级残疾人证
benefit-why-person-children_count = 您有{ $value }名未成年子女
benefit-why-person-children_ages = { $op ->
    [exists] { $op2 ->
        [lt] 您有未满{ $threshold }周岁的子女（{ $year }年{ $month }月出生）
       *[ge] 您有年满{ $threshold }周岁的子女（{ $year }年{ $month }月出生）
    }
    [all] { $op2 ->
        [lt] 您的子女均未满{ $threshold }周岁
       *[ge] 您的子女均已年满{ $threshold }周岁
    }
    [count] { $op2 ->
        [lt] 您有{ $count }名未满{ $threshold }周岁的子女
       *[ge] 您有{ $count }名年满{ $threshold }周岁的子女
    }
   *[size] 您有{ $value }名未成年子女
}
benefit-why-person-children_age_months = { $op ->
    [exists] { $op2 ->
        [lt] 您有出生未满{ $threshold }个月的子女（{ $year }年{ $month }月出生）
       *[ge] 您有出生满{ $threshold }个月的子女（{ $year }年{ $month }月出生）
    }
    [all] { $op2 ->
        [lt] 您的子女出生均未满{ $threshold }个月
       *[ge] 您的子女出生均已满{ $threshold }个月
    }
    [count] { $op2 ->
        [lt] 您有{ $count }名出生未满{ $threshold }个月的子女
       *[ge] 您有{ $count }名出生满{ $threshold }个月的子女
    }
   *[size] 您有{ $value }名未成年子女
}
benefit-why-person-employment = { $value ->
    [employed] 您目前在职
    [unemployed] 您已办理失业登记
    [flexible] 您为灵活就业人员
    [farmer] 您从事农业生产
    [retired] 您已退休
    [student] 您为在校学生
   *[none] 您目前未就业
}
benefit-why-person-subsistence = { $op ->
    [false] 您家庭未享受最低生活保障
   *[true] 您家庭享受最低生活保障（低保）
}
benefit-why-person-extreme_poverty = { $op ->
    [false] 您不属于特困供养人员
   *[true] 您为特困供养人员
}
benefit-why-person-living_alone = { $op ->
    [false] 您与家人共同居住
   *[true] 您独自居住
}
benefit-why-person-veteran = { $op ->
    [false] 您不是退役军人
   *[true] 您是退役军人
}

benefit-why-enterprise-age_months = { $op ->
    [lt] 贵单位成立未满{ $threshold }个月（{ $year }年{ $month }月登记）
   *[ge] 贵单位成立已满{ $threshold }个月（{ $year }年{ $month }月登记）
}
benefit-why-enterprise-employees = 贵单位参保职工{ $value }人
benefit-why-enterprise-graduate_hires = 贵单位今年招用高校毕业生{ $value }人
benefit-why-enterprise-annual_revenue = 贵单位上年营业收入{ $value }元
benefit-why-enterprise-type = { $value ->
    [limited_company] 贵单位为有限责任公司
    [sole_proprietorship] 贵单位为个人独资企业
    [partnership] 贵单位为合伙企业
    [individual_business] 贵单位为个体工商户
   *[cooperative] 贵单位为农民专业合作社
}
benefit-why-enterprise-size = { $value ->
    [micro] 贵单位为微型企业
    [small] 贵单位为小型企业
    [medium] 贵单位为中型企业
   *[large] 贵单位为大型企业
}
benefit-why-enterprise-industry = 贵单位所属行业门类为{ $value }
benefit-why-enterprise-district = 贵单位登记地在{ $place }
benefit-why-enterprise-prefecture = 贵单位登记地在{ $place }
benefit-why-enterprise-tax_credit = 贵单位纳税信用等级为{ $value }级
benefit-why-enterprise-high_tech = { $op ->
    [false] 贵单位不是高新技术企业
   *[true] 贵单位为高新技术企业
}

# Places named in explanations (6-digit division codes).
place-654000 = 伊犁哈萨克自治州
place-654002 = 伊宁市
place-654003 = 奎屯市
place-654004 = 霍尔果斯市
place-654021 = 伊宁县
place-654022 = 察布查尔锡伯自治县
place-654023 = 霍城县
place-654024 = 巩留县
place-654025 = 新源县
place-654026 = 昭苏县
place-654027 = 特克斯县
place-654028 = 尼勒克县
place-650000 = 新疆维吾尔自治区
place-650100 = 乌鲁木齐市
place-650102 = 乌鲁木齐市天山区
place-650104 = 乌鲁木齐市沙依巴克区
place-652300 = 昌吉回族自治州
place-652301 = 昌吉市
place-653100 = 喀什地区
place-653101 = 喀什市
place-unknown = 行政区划 { $code }

# Amounts: `$yuan` is the amount in yuan, already formatted (`100` or `12.50`).
benefit-amount = { $unit ->
    [month] 每月{ $yuan }元
    [year] 每年{ $yuan }元
   *[once] { $yuan }元
}

benefit-status-new = 待确认
benefit-status-confirmed = 已确认
benefit-status-granted = 已享受
benefit-status-declined = 已放弃
benefit-status-expired = 已过期

benefit-claim-submitted = 已提交，等待审核
benefit-claim-accepted = 已审核通过
benefit-claim-paid = 已发放
benefit-claim-rejected = 未通过审核

problem-offer-not-found-title = 没有找到这项待遇
problem-offer-not-found-detail = 这项待遇不存在，或不属于您。
problem-offer-closed-title = 这项待遇已无法办理
problem-offer-closed-detail = 这项待遇已放弃、已过期或已发放，不能再确认或放弃。
problem-policy-invalid-title = 政策内容有误
problem-policy-invalid-detail = 请按 errors 中列出的字段逐一修改后再提交。
problem-policy-not-found-title = 没有找到这项政策
problem-policy-not-found-detail = 没有这个编号或版本的政策。
problem-policy-state-title = 政策当前状态不允许此操作
problem-policy-state-detail = 只能发布草稿版本，只能停用已发布的版本。
problem-sweep-not-found-title = 没有找到这次批量匹配
problem-sweep-not-found-detail = 没有这个编号的批量匹配任务。
policy-rule-error = 第{ $line }行第{ $column }列：{ $detail }
field-not-arabic-script = “{ $field }”应为用阿拉伯字母书写的维吾尔文或哈萨克文。
