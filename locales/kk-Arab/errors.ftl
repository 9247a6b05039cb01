# Problem titles and details (application/problem+json). Variables are always text.

problem-not-found-title = سۇرالعان مازمۇن تابىلمادى
problem-not-found-detail = بۇل مەكەنجاي جوق، سىلتەمەنىڭ دۇرىستىعىن تەكسەرىڭىز.
problem-method-not-allowed-title = بۇل سۇرانىس ٴتاسىلى قولدانىلمايدى
problem-method-not-allowed-detail = بۇل مەكەنجاي { $method } سۇرانىسىن قولدامايدى.
problem-payload-too-large-title = جىبەرىلگەن مازمۇن تىم ۇلكەن
problem-payload-too-large-detail = سۇرانىس مازمۇنى { $kilobytes } كيلوبايتتان اسپاۋى كەرەك.
problem-validation-title = سۇرانىس پارامەترلەرىندە قاتە بار
problem-validation-detail = تومەندەگى جولداردى تەكسەرىپ، قايتا كورىڭىز.
problem-unsupported-media-type-title = بۇل مازمۇن ٴپىشىنى قولدانىلمايدى
problem-unsupported-media-type-detail = مازمۇندى { $format } پىشىنىندە جىبەرىڭىز.
problem-internal-title = قىزمەتتە اقاۋ پايدا بولدى
problem-internal-detail = ٴسال كەيىن قايتا كورىڭىز. كومەك كەرەك بولسا، سۇرانىس ٴنومىرى { $requestId } ٴدى كورسەتىڭىز.
problem-upstream-unavailable-title = قىزمەت ۋاقىتشا ىستەمەي تۇر
problem-upstream-unavailable-detail = ولكەلىك ۇكىمەت ىستەرى قىزمەت الاڭىنا ۋاقىتشا قوسىلۋ مۇمكىن بولمادى، ٴسال كەيىن قايتا كورىڭىز.
problem-service-not-found-title = بۇل قىزمەت ٴتۇرى تابىلمادى
problem-service-not-found-detail = ٴنومىرى { $code } بولعان قىزمەت ٴتۇرى جوق.
problem-overloaded-title = قىزمەت بوس ەمەس
problem-overloaded-detail = قازىر ٴىس بىتىرۋشىلەر كوپ، ٴسال كەيىن قايتا كورىڭىز.
problem-bad-request-title = سۇرانىستى وڭدەۋ مۇمكىن بولمادى
problem-bad-request-detail = سۇرانىس مازمۇنىن تەكسەرىپ، قايتا كورىڭىز.

# One line per invalid field; { $field } is the API's field or parameter name.

field-required = «{ $field }» مىندەتتى تۇردە تولتىرىلۋى كەرەك.
field-too-long = «{ $field }» { $max } تاڭبادان اسپاۋى كەرەك.
field-too-short = «{ $field }» كەمىندە { $min } تاڭبا بولۋى كەرەك.
field-out-of-range = «{ $field }» ٴمانى رۇقسات ەتىلگەن اۋقىمنان تىس.
field-invalid = «{ $field }» ٴمانى جارامسىز.
field-bad-format = «{ $field }» ٴپىشىنى دۇرىس ەمەس.
field-unknown = «{ $field }» دەگەن جول تانىلمادى.
field-invalid-cursor = «{ $field }» جارامسىز نەمەسە مەرزىمى ٴوتىپ كەتكەن، ٴبىرىنشى بەتتەن قايتا باستاڭىز.
body-malformed = سۇرانىس مازمۇنى جارامدى { $format } ەمەس.
