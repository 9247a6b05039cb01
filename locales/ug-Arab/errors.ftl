# Problem titles and details (application/problem+json). Variables are always text.

problem-not-found-title = تەلەپ قىلىنغان مەزمۇن تېپىلمىدى
problem-not-found-detail = بۇ ئادرېس مەۋجۇت ئەمەس، ئۇلىنىشنىڭ توغرا ياكى خاتالىقىنى تەكشۈرۈڭ.
problem-method-not-allowed-title = بۇ تەلەپ ئۇسۇلى قوللىنىلمايدۇ
problem-method-not-allowed-detail = بۇ ئادرېس { $method } تەلىپىنى قوللىمايدۇ.
problem-payload-too-large-title = يوللانغان مەزمۇن بەك چوڭ
problem-payload-too-large-detail = تەلەپ مەزمۇنى { $kilobytes } كىلوبايتتىن ئېشىپ كەتمەسلىكى كېرەك.
problem-validation-title = تەلەپ پارامېتىرلىرىدا خاتالىق بار
problem-validation-detail = تۆۋەندىكى تۈرلەرنى تەكشۈرۈپ قايتا سىناڭ.
problem-unsupported-media-type-title = بۇ مەزمۇن شەكلى قوللىنىلمايدۇ
problem-unsupported-media-type-detail = مەزمۇننى { $format } شەكلىدە يوللاڭ.
problem-internal-title = مۇلازىمەتتە مەسىلە كۆرۈلدى
problem-internal-detail = سەل تۇرۇپ قايتا سىناڭ. ياردەم كېرەك بولسا، تەلەپ نومۇرى { $requestId } نى كۆرسىتىڭ.
problem-upstream-unavailable-title = مۇلازىمەتنى ۋاقتىنچە ئىشلەتكىلى بولمايدۇ
problem-upstream-unavailable-detail = ئۆلكىلىك ھۆكۈمەت ئىشلىرى مۇلازىمەت سۇپىسىغا ۋاقتىنچە ئۇلانغىلى بولمىدى، سەل تۇرۇپ قايتا سىناڭ.
problem-service-not-found-title = بۇ ئىش تۈرى تېپىلمىدى
problem-service-not-found-detail = نومۇرى { $code } بولغان ئىش بېجىرىش تۈرى يوق.
problem-overloaded-title = مۇلازىمەت ئالدىراش
problem-overloaded-detail = ھازىر ئىش بېجىرىدىغانلار كۆپ، سەل تۇرۇپ قايتا سىناڭ.
problem-bad-request-title = تەلەپنى بىر تەرەپ قىلغىلى بولمىدى
problem-bad-request-detail = تەلەپ مەزمۇنىنى تەكشۈرۈپ قايتا سىناڭ.

# One line per invalid field; { $field } is the API's field or parameter name.

field-required = «{ $field }» چوقۇم تولدۇرۇلۇشى كېرەك.
field-too-long = «{ $field }» { $max } ھەرپتىن ئېشىپ كەتمەسلىكى كېرەك.
field-too-short = «{ $field }» ئاز دېگەندە { $min } ھەرپ بولۇشى كېرەك.
field-out-of-range = «{ $field }» نىڭ قىممىتى رۇخسەت قىلىنغان دائىرىدىن ھالقىپ كەتتى.
field-invalid = «{ $field }» نىڭ قىممىتى ئىناۋەتسىز.
field-bad-format = «{ $field }» نىڭ شەكلى توغرا ئەمەس.
field-unknown = «{ $field }» دېگەن تۈر تونۇلمىدى.
field-invalid-cursor = «{ $field }» ئىناۋەتسىز ياكى ۋاقتى ئۆتۈپ كەتكەن، بىرىنچى بەتتىن قايتا باشلاڭ.
body-malformed = تەلەپ مەزمۇنى ئىناۋەتلىك { $format } ئەمەس.
