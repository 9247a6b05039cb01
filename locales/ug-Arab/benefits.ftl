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
    [lt] سىز تېخى { $threshold } ياشقا توشمىغانسىز ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
    [eq] سىز بۇ يىل { $value } ياشتا ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
   *[ge] سىز { $threshold } ياشقا توشقانسىز ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
}
benefit-why-person-sex = { $value ->
    [male] جىنسىڭىز ئەر
   *[female] جىنسىڭىز ئايال
}
benefit-why-person-district = نوپۇسىڭىز { $place } تەۋەسىدە
benefit-why-person-prefecture = نوپۇسىڭىز { $place } تەۋەسىدە
benefit-why-person-hukou = { $value ->
    [rural] نوپۇسىڭىز يېزا نوپۇسى
   *[urban] نوپۇسىڭىز شەھەر-بازار نوپۇسى
}
benefit-why-person-household_size = ئائىلىڭىزدە نوپۇسقا ئالدۇرۇلغان { $value } نەپەر كىشى بار
benefit-why-person-income_per_capita = ئائىلىڭىزنىڭ كىشى بېشىغا توغرا كېلىدىغان ئايلىق كىرىمى { $value } يۈەن
benefit-why-person-income_band = { $value ->
    [subsistence] ئائىلىڭىزنىڭ كىشى بېشىغا توغرا كېلىدىغان كىرىمى شۇ جاينىڭ ئەڭ تۆۋەن تۇرمۇش كاپالىتى ئۆلچىمىدىن تۆۋەن
    [low] ئائىلىڭىز كىرىمى تۆۋەن ئائىلە
    [middle] ئائىلىڭىزنىڭ كىرىمى ئوتتۇرا سەۋىيىدە
   *[high] ئائىلىڭىزنىڭ كىرىمى خېلى يۇقىرى سەۋىيىدە
}
benefit-why-person-disability_level = سىزدە { $value }-دەرىجىلىك مېيىپلىك گۇۋاھنامىسى بار
benefit-why-person-children_count = قۇرامىغا يەتمىگەن { $value } نەپەر پەرزەنتىڭىز بار
benefit-why-person-children_ages = { $op ->
    [exists] { $op2 ->
        [lt] { $threshold } ياشقا توشمىغان پەرزەنتىڭىز بار ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
       *[ge] { $threshold } ياشقا توشقان پەرزەنتىڭىز بار ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
    }
    [all] { $op2 ->
        [lt] پەرزەنتلىرىڭىزنىڭ ھەممىسى { $threshold } ياشقا توشمىغان
       *[ge] پەرزەنتلىرىڭىزنىڭ ھەممىسى { $threshold } ياشقا توشقان
    }
    [count] { $op2 ->
        [lt] { $threshold } ياشقا توشمىغان { $count } نەپەر پەرزەنتىڭىز بار
       *[ge] { $threshold } ياشقا توشقان { $count } نەپەر پەرزەنتىڭىز بار
    }
   *[size] قۇرامىغا يەتمىگەن { $value } نەپەر پەرزەنتىڭىز بار
}
benefit-why-person-children_age_months = { $op ->
    [exists] { $op2 ->
        [lt] تۇغۇلغىنىغا { $threshold } ئاي توشمىغان پەرزەنتىڭىز بار ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
       *[ge] تۇغۇلغىنىغا { $threshold } ئاي توشقان پەرزەنتىڭىز بار ({ $year }-يىلى { $month }-ئايدا تۇغۇلغان)
    }
    [all] { $op2 ->
        [lt] پەرزەنتلىرىڭىزنىڭ ھەممىسى تۇغۇلغىنىغا { $threshold } ئاي توشمىغان
       *[ge] پەرزەنتلىرىڭىزنىڭ ھەممىسى تۇغۇلغىنىغا { $threshold } ئاي توشقان
    }
    [count] { $op2 ->
        [lt] تۇغۇلغىنىغا { $threshold } ئاي توشمىغان { $count } نەپەر پەرزەنتىڭىز بار
       *[ge] تۇغۇلغىنىغا { $threshold } ئاي توشقان { $count } نەپەر پەرزەنتىڭىز بار
    }
   *[size] قۇرامىغا يەتمىگەن { $value } نەپەر پەرزەنتىڭىز بار
}
benefit-why-person-employment = { $value ->
    [employed] سىز ھازىر خىزمەتتە
    [unemployed] سىز ئىشسىزلىق تىزىملىتىشىنى بېجىرگەنسىز
    [flexible] سىز جانلىق ئىشلەيدىغانلار قاتارىدىن
    [farmer] سىز يېزا ئىگىلىك ئىشلەپچىقىرىشى بىلەن شۇغۇللىنىسىز
    [retired] سىز پېنسىيىگە چىققانسىز
    [student] سىز مەكتەپتە ئوقۇۋاتىسىز
   *[none] سىز ھازىرچە ئىشقا ئورۇنلاشمىغانسىز
}
benefit-why-person-subsistence = { $op ->
    [false] ئائىلىڭىز ئەڭ تۆۋەن تۇرمۇش كاپالىتىدىن بەھرىمەن بولمايدۇ
   *[true] ئائىلىڭىز ئەڭ تۆۋەن تۇرمۇش كاپالىتىدىن بەھرىمەن بولۇۋاتىدۇ
}
benefit-why-person-extreme_poverty = { $op ->
    [false] سىز ئالاھىدە قىيىنچىلىق تەمىناتىدىن بەھرىمەن بولمايسىز
   *[true] سىز ئالاھىدە قىيىنچىلىق تەمىناتىدىن بەھرىمەن بولۇۋاتىسىز
}
benefit-why-person-living_alone = { $op ->
    [false] سىز ئائىلە تاۋابىئاتلىرىڭىز بىلەن بىللە تۇرىسىز
   *[true] سىز يالغۇز ياشايسىز
}
benefit-why-person-veteran = { $op ->
    [false] سىز ئەسكەرلىكتىن قايتقان كىشى ئەمەس
   *[true] سىز ئەسكەرلىكتىن قايتقان كىشى
}

benefit-why-enterprise-age_months = { $op ->
    [lt] ئورنىڭىز قۇرۇلغىنىغا { $threshold } ئاي توشمىغان ({ $year }-يىلى { $month }-ئايدا تىزىملاتقان)
   *[ge] ئورنىڭىز قۇرۇلغىنىغا { $threshold } ئاي توشقان ({ $year }-يىلى { $month }-ئايدا تىزىملاتقان)
}
benefit-why-enterprise-employees = ئورنىڭىزدا سۇغۇرتىغا قاتناشقان { $value } نەپەر خىزمەتچى-ئىشچى بار
benefit-why-enterprise-graduate_hires = ئورنىڭىز بۇ يىل { $value } نەپەر ئالىي مەكتەپ پۈتتۈرگۈچىسىنى ئىشقا ئالدى
benefit-why-enterprise-annual_revenue = ئورنىڭىزنىڭ ئالدىنقى يىللىق تىجارەت كىرىمى { $value } يۈەن
benefit-why-enterprise-type = { $value ->
    [limited_company] ئورنىڭىز چەكلىك مەسئۇلىيەت شىركىتى
    [sole_proprietorship] ئورنىڭىز شەخس يالغۇز مەبلەغ سالغان كارخانا
    [partnership] ئورنىڭىز شېرىكچىلىك كارخانىسى
    [individual_business] ئورنىڭىز يەككە سانائەت-سودا تىجارەتچىسى
   *[cooperative] ئورنىڭىز دېھقانلار كەسپىي كوپېراتىپى
}
benefit-why-enterprise-size = { $value ->
    [micro] ئورنىڭىز ئىنتايىن كىچىك تىپتىكى كارخانا
    [small] ئورنىڭىز كىچىك تىپتىكى كارخانا
    [medium] ئورنىڭىز ئوتتۇرا تىپتىكى كارخانا
   *[large] ئورنىڭىز چوڭ تىپتىكى كارخانا
}
benefit-why-enterprise-industry = ئورنىڭىز تەۋە بولغان كەسىپ تۈرى: { $value }
benefit-why-enterprise-district = ئورنىڭىز { $place } تەۋەسىدە تىزىملاتقان
benefit-why-enterprise-prefecture = ئورنىڭىز { $place } تەۋەسىدە تىزىملاتقان
benefit-why-enterprise-tax_credit = ئورنىڭىزنىڭ باج تاپشۇرۇش ئىناۋەت دەرىجىسى: { $value }
benefit-why-enterprise-high_tech = { $op ->
    [false] ئورنىڭىز يۇقىرى-يېڭى تېخنىكىلىق كارخانا ئەمەس
   *[true] ئورنىڭىز يۇقىرى-يېڭى تېخنىكىلىق كارخانا
}

# Places named in explanations (6-digit division codes).
place-654000 = ئىلى قازاق ئاپتونوم ئوبلاستى
place-654002 = غۇلجا شەھىرى
place-654003 = كۈيتۇن شەھىرى
place-654004 = قورغاس شەھىرى
place-654021 = غۇلجا ناھىيىسى
place-654022 = چاپچال شىبە ئاپتونوم ناھىيىسى
place-654023 = قورغاس ناھىيىسى
place-654024 = توققۇزتارا ناھىيىسى
place-654025 = كۈنەس ناھىيىسى
place-654026 = موڭغۇلكۈرە ناھىيىسى
place-654027 = تېكەس ناھىيىسى
place-654028 = نىلقا ناھىيىسى
place-650000 = شىنجاڭ ئۇيغۇر ئاپتونوم رايونى
place-650100 = ئۈرۈمچى شەھىرى
place-650102 = ئۈرۈمچى شەھىرى تەڭرىتاغ رايونى
place-650104 = ئۈرۈمچى شەھىرى سايباغ رايونى
place-652300 = سانجى خۇيزۇ ئاپتونوم ئوبلاستى
place-652301 = سانجى شەھىرى
place-653100 = قەشقەر ۋىلايىتى
place-653101 = قەشقەر شەھىرى
place-unknown = مەمۇرىي رايون { $code }

# Amounts: `$yuan` is the amount in yuan, already formatted (`100` or `12.50`).
benefit-amount = { $unit ->
    [month] ھەر ئايدا { $yuan } يۈەن
    [year] ھەر يىلى { $yuan } يۈەن
   *[once] { $yuan } يۈەن
}

benefit-status-new = جەزملەشتۈرۈش كۈتۈلۈۋاتىدۇ
benefit-status-confirmed = جەزملەشتۈرۈلدى
benefit-status-granted = بەھرىمەن بولۇۋاتىسىز
benefit-status-declined = ۋاز كېچىلدى
benefit-status-expired = ۋاقتى ئۆتۈپ كەتتى

benefit-claim-submitted = تاپشۇرۇلدى، تەكشۈرۈلۈش كۈتۈلۈۋاتىدۇ
benefit-claim-accepted = تەكشۈرۈشتىن ئۆتتى
benefit-claim-paid = تارقىتىلدى
benefit-claim-rejected = تەكشۈرۈشتىن ئۆتمىدى

problem-offer-not-found-title = بۇ تەمىنات تېپىلمىدى
problem-offer-not-found-detail = بۇ تەمىنات مەۋجۇت ئەمەس ياكى سىزگە تەۋە ئەمەس.
problem-offer-closed-title = بۇ تەمىناتنى ئەمدى بېجىرگىلى بولمايدۇ
problem-offer-closed-detail = بۇ تەمىناتتىن ۋاز كېچىلگەن، ۋاقتى ئۆتكەن ياكى ئۇ تارقىتىلىپ بولغان، شۇڭا ئۇنى ئەمدى جەزملەشتۈرگىلى ياكى ئۇنىڭدىن ۋاز كەچكىلى بولمايدۇ.
problem-policy-invalid-title = سىياسەت مەزمۇنىدا خاتالىق بار
problem-policy-invalid-detail = { "errors" } تىزىملىكىدە كۆرسىتىلگەن تۈرلەرنى بىرمۇبىر تۈزىتىپ، ئاندىن قايتا يوللاڭ.
problem-policy-not-found-title = بۇ سىياسەت تېپىلمىدى
problem-policy-not-found-detail = بۇ نومۇر ياكى نەشردىكى سىياسەت يوق.
problem-policy-state-title = سىياسەتنىڭ ھازىرقى ھالىتىدە بۇ مەشغۇلاتنى قىلىشقا بولمايدۇ
problem-policy-state-detail = پەقەت دەسلەپكى نۇسخىنىلا ئېلان قىلغىلى، پەقەت ئېلان قىلىنغان نەشرنىلا توختاتقىلى بولىدۇ.
problem-sweep-not-found-title = بۇ قېتىملىق تۈركۈملەپ ماسلاشتۇرۇش تېپىلمىدى
problem-sweep-not-found-detail = بۇ نومۇردىكى تۈركۈملەپ ماسلاشتۇرۇش ۋەزىپىسى يوق.
policy-rule-error = { $line }-قۇر، { $column }-ستون: { $detail }
field-not-arabic-script = «{ $field }» ئەرەب ئېلىپبەسىدا يېزىلغان ئۇيغۇرچە ياكى قازاقچە بولۇشى كېرەك.
