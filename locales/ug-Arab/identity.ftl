# Sign-in, sessions, real-name binding and account problems. Variables are always text.

problem-unauthorized-title = ئالدى بىلەن كىرىڭ
problem-unauthorized-detail = كىرىش ئىناۋەتسىز بولۇپ قالدى ياكى تېخى كىرمىدىڭىز، قايتا كىرىپ سىناڭ.
problem-token-expired-title = كىرىش ۋاقتى ئۆتۈپ كەتتى
problem-token-expired-detail = زىيارەت بەلگىسىنىڭ ۋاقتى ئۆتۈپ كەتتى، يېڭىلاش بەلگىسى بىلەن مۇددىتىنى ئۇزارتىڭ.
problem-forbidden-title = ھوقۇق يوق
problem-forbidden-detail = ئاچقۇچىڭىزنىڭ بۇ مەشغۇلاتنى ئىجرا قىلىش ھوقۇقى يوق.
problem-rate-limited-title = مەشغۇلات بەك تېز
problem-rate-limited-detail = { $seconds } سېكۇنتتىن كېيىن قايتا سىناڭ.
problem-login-code-invalid-title = كىرىش ئىسپاتى ئىناۋەتسىز
problem-login-code-invalid-detail = كىرىش ئىسپاتى ئىناۋەتسىز ياكى ۋاقتى ئۆتكەن، كىچىك پروگراممىنى قايتا ئېچىپ كىرىڭ.
problem-login-code-used-title = كىرىش ئىسپاتى ئىشلىتىلىپ بولغان
problem-login-code-used-detail = بۇ كىرىش ئىسپاتى ئاللىقاچان ئىشلىتىلگەن، قايتىدىن كىرىڭ.
problem-login-blocked-title = ھازىرچە كىرگىلى بولمايدۇ
problem-login-blocked-detail = سۇپا بۇ ھېساباتنىڭ كىرىشىنى ۋاقتىنچە چەكلىدى، سەل تۇرۇپ قايتا سىناڭ ياكى مۇلازىمەتچى بىلەن ئالاقىلىشىڭ.
problem-refresh-token-invalid-title = كىرىش ئىناۋەتسىز بولۇپ قالدى
problem-refresh-token-invalid-detail = قايتا كىرىڭ.
problem-real-name-mismatch-title = ئىسىم بىلەن كىملىك نومۇرى ماس كەلمىدى
problem-real-name-mismatch-detail = ئىسمىڭىز ۋە كىملىك نومۇرىڭىزنى تەكشۈرۈپ قايتا سىناڭ.
problem-real-name-not-found-title = بۇ كىملىك ئۇچۇرى تېپىلمىدى
problem-real-name-not-found-detail = ئۆلكىلىك ھۆكۈمەت ئىشلىرى مۇلازىمەت سۇپىسىدا بۇ كىملىك نومۇرىنىڭ خاتىرىسى يوق، تەكشۈرۈپ قايتا سىناڭ.
problem-face-verification-failed-title = چىراي دەلىللەشتىن ئۆتەلمىدى
problem-face-verification-failed-detail = يورۇق جايدا چىراي دەلىللەشنى قايتا قىلىڭ.
problem-real-name-already-bound-title = ھېسابات ئاللىقاچان ھەقىقىي ئىسىم بىلەن دەلىللەنگەن
problem-real-name-already-bound-detail = بۇ ھېساباتقا باشقا بىر كىملىك باغلانغان، قايتا باغلىغىلى بولمايدۇ.
problem-phone-code-invalid-title = تېلېفون نومۇرى ھوقۇقى ئىناۋەتسىز
problem-phone-code-invalid-detail = تېلېفون نومۇرى ھوقۇقىنىڭ ۋاقتى ئۆتۈپ كەتتى، قايتا ھوقۇق بېرىڭ.
problem-signature-invalid-title = ئىمزا دەلىللەشتىن ئۆتەلمىدى
problem-signature-invalid-detail = تەلەپنىڭ ئىمزاسى ئىناۋەتسىز، بىر تەرەپ قىلىش رەت قىلىندى.
problem-wechat-unavailable-title = مۇلازىمەتنى ۋاقتىنچە ئىشلەتكىلى بولمايدۇ
problem-wechat-unavailable-detail = ۋېيشىن سۇپىسىغا ۋاقتىنچە ئۇلانغىلى بولمىدى، سەل تۇرۇپ قايتا سىناڭ.
problem-alipay-unavailable-title = مۇلازىمەتنى ۋاقتىنچە ئىشلەتكىلى بولمايدۇ
problem-alipay-unavailable-detail = جىفۇباۋ سۇپىسىغا ۋاقتىنچە ئۇلانغىلى بولمىدى، سەل تۇرۇپ قايتا سىناڭ.

# Field problems of real-name binding: { $field } is the API's field name.

field-id-wrong-length = «{ $field }» 18 خانىلىق بولۇشى كېرەك.
field-id-invalid-character = «{ $field }» پەقەت رەقەملەردىن تۈزۈلىدۇ، ئاخىرقى خانىسى { "X" } بولسا بولىدۇ.
field-id-bad-region = «{ $field }» دىكى رايون نومۇرى توغرا ئەمەس.
field-id-bad-birth-date = «{ $field }» دىكى تۇغۇلغان چېسلا توغرا ئەمەس.
field-id-bad-check-digit = «{ $field }» نىڭ تەكشۈرۈش خانىسى توغرا ئەمەس، ھەر بىر خانىسىنى تەكشۈرۈڭ.
field-name-invalid-character = «{ $field }» پەقەت ھەرپلەر ۋە ئارىلىق چېكىتى «·» دىن تۈزۈلىدۇ.

problem-face-verification-required-title = چىراي دەلىللەش كېرەك
problem-face-verification-required-detail = بۇ كىملىك باشقا ھېساباتقا باغلانغان، ھېساباتلارنى بىرلەشتۈرۈشتىن بۇرۇن چىراي دەلىللەشنى تاماملاڭ.
