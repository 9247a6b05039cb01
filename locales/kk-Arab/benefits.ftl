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
    [lt] ٴسىز ٴالى { $threshold } جاسقا تولماعانسىز ({ $year }-جىلى { $month }-ايدا تۋىلعان)
    [eq] ٴسىز بيىل { $value } جاستاسىز ({ $year }-جىلى { $month }-ايدا تۋىلعان)
   *[ge] ٴسىز { $threshold } جاسقا تولعانسىز ({ $year }-جىلى { $month }-ايدا تۋىلعان)
}
benefit-why-person-sex = { $value ->
    [male] جىنىسىڭىز ەر
   *[female] جىنىسىڭىز ايەل
}
benefit-why-person-district = تۇراقتى تىركەۋىڭىز { $place } اۋماعىندا
benefit-why-person-prefecture = تۇراقتى تىركەۋىڭىز { $place } اۋماعىندا
benefit-why-person-hukou = { $value ->
    [rural] ٴسىز اۋىل تىركەۋىندەسىز
   *[urban] ٴسىز قالا تىركەۋىندەسىز
}
benefit-why-person-household_size = وتباسىڭىزدا تىركەلگەن { $value } ادام بار
benefit-why-person-income_per_capita = وتباسىڭىزدىڭ جان باسىنا شاققانداعى ايلىق تابىسى { $value } يۋان
benefit-why-person-income_band = { $value ->
    [subsistence] وتباسىڭىزدىڭ جان باسىنا شاققانداعى تابىسى جەرگىلىكتى ەڭ تومەنگى تۇرمىس كەپىلدىگى ولشەمىنەن تومەن
    [low] وتباسىڭىز تابىسى تومەن وتباسى
    [middle] وتباسىڭىزدىڭ تابىسى ورتا دەڭگەيدە
   *[high] وتباسىڭىزدىڭ تابىسى ٴبىرشاما جوعارى دەڭگەيدە
}
benefit-why-person-disability_level = ٴسىزدە { $value }-دارەجەلى مۇگەدەكتىك كۋالىگى بار
benefit-why-person-children_count = ٴسىزدىڭ كامەلەتكە تولماعان { $value } بالاڭىز بار
benefit-why-person-children_ages = { $op ->
    [exists] { $op2 ->
        [lt] ٴسىزدىڭ { $threshold } جاسقا تولماعان بالاڭىز بار ({ $year }-جىلى { $month }-ايدا تۋىلعان)
       *[ge] ٴسىزدىڭ { $threshold } جاسقا تولعان بالاڭىز بار ({ $year }-جىلى { $month }-ايدا تۋىلعان)
    }
    [all] { $op2 ->
        [lt] بالالارىڭىزدىڭ بارلىعى { $threshold } جاسقا تولماعان
       *[ge] بالالارىڭىزدىڭ بارلىعى { $threshold } جاسقا تولعان
    }
    [count] { $op2 ->
        [lt] ٴسىزدىڭ { $threshold } جاسقا تولماعان { $count } بالاڭىز بار
       *[ge] ٴسىزدىڭ { $threshold } جاسقا تولعان { $count } بالاڭىز بار
    }
   *[size] ٴسىزدىڭ كامەلەتكە تولماعان { $value } بالاڭىز بار
}
benefit-why-person-children_age_months = { $op ->
    [exists] { $op2 ->
        [lt] ٴسىزدىڭ تۋعانىنا { $threshold } اي تولماعان بالاڭىز بار ({ $year }-جىلى { $month }-ايدا تۋىلعان)
       *[ge] ٴسىزدىڭ تۋعانىنا { $threshold } اي تولعان بالاڭىز بار ({ $year }-جىلى { $month }-ايدا تۋىلعان)
    }
    [all] { $op2 ->
        [lt] بالالارىڭىزدىڭ بارلىعى تۋعانىنا { $threshold } اي تولماعان
       *[ge] بالالارىڭىزدىڭ بارلىعى تۋعانىنا { $threshold } اي تولعان
    }
    [count] { $op2 ->
        [lt] ٴسىزدىڭ تۋعانىنا { $threshold } اي تولماعان { $count } بالاڭىز بار
       *[ge] ٴسىزدىڭ تۋعانىنا { $threshold } اي تولعان { $count } بالاڭىز بار
    }
   *[size] ٴسىزدىڭ كامەلەتكە تولماعان { $value } بالاڭىز بار
}
benefit-why-person-employment = { $value ->
    [employed] ٴسىز قازىر جۇمىس ىستەيسىز
    [unemployed] ٴسىز جۇمىسسىز رەتىندە تىركەلگەنسىز
    [flexible] ٴسىز يكەمدى جۇمىس ىستەيتىندەر قاتارىنداسىز
    [farmer] ٴسىز اۋىل شارۋاشىلىق وندىرىسىمەن اينالىساسىز
    [retired] ٴسىز زەينەتكە شىققانسىز
    [student] ٴسىز وقۋ ورنىندا وقىپ جاتىرسىز
   *[none] ٴسىز قازىر جۇمىسقا ورنالاسپاعانسىز
}
benefit-why-person-subsistence = { $op ->
    [false] وتباسىڭىز ەڭ تومەنگى تۇرمىس كەپىلدىگىن المايدى
   *[true] وتباسىڭىز ەڭ تومەنگى تۇرمىس كەپىلدىگىن الىپ وتىر
}
benefit-why-person-extreme_poverty = { $op ->
    [false] ٴسىز ەرەكشە قيىنشىلىق قامتۋىن المايسىز
   *[true] ٴسىز ەرەكشە قيىنشىلىق قامتۋىن الىپ وتىرسىز
}
benefit-why-person-living_alone = { $op ->
    [false] ٴسىز وتباسى مۇشەلەرىڭىزبەن بىرگە تۇراسىز
   *[true] ٴسىز جالعىز تۇراسىز
}
benefit-why-person-veteran = { $op ->
    [false] ٴسىز ارميادان بوساعان ادام ەمەسسىز
   *[true] ٴسىز ارميادان بوساعان ادامسىز
}

benefit-why-enterprise-age_months = { $op ->
    [lt] كاسىپورنىڭىز قۇرىلعانىنا { $threshold } اي تولماعان ({ $year }-جىلى { $month }-ايدا تىركەلگەن)
   *[ge] كاسىپورنىڭىز قۇرىلعانىنا { $threshold } اي تولعان ({ $year }-جىلى { $month }-ايدا تىركەلگەن)
}
benefit-why-enterprise-employees = كاسىپورنىڭىزدا ساقتاندىرۋعا قاتىسقان { $value } قىزمەتكەر بار
benefit-why-enterprise-graduate_hires = كاسىپورنىڭىز بيىل جوعارى وقۋ ورنىن بىتىرگەن { $value } تۇلەكتى جۇمىسقا الدى
benefit-why-enterprise-annual_revenue = كاسىپورنىڭىزدىڭ وتكەن جىلعى كاسىپكەرلىك تابىسى { $value } يۋان
benefit-why-enterprise-type = { $value ->
    [limited_company] كاسىپورنىڭىز جاۋاپكەرشىلىگى شەكتەۋلى كومپانيا بولىپ تابىلادى
    [sole_proprietorship] كاسىپورنىڭىز جەكە دارا كاسىپورىن بولىپ تابىلادى
    [partnership] كاسىپورنىڭىز سەرىكتەستىك كاسىپورىن بولىپ تابىلادى
    [individual_business] كاسىپورنىڭىز جەكە ونەركاسىپ-ساۋدا شارۋاشىلىعى بولىپ تابىلادى
   *[cooperative] كاسىپورنىڭىز شارۋالاردىڭ كاسىپتىك كووپەراتيۆى بولىپ تابىلادى
}
benefit-why-enterprise-size = { $value ->
    [micro] كاسىپورنىڭىز وتە شاعىن كاسىپورىندار قاتارىنا جاتادى
    [small] كاسىپورنىڭىز شاعىن كاسىپورىندار قاتارىنا جاتادى
    [medium] كاسىپورنىڭىز ورتا كاسىپورىندار قاتارىنا جاتادى
   *[large] كاسىپورنىڭىز ٴىرى كاسىپورىندار قاتارىنا جاتادى
}
benefit-why-enterprise-industry = كاسىپورنىڭىزدىڭ سالا ساناتى: { $value }
benefit-why-enterprise-district = كاسىپورنىڭىز { $place } اۋماعىندا تىركەلگەن
benefit-why-enterprise-prefecture = كاسىپورنىڭىز { $place } اۋماعىندا تىركەلگەن
benefit-why-enterprise-tax_credit = كاسىپورنىڭىزدىڭ سالىق تولەۋ سەنىمدىلىگى دارەجەسى: { $value }
benefit-why-enterprise-high_tech = { $op ->
    [false] كاسىپورنىڭىز جوعارى-جاڭا تەحنولوگيالى كاسىپورىن ەمەس
   *[true] كاسىپورنىڭىز جوعارى-جاڭا تەحنولوگيالى كاسىپورىن بولىپ تابىلادى
}

# Places named in explanations (6-digit division codes).
place-654000 = ىلە قازاق اۆتونوميالى وبلىسى
place-654002 = قۇلجا قالاسى
place-654003 = كۇيتۇن قالاسى
place-654004 = قورعاس قالاسى
place-654021 = قۇلجا اۋدانى
place-654022 = شاپشال سىبە اۆتونوميالى اۋدانى
place-654023 = قورعاس اۋدانى
place-654024 = توعىزتاراۋ اۋدانى
place-654025 = كۇنەس اۋدانى
place-654026 = موڭعۇلكۇرە اۋدانى
place-654027 = تەكەس اۋدانى
place-654028 = نىلقى اۋدانى
place-650000 = شينجياڭ ۇيعىر اۆتونوميالى رايونى
place-650100 = ٴۇرىمجى قالاسى
place-650102 = ٴۇرىمجى قالاسى تيانشان اۋدانى
place-650104 = ٴۇرىمجى قالاسى سايباق اۋدانى
place-652300 = سانجى حۇيزۋ اۆتونوميالى وبلىسى
place-652301 = سانجى قالاسى
place-653100 = قاشقار ايماعى
place-653101 = قاشقار قالاسى
place-unknown = اكىمشىلىك ايماق { $code }

# Amounts: `$yuan` is the amount in yuan, already formatted (`100` or `12.50`).
benefit-amount = { $unit ->
    [month] اي سايىن { $yuan } يۋان
    [year] جىل سايىن { $yuan } يۋان
   *[once] { $yuan } يۋان
}

benefit-status-new = راستاۋدى كۇتۋدە
benefit-status-confirmed = راستالدى
benefit-status-granted = پايدالانىپ وتىرسىز
benefit-status-declined = باس تارتىلدى
benefit-status-expired = مەرزىمى ٴوتىپ كەتتى

benefit-claim-submitted = تاپسىرىلدى، تەكسەرىلۋىن كۇتۋدە
benefit-claim-accepted = تەكسەرىستەن ٴوتتى
benefit-claim-paid = تولەندى
benefit-claim-rejected = تەكسەرىستەن وتپەدى

problem-offer-not-found-title = بۇل جەڭىلدىك تابىلمادى
problem-offer-not-found-detail = بۇل جەڭىلدىك جوق نەمەسە ول سىزگە ٴتيىستى ەمەس.
problem-offer-closed-title = بۇل جەڭىلدىكتى ەندى راسىمدەۋگە بولمايدى
problem-offer-closed-detail = بۇل جەڭىلدىكتەن باس تارتىلعان، مەرزىمى ٴوتىپ كەتكەن نەمەسە ول بەرىلىپ قويعان، سوندىقتان ونى ەندى راستاۋعا دا، ودان باس تارتۋعا دا بولمايدى.
problem-policy-invalid-title = ساياسات مازمۇنىندا قاتە بار
problem-policy-invalid-detail = { "errors" } ٴتىزىمىندە كورسەتىلگەن جولداردى ٴبىر-بىرلەپ تۇزەتىپ، قايتا تاپسىرىڭىز.
problem-policy-not-found-title = بۇل ساياسات تابىلمادى
problem-policy-not-found-detail = مۇنداي ٴنومىرى نەمەسە نۇسقاسى بار ساياسات جوق.
problem-policy-state-title = ساياساتتىڭ قازىرگى كۇيى بۇل ارەكەتكە رۇقسات بەرمەيدى
problem-policy-state-detail = تەك جوبا نۇسقاسىن عانا جاريالاۋعا، تەك جاريالانعان نۇسقانى عانا توقتاتۋعا بولادى.
problem-sweep-not-found-title = بۇل رەتكى توپتامالى سايكەستەندىرۋ تابىلمادى
problem-sweep-not-found-detail = مۇنداي ٴنومىرى بار توپتامالى سايكەستەندىرۋ تاپسىرماسى جوق.
policy-rule-error = { $line }-جول، { $column }-باعان: { $detail }
field-not-arabic-script = «{ $field }» اراب الىپبيىمەن جازىلعان ۇيعىرشا نەمەسە قازاقشا بولۋى كەرەك.
