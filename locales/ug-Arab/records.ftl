# A person's applications (办件), certificates (电子证照) and the home screen.

application-status-submitted = تاپشۇرۇۋېلىندى
application-status-withdrawn = قايتۇرۇۋېلىندى
application-status-accepted = قوبۇل قىلىندى
application-status-rejected-at-intake = قوبۇل قىلىنمىدى
application-status-supplement-requested = ماتېرىيال تولۇقلاش كېرەك
application-status-supplement-submitted = ماتېرىيال تولۇقلاندى
application-status-in-review = تەكشۈرۈلۈۋاتىدۇ
application-status-paused = ئالاھىدە تەرتىپتە (ۋاقىت ھېسابلانمايدۇ)
application-status-approved = بېجىرىلدى (ماقۇللاندى)
application-status-approved-tolerant = بېجىرىلدى (كەم ماتېرىيال كېيىن تاپشۇرۇلىدۇ)
application-status-denied = رۇخسەت قىلىنمىدى
application-status-revoked = بىكار قىلىندى
application-status-result-ready = نەتىجىنى ئېلىشقا بولىدۇ

certificate-status-valid = ئىناۋەتلىك
certificate-status-expired = ۋاقتى ئۆتكەن
certificate-status-suspended = ۋاقتىنچە توختىتىلغان
certificate-status-revoked = ئەمەلدىن قالدۇرۇلغان
certificate-status-cancelled = تىزىمدىن ئۆچۈرۈلگەن
certificate-expires-in = { $days } كۈندىن كېيىن ۋاقتى توشىدۇ
certificate-long-term = مۇددەتسىز ئىناۋەتلىك

problem-real-name-required-title = ئالدى بىلەن ھەقىقىي ئىسىم دەلىللەشنى تاماملاڭ
problem-real-name-required-detail = ئىش بېجىرىش ئەھۋالى ۋە گۇۋاھنامىلەرنى كۆرۈشتىن بۇرۇن، ئۆزىڭىزنىڭ ئىسمى ۋە كىملىك نومۇرىنى باغلاڭ.
