# A person's applications (办件), certificates (电子证照) and the home screen.

application-status-submitted = تاپسىرىلدى
application-status-withdrawn = قايتارىپ الىندى
application-status-accepted = قابىلداندى
application-status-rejected-at-intake = قابىلدانبادى
application-status-supplement-requested = ماتەريال تولىقتىرۋ كەرەك
application-status-supplement-submitted = ماتەريال تولىقتىرىلدى
application-status-in-review = قارالىپ جاتىر
application-status-paused = ارنايى تارتىپتە (ۋاقىت ەسەپتەلمەيدى)
application-status-approved = ٴبىتىرىلدى (ماقۇلداندى)
application-status-approved-tolerant = ٴبىتىرىلدى (كەم ماتەريال كەيىن تاپسىرىلادى)
application-status-denied = رۇقسات ەتىلمەدى
application-status-revoked = كۇشىنەن قالدىرىلدى
application-status-result-ready = ناتيجەسىن الۋعا بولادى

certificate-status-valid = جارامدى
certificate-status-expired = مەرزىمى ٴوتىپ كەتكەن
certificate-status-suspended = ۋاقىتشا توقتاتىلعان
certificate-status-revoked = كۇشىنەن قالدىرىلعان
certificate-status-cancelled = تىزىمنەن شىعارىلعان
certificate-expires-in = { $days } كۇننەن كەيىن مەرزىمى بىتەدى
certificate-long-term = مەرزىمسىز جارامدى

problem-real-name-required-title = الدىمەن شىن اتىمەن راستاۋدى ورىنداڭىز
problem-real-name-required-detail = ٴىس بىتىرۋ جاعدايى مەن كۋالىكتەردى كورۋدەن بۇرىن، ٴوز اتى-ٴجونىڭىز بەن كۋالىك ٴنومىرىڭىزدى بايلاڭىز.
