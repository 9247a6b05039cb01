# "One thing done once" bundles (一件事一次办), submitting applications and supplements.

problem-bundle-not-found-title = بۇ «بىر ئىش» تېپىلمىدى
problem-bundle-not-found-detail = نومۇرى { $code } بولغان «بىر ئىشنى بىر قېتىمدا بېجىرىش» تۈرى يوق.
problem-request-in-progress-title = ئىلتىماس بىر تەرەپ قىلىنىۋاتىدۇ
problem-request-in-progress-detail = ئوخشاش ئىلتىماس بىر تەرەپ قىلىنىۋاتىدۇ، سەل تۇرۇپ نەتىجىسىنى كۆرۈڭ، قايتا تاپشۇرماڭ.
problem-not-online-title = بۇ ئىشنى تور ئارقىلىق ئىلتىماس قىلغىلى بولمايدۇ
problem-not-online-detail = بۇ ئىشنى ھۆكۈمەت ئىشلىرى مۇلازىمەت زالىنىڭ كۆزنىكىدە بېجىرىش كېرەك، ئالدىن ۋاقىت بەلگىلىسىڭىز بولىدۇ.
problem-not-awaiting-supplement-title = ماتېرىيال تولۇقلاشنىڭ ھاجىتى يوق
problem-not-awaiting-supplement-detail = بۇ ئىش ھازىر ماتېرىيال تولۇقلاش باسقۇچىدا ئەمەس، تولۇقلاش ماتېرىيالى تاپشۇرۇشنىڭ ھاجىتى يوق.
