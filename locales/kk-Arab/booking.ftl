# Rating a finished application (好差评) and appointments at the halls (预约).

problem-already-rated-title = بۇل ىسكە باعا بەرىلگەن
problem-already-rated-detail = ٴار ىسكە تەك ٴبىر رەت قانا باعا بەرۋگە بولادى.
problem-not-rateable-title = ٴىس ٴالى بىتكەن جوق
problem-not-rateable-detail = ٴىس ٴبىتىپ بولعاننان كەيىن عانا باعا بەرۋگە بولادى.
problem-content-rejected-title = باعا مازمۇنى تەكسەرىستەن وتپەدى
problem-content-rejected-detail = باعادا جاريالاۋعا بولمايتىن مازمۇن بار، وزگەرتىپ قايتا كورىڭىز.

problem-slot-full-title = بۇل ۋاقىت ارالىعى تولدى
problem-slot-full-detail = باسقا ۋاقىت ارالىعىن تاڭداڭىز.
problem-phone-required-title = الدىمەن تەلەفون ٴنومىرىن بايلاڭىز
problem-phone-required-detail = الدىن الا جازىلۋ ٴۇشىن سىزبەن حابارلاسا الاتىن تەلەفون ٴنومىرى كەرەك، الدىمەن ٴوز تەلەفون ٴنومىرىڭىزدى بايلاڭىز.
problem-idempotency-key-reused-title = بۇل سۇرانىس ٴنومىرى پايدالانىلعان
problem-idempotency-key-reused-detail = بۇل سۇرانىس ٴنومىرى باسقا سۇرانىستا پايدالانىلعان، جاڭا ارەكەت ٴۇشىن جاڭا ٴنومىر پايدالانىڭىز.
problem-not-bookable-title = بۇل ۋاقىتقا جازىلۋعا بولمايدى
problem-not-bookable-detail = بۇل ۋاقىت ارالىعى جازىلۋ مەرزىمىنە كىرمەيدى، نەمەسە بۇل زالدا بۇل ٴىس بىتىرىلمەيدى.
problem-not-cancellable-title = جازىلۋدى كۇشىنەن قالدىرۋعا بولمايدى
problem-not-cancellable-detail = بۇل جازىلۋ ورىندالىپ قويعان نەمەسە مەرزىمى ٴوتىپ كەتكەن، كۇشىنەن قالدىرۋعا بولمايدى.

appointment-status-booked = جازىلدى
appointment-status-checked-in = كەزەك ٴنومىرى الىندى
appointment-status-served = ورىندالدى
appointment-status-cancelled = كۇشىنەن قالدىرىلدى
appointment-status-no-show = كەلمەدى
