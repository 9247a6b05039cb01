# "One thing done once" bundles (一件事一次办), submitting applications and supplements.

problem-bundle-not-found-title = بۇل «ٴبىر ٴىس» تابىلمادى
problem-bundle-not-found-detail = ٴنومىرى { $code } بولعان «ٴبىر ٴىستى ٴبىر رەتتە بىتىرۋ» ٴتۇرى جوق.
problem-request-in-progress-title = ٴوتىنىش وڭدەلىپ جاتىر
problem-request-in-progress-detail = وسى ٴوتىنىش وڭدەلىپ جاتىر، ٴبىرازدان كەيىن ناتيجەسىن كورىڭىز، قايتا تاپسىرماڭىز.
problem-not-online-title = بۇل ٴىستى تور ارقىلى ٴوتىنۋگە بولمايدى
problem-not-online-detail = بۇل ٴىستى مەملەكەتتىك قىزمەت زالىنىڭ تەرەزەسىندە بىتىرۋ كەرەك، الدىن الا كەزەككە جازىلۋعا بولادى.
problem-not-awaiting-supplement-title = ماتەريال تولىقتىرۋ قاجەت ەمەس
problem-not-awaiting-supplement-detail = بۇل ٴىس قازىر ماتەريال تولىقتىرۋ كەزەڭىندە ەمەس، تولىقتىرۋ ماتەريالىن تاپسىرۋدىڭ قاجەتى جوق.
