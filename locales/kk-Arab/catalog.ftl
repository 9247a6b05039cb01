# Service catalog (事项库) display text.

item-type-licensing = اكىمشىلىك رۇقسات
item-type-penalty = اكىمشىلىك جازا
item-type-coercion = اكىمشىلىك ماجبۇرلاۋ
item-type-levy = اكىمشىلىك ٴوندىرۋ
item-type-benefit = اكىمشىلىك تولەم
item-type-inspection = اكىمشىلىك تەكسەرۋ
item-type-confirmation = اكىمشىلىك راستاۋ
item-type-award = اكىمشىلىك سىيلىق
item-type-adjudication = اكىمشىلىك شەشىم
item-type-other-power = باسقا اكىمشىلىك وكىلەتتەر
item-type-public-service = قوعامدىق قىزمەت
item-type-other = باسقالار

service-object-person = جەكە تۇلعا
service-object-enterprise = زاڭدى تۇلعا (كاسىپورىن)

time-limit-on-the-spot = ورنىندا بىتەدى
time-limit-working-days = { $days } جۇمىس كۇنى
time-limit-natural-days = { $days } كۇن

visits-none = ورنىنا بارۋدىڭ قاجەتى جوق
visits-count = ەڭ كوپ دەگەندە { $visits } رەت باراسىز

fee-free = اقىسىز
fee-charged = اقى الىنادى: { $amount }

material-form-original = تۇپنۇسقاسى
material-form-copy = كوشىرمەسى
material-form-electronic = ەلەكتروندىق ماتەريال
