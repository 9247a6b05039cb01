# Rating a finished application (好差评) and appointments at the halls (预约).

problem-already-rated-title = بۇ ئىشقا باھا بېرىلگەن
problem-already-rated-detail = ھەر بىر ئىشقا پەقەت بىر قېتىملا باھا بەرگىلى بولىدۇ.
problem-not-rateable-title = ئىش تېخى بېجىرىلمىدى
problem-not-rateable-detail = ئىش بېجىرىلىپ بولغاندىن كېيىن ئاندىن باھا بەرگىلى بولىدۇ.
problem-content-rejected-title = باھا مەزمۇنى تەكشۈرۈشتىن ئۆتمىدى
problem-content-rejected-detail = باھادا ئېلان قىلىشقا بولمايدىغان مەزمۇن بار، ئۆزگەرتىپ قايتا سىناڭ.

problem-slot-full-title = بۇ ۋاقىت بۆلىكى تولدى
problem-slot-full-detail = باشقا ۋاقىت بۆلىكىنى تاللاڭ.
problem-phone-required-title = ئالدى بىلەن تېلېفون نومۇرىنى باغلاڭ
problem-phone-required-detail = ئالدىن بەلگىلەش ئۈچۈن سىز بىلەن ئالاقىلىشالايدىغان تېلېفون نومۇرى كېرەك، ئالدى بىلەن ئۆزىڭىزنىڭ تېلېفون نومۇرىنى باغلاڭ.
problem-idempotency-key-reused-title = بۇ تەلەپ نومۇرى ئىشلىتىلگەن
problem-idempotency-key-reused-detail = بۇ تەلەپ نومۇرى باشقا بىر تەلەپتە ئىشلىتىلگەن، يېڭى مەشغۇلات ئۈچۈن يېڭى نومۇر ئىشلىتىڭ.
problem-not-bookable-title = بۇ ۋاقىتنى ئالدىن بەلگىلىگىلى بولمايدۇ
problem-not-bookable-detail = بۇ ۋاقىت بۆلىكى ئالدىن بەلگىلەش دائىرىسىدە ئەمەس، ياكى بۇ زالدا بۇ ئىش بېجىرىلمەيدۇ.
problem-not-cancellable-title = ئالدىن بەلگىلەشنى بىكار قىلغىلى بولمايدۇ
problem-not-cancellable-detail = بۇ ئالدىن بەلگىلەش بېجىرىلگەن ياكى ۋاقتى ئۆتكەن، بىكار قىلغىلى بولمايدۇ.

appointment-status-booked = بەلگىلەندى
appointment-status-checked-in = نومۇر ئېلىندى
appointment-status-served = بېجىرىلدى
appointment-status-cancelled = بىكار قىلىندى
appointment-status-no-show = كەلمىدى
