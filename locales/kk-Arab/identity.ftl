# Sign-in, sessions, real-name binding and account problems. Variables are always text.

problem-unauthorized-title = الدىمەن كىرىڭىز
problem-unauthorized-detail = كىرۋ جارامسىز بولىپ قالدى نەمەسە ٴالى كىرمەدىڭىز، قايتا كىرىپ كورىڭىز.
problem-token-expired-title = كىرۋ مەرزىمى ٴوتىپ كەتتى
problem-token-expired-detail = كىرۋ بەلگىسىنىڭ مەرزىمى ٴوتىپ كەتتى، جاڭارتۋ بەلگىسىمەن مەرزىمىن ۇزارتىڭىز.
problem-forbidden-title = رۇقسات جوق
problem-forbidden-detail = كىلتىڭىزدىڭ بۇل ارەكەتتى ورىنداۋعا رۇقساتى جوق.
problem-rate-limited-title = ارەكەت تىم جيى
problem-rate-limited-detail = { $seconds } سەكۋندتان كەيىن قايتا كورىڭىز.
problem-login-code-invalid-title = كىرۋ كۋالىگى جارامسىز
problem-login-code-invalid-detail = كىرۋ كۋالىگى جارامسىز نەمەسە مەرزىمى ٴوتىپ كەتكەن، شاعىن باعدارلامانى قايتا اشىپ كىرىڭىز.
problem-login-code-used-title = كىرۋ كۋالىگى قولدانىلىپ قويعان
problem-login-code-used-detail = بۇل كىرۋ كۋالىگى بۇرىن قولدانىلعان، قايتادان كىرىڭىز.
problem-login-blocked-title = ازىرشە كىرۋ مۇمكىن ەمەس
problem-login-blocked-detail = الاڭ بۇل ەسەپتىڭ كىرۋىن ۋاقىتشا شەكتەدى، ٴسال كەيىن قايتا كورىڭىز نەمەسە قىزمەتكەرگە حابارلاسىڭىز.
problem-refresh-token-invalid-title = كىرۋ جارامسىز بولىپ قالدى
problem-refresh-token-invalid-detail = قايتا كىرىڭىز.
problem-real-name-mismatch-title = اتى-ٴجونى مەن كۋالىك ٴنومىرى سايكەس ەمەس
problem-real-name-mismatch-detail = اتى-ٴجونىڭىز بەن كۋالىك ٴنومىرىڭىزدى تەكسەرىپ، قايتا كورىڭىز.
problem-real-name-not-found-title = بۇل جەكە باس مالىمەتى تابىلمادى
problem-real-name-not-found-detail = ولكەلىك ۇكىمەت ىستەرى قىزمەت الاڭىندا بۇل كۋالىك ٴنومىرىنىڭ جازباسى جوق، تەكسەرىپ قايتا كورىڭىز.
problem-face-verification-failed-title = بەت-ٴالپەت تەكسەرۋىنەن وتپەدى
problem-face-verification-failed-detail = جارىق جەردە بەت-ٴالپەت تەكسەرۋىن قايتا جاساڭىز.
problem-real-name-already-bound-title = ەسەپ شىن اتىمەن راستالىپ قويعان
problem-real-name-already-bound-detail = بۇل ەسەپكە باسقا جەكە باس بايلانعان، قايتا بايلاۋعا بولمايدى.
problem-phone-code-invalid-title = تەلەفون ٴنومىرى رۇقساتى جارامسىز
problem-phone-code-invalid-detail = تەلەفون ٴنومىرى رۇقساتىنىڭ مەرزىمى ٴوتىپ كەتتى، قايتا رۇقسات بەرىڭىز.
problem-signature-invalid-title = قولتاڭبا تەكسەرۋىنەن وتپەدى
problem-signature-invalid-detail = سۇرانىستىڭ قولتاڭباسى جارامسىز، وڭدەۋدەن باس تارتىلدى.
problem-wechat-unavailable-title = قىزمەت ۋاقىتشا ىستەمەي تۇر
problem-wechat-unavailable-detail = ۋيچات الاڭىنا ۋاقىتشا قوسىلۋ مۇمكىن بولمادى، ٴسال كەيىن قايتا كورىڭىز.
problem-alipay-unavailable-title = قىزمەت ۋاقىتشا ىستەمەي تۇر
problem-alipay-unavailable-detail = الي-پاي الاڭىنا ۋاقىتشا قوسىلۋ مۇمكىن بولمادى، ٴسال كەيىن قايتا كورىڭىز.

# Field problems of real-name binding: { $field } is the API's field name.

field-id-wrong-length = «{ $field }» 18 تاڭبالى بولۋى كەرەك.
field-id-invalid-character = «{ $field }» تەك سانداردان تۇرادى، سوڭعى تاڭباسى { "X" } بولۋى مۇمكىن.
field-id-bad-region = «{ $field }» ىشىندەگى ايماق كودى دۇرىس ەمەس.
field-id-bad-birth-date = «{ $field }» ىشىندەگى تۋعان كۇنى دۇرىس ەمەس.
field-id-bad-check-digit = «{ $field }» تەكسەرۋ تاڭباسى دۇرىس ەمەس، ٴار تاڭباسىن تەكسەرىڭىز.
field-name-invalid-character = «{ $field }» تەك ارىپتەر مەن ارالىق نۇكتەسى «·» دەن تۇرادى.

problem-face-verification-required-title = بەت-ٴالپەت تەكسەرۋى كەرەك
problem-face-verification-required-detail = بۇل جەكە باس باسقا ەسەپكە بايلانعان، ەسەپتەردى بىرىكتىرۋدەن بۇرىن بەت-ٴالپەت تەكسەرۋىن ورىنداڭىز.
