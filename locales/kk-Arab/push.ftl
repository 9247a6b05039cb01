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

push-offer-title-confirm = راستاۋدى كۇتىپ تۇرعان جەڭىلدىك ساياساتى: { $policy }
push-offer-title-granted = ٴسىز پايدالانىپ وتىرسىز: { $policy }
push-offer-body-confirm = ۇكىمەت مەكەمەلەرىندەگى مالىمەتتەرگە قاراعاندا، ٴسىز «{ $policy }» ساياساتىنىڭ شارتىنا سايكەس كەلەسىز، ٴوتىنىش بەرۋدىڭ قاجەتى جوق. { $deadline } كۇنىنە دەيىن «جەڭىلدىكتەرىم» بەتىن اشىپ، الۋدى راستاڭىز.
push-offer-body-granted = ۇكىمەت مەكەمەلەرىندەگى مالىمەتتەرگە قاراعاندا، ٴسىز «{ $policy }» ساياساتىنىڭ شارتىنا سايكەس كەلەسىز، ول ەرەجە بويىنشا اۆتوماتتى تۇردە بەرىلەدى، ٴوتىنىش بەرۋدىڭ قاجەتى جوق.
push-offer-amount = سوماسى: { $amount }
push-offer-hint-confirm = كورىپ راستاڭىز
push-offer-hint-granted = ٴوتىنىشسىز بەرىلەدى
push-offer-state-confirm = كۇتۋدە
push-offer-state-granted = بەرىلدى

push-app-title-approved = ٴىسىڭىز ٴبىتىرىلدى: { $service }
push-app-title-supplement = ماتەريال تولىقتىرۋ كەرەك: { $service }
push-app-title-ready = ٴىس ناتيجەسىن الۋعا بولادى: { $service }
push-app-title-rejected = ٴىسىڭىز ماقۇلدانبادى: { $service }
push-app-body-approved = ٴسىز ٴوتىنىش بەرگەن «{ $service }» ٴبىتىرىلىپ، ماقۇلداندى.
push-app-body-supplement = ٴسىز ٴوتىنىش بەرگەن «{ $service }» ٴۇشىن ماتەريال تولىقتىرۋ كەرەك، { $due } كۇنىنە دەيىن تاپسىرىڭىز، مەرزىمى وتسە ٴىستىڭ بىتىرىلۋىنە اسەر ەتەدى.
push-app-body-supplement-nodue = ٴسىز ٴوتىنىش بەرگەن «{ $service }» ٴۇشىن ماتەريال تولىقتىرۋ كەرەك، مۇمكىندىگىنشە تەزىرەك تاپسىرىڭىز.
push-app-body-ready = ٴسىز ٴوتىنىش بەرگەن «{ $service }» ٴبىتىرىلدى، ناتيجەسىن الۋعا بولادى. الۋ ٴادىسىن ٴىستىڭ تولىق مالىمەتىنەن قاراڭىز.
push-app-body-rejected = ٴسىز ٴوتىنىش بەرگەن «{ $service }» ماقۇلدانبادى، سەبەبى مەن كەلەسى قادامدى ٴىستىڭ تولىق مالىمەتىنەن قاراڭىز.
push-app-hint-approved = ناتيجەنى كورىڭىز
push-app-hint-supplement = نە تولىقتىرۋ كەرەك؟
push-app-hint-ready = الۋ ٴادىسىن كورىڭىز
push-app-hint-rejected = سەبەبىن كورىڭىز
push-app-state-approved = ٴبىتتى
push-app-state-supplement = تولىقتاۋ
push-app-state-ready = دايىن
push-app-state-rejected = وتپەدى

problem-notification-not-found-title = بۇل حابارلاندىرۋ تابىلمادى
problem-notification-not-found-detail = بۇل حابارلاندىرۋ جوق نەمەسە ول سىزگە ٴتيىستى ەمەس.
problem-device-not-found-title = بۇل قۇرىلعى تابىلمادى
problem-device-not-found-detail = بۇل قۇرىلعى ەسەپتىك جازباڭىزعا تىركەلمەگەن.
problem-template-unknown-title = بۇل حابار ۇلگىسى تانىلمادى
problem-template-unknown-detail = بۇل ۇلگى وسى قىزمەت حابار جىبەرۋگە پايدالاناتىن ۇلگى ەمەس. «جازىلىمدارىم» ىشىندەگى ۇلگىلەردى پايدالانىڭىز.
problem-campaign-not-found-title = بۇل جولعى جىبەرۋ تابىلمادى
problem-campaign-not-found-detail = بۇل نومىرمەن ەشقانداي جىبەرۋ جۇرگىزىلمەگەن.
