# Notifications (消息): what a person is told in the in-app inbox, in app push, and in the
# values of WeChat and Alipay template messages.
#
# Two kinds:
#   push-offer-*  a benefit offer (免申即享): `$policy` is the policy's title in the person's
#                 language, `$amount` the amount as displayed (may be empty), `$deadline` the
#                 last day to confirm as a localized date.
#   push-app-*    an application (办件) whose status changed: `$service` is the service item's
#                 name, `$due` a localized date (supplement deadline; may be empty).
#
# `*-title`  one line: inbox title, app-push title.
# `*-body`   the full text: inbox body (the inbox adds the reasons), app-push body.
# `*-hint`   short (WeChat `thing` fields hold at most 20 characters): what to do next.
# `*-state`  a few characters for a status field.

push-offer-title-confirm = جەزملەشتۈرۈش كۈتۈلۈۋاتقان ئېتىبار سىياسىتى: { $policy }
push-offer-title-granted = سىز بەھرىمەن بولۇۋاتىسىز: { $policy }
push-offer-body-confirm = ھۆكۈمەت تارماقلىرى ئىگىلىگەن ئۇچۇرلارغا ئاساسلانغاندا، سىز «{ $policy }» سىياسىتىنىڭ شەرتىگە ئۇيغۇن كېلىسىز، ئىلتىماس قىلىشىڭىزنىڭ ھاجىتى يوق. { $deadline } كۈنىگىچە «ئېتىبار سىياسەتلىرىم» بېتىنى ئېچىپ، ئېلىشنى جەزملەشتۈرۈڭ.
push-offer-body-granted = ھۆكۈمەت تارماقلىرى ئىگىلىگەن ئۇچۇرلارغا ئاساسلانغاندا، سىز «{ $policy }» سىياسىتىنىڭ شەرتىگە ئۇيغۇن كېلىسىز، بەلگىلىمە بويىچە ئاپتوماتىك تارقىتىلىدۇ، ئىلتىماس قىلىشىڭىزنىڭ ھاجىتى يوق.
push-offer-amount = سوممىسى: { $amount }
push-offer-hint-confirm = كۆرۈپ جەزملەشتۈرۈڭ
push-offer-hint-granted = ئىلتىماسسىز بېرىلىدۇ
push-offer-state-confirm = كۈتۈشتە
push-offer-state-granted = بېرىلدى

push-app-title-approved = ئىشىڭىز بېجىرىلدى: { $service }
push-app-title-supplement = ماتېرىيال تولۇقلاش كېرەك: { $service }
push-app-title-ready = بېجىرىش نەتىجىسىنى ئېلىشقا بولىدۇ: { $service }
push-app-title-rejected = ئىشىڭىز ماقۇللانمىدى: { $service }
push-app-body-approved = سىز ئىلتىماس قىلغان «{ $service }» بېجىرىلدى ۋە ماقۇللاندى.
push-app-body-supplement = سىز ئىلتىماس قىلغان «{ $service }» ئۈچۈن ماتېرىيال تولۇقلاش كېرەك، { $due } كۈنىگىچە تاپشۇرۇڭ، مۆھلەتتىن ئۆتۈپ كەتسە بېجىرىلىشىگە تەسىر يېتىدۇ.
push-app-body-supplement-nodue = سىز ئىلتىماس قىلغان «{ $service }» ئۈچۈن ماتېرىيال تولۇقلاش كېرەك، ئىمكانقەدەر تېزراق تاپشۇرۇڭ.
push-app-body-ready = سىز ئىلتىماس قىلغان «{ $service }» بېجىرىلدى، نەتىجىسىنى ئېلىشقا بولىدۇ. ئېلىش ئۇسۇلىنى ئىش تەپسىلاتىدىن كۆرۈڭ.
push-app-body-rejected = سىز ئىلتىماس قىلغان «{ $service }» ماقۇللانمىدى، سەۋەبى ۋە كېيىن نېمە قىلىش كېرەكلىكىنى ئىش تەپسىلاتىدىن كۆرۈڭ.
push-app-hint-approved = نەتىجىنى كۆرۈڭ
push-app-hint-supplement = ماتېرىيالنى كۆرۈڭ
push-app-hint-ready = ئېلىش ئۇسۇلىنى كۆرۈڭ
push-app-hint-rejected = سەۋەبىنى كۆرۈڭ
push-app-state-approved = تامام
push-app-state-supplement = تولۇقلاش
push-app-state-ready = تەييار
push-app-state-rejected = ئۆتمىدى

problem-notification-not-found-title = بۇ ئۇقتۇرۇش تېپىلمىدى
problem-notification-not-found-detail = بۇ ئۇقتۇرۇش مەۋجۇت ئەمەس ياكى سىزگە تەۋە ئەمەس.
problem-device-not-found-title = بۇ ئۈسكۈنە تېپىلمىدى
problem-device-not-found-detail = بۇ ئۈسكۈنە ھېساباتىڭىزغا تىزىملانمىغان.
problem-template-unknown-title = بۇ ئۇچۇر قېلىپى تونۇلمىدى
problem-template-unknown-detail = بۇ قېلىپ بۇ مۇلازىمەت ئۇچۇر ئەۋەتىشتە ئىشلىتىدىغان قېلىپ ئەمەس. «مۇشتەرىلىكلىرىم» دىكى قېلىپلارنى ئىشلىتىڭ.
problem-campaign-not-found-title = بۇ قېتىملىق يوللاش تېپىلمىدى
problem-campaign-not-found-detail = بۇ نومۇر بىلەن ھېچقانداق يوللاش ئېلىپ بېرىلمىغان.
