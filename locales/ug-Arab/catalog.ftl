# Service catalog (事项库) display text.

item-type-licensing = مەمۇرىي ئىجازەت
item-type-penalty = مەمۇرىي جازا
item-type-coercion = مەمۇرىي مەجبۇرلاش
item-type-levy = مەمۇرىي ئۈندۈرۈش
item-type-benefit = مەمۇرىي تەمىنات بېرىش
item-type-inspection = مەمۇرىي تەكشۈرۈش
item-type-confirmation = مەمۇرىي جەزملەشتۈرۈش
item-type-award = مەمۇرىي مۇكاپات
item-type-adjudication = مەمۇرىي ھۆكۈم چىقىرىش
item-type-other-power = باشقا مەمۇرىي ھوقۇقلار
item-type-public-service = ئاممىۋى مۇلازىمەت
item-type-other = باشقىلار

service-object-person = شەخس
service-object-enterprise = قانۇنىي شەخس (كارخانا)

time-limit-on-the-spot = نەق مەيداندا بېجىرىلىدۇ
time-limit-working-days = { $days } خىزمەت كۈنى
time-limit-natural-days = { $days } كۈن

visits-none = نەق مەيدانغا بېرىش ھاجەتسىز
visits-count = ئەڭ كۆپ بولغاندا { $visits } قېتىم بارىسىز

fee-free = ھەقسىز
fee-charged = ھەق ئېلىنىدۇ: { $amount }

material-form-original = ئەسلى نۇسخىسى
material-form-copy = كۆپەيتىلگەن نۇسخىسى
material-form-electronic = ئېلېكترونلۇق ماتېرىيال
