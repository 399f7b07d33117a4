"""The words the synthetic dataset is made of: names, places, organizations, claim vocabulary.

Persian names come with their Latin transliterations, as sources spell them; the claim
properties are grouped by the collection of their subject, each with the kind of value the
claim schema's if/then rules give it.
"""

from __future__ import annotations

# (Latin, Persian, other Latin spellings)
FIRST_NAMES = [
    ("Mohammad", "محمد", ["Mohammed", "Muhammad"]),
    ("Ali", "علی", []),
    ("Hossein", "حسین", ["Hosein", "Hussein"]),
    ("Reza", "رضا", []),
    ("Mehdi", "مهدی", ["Mahdi"]),
    ("Fatemeh", "فاطمه", ["Fatima"]),
    ("Zahra", "زهرا", []),
    ("Maryam", "مریم", []),
    ("Mahmoud", "محمود", ["Mahmud"]),
    ("Hassan", "حسن", ["Hasan"]),
    ("Ebrahim", "ابراهیم", ["Ibrahim"]),
    ("Mostafa", "مصطفی", ["Mustafa"]),
    ("Mojtaba", "مجتبی", []),
    ("Abbas", "عباس", []),
    ("Javad", "جواد", []),
    ("Shahla", "شهلا", []),
    ("Parvaneh", "پروانه", []),
    ("Farrokh", "فرخ", ["Farokh"]),
    ("Nasser", "ناصر", ["Naser"]),
    ("Masoud", "مسعود", ["Massoud"]),
    ("Kazem", "کاظم", ["Kazim"]),
    ("Soheila", "سهیلا", []),
    ("Roya", "رویا", []),
    ("Bahman", "بهمن", []),
    ("Homa", "هما", []),
    ("Akbar", "اکبر", []),
    ("Jafar", "جعفر", ["Ja'far"]),
    ("Saeed", "سعید", ["Said", "Saeid"]),
    ("Nader", "نادر", []),
    ("Shirin", "شیرین", []),
    ("Golrokh", "گلرخ", []),
    ("Asghar", "اصغر", []),
    ("Morteza", "مرتضی", ["Murtaza"]),
    ("Manouchehr", "منوچهر", ["Manuchehr"]),
    ("Parisa", "پریسا", []),
    ("Hamid", "حمید", []),
    ("Davoud", "داوود", ["Davood", "Dawud"]),
    ("Yousef", "یوسف", ["Yusuf"]),
    ("Leila", "لیلا", ["Layla"]),
    ("Sima", "سیما", []),
]
LAST_NAMES = [
    ("Rezaei", "رضایی", ["Rezaee", "Rezai"]),
    ("Mohammadi", "محمدی", []),
    ("Hosseini", "حسینی", ["Hoseini"]),
    ("Ahmadi", "احمدی", []),
    ("Karimi", "کریمی", []),
    ("Moradi", "مرادی", []),
    ("Jafari", "جعفری", ["Ja'fari"]),
    ("Sadeghi", "صادقی", ["Sadeqi"]),
    ("Rahimi", "رحیمی", []),
    ("Tehrani", "تهرانی", []),
    ("Ghasemi", "قاسمی", ["Qasemi"]),
    ("Heidari", "حیدری", ["Haidari"]),
    ("Nouri", "نوری", ["Nuri"]),
    ("Ebrahimi", "ابراهیمی", []),
    ("Kazemi", "کاظمی", []),
    ("Mousavi", "موسوی", ["Musavi"]),
    ("Hashemi", "هاشمی", []),
    ("Akbari", "اکبری", []),
    ("Zamani", "زمانی", []),
    ("Shirazi", "شیرازی", []),
    ("Tabrizi", "تبریزی", []),
    ("Esfahani", "اصفهانی", ["Isfahani"]),
    ("Farahani", "فراهانی", []),
    ("Najafi", "نجفی", []),
    ("Bagheri", "باقری", ["Baqeri"]),
    ("Amini", "امینی", []),
    ("Salehi", "صالحی", []),
    ("Mirzaei", "میرزایی", ["Mirzaee"]),
    ("Ansari", "انصاری", []),
    ("Shariati", "شریعتی", []),
    ("Pourmohammadi", "پورمحمدی", ["Pour-Mohammadi", "Purmohammadi"]),
    ("Khosravi", "خسروی", []),
    ("Rostami", "رستمی", []),
    ("Soltani", "سلطانی", []),
    ("Yazdani", "یزدانی", []),
    ("Zand", "زند", []),
    ("Abdollahi", "عبداللهی", ["Abdullahi"]),
    ("Nikzad", "نیک\u200cزاد", ["Nik-Zad"]),
    ("Golestani", "گلستانی", []),
    ("Eskandari", "اسکندری", []),
]
CITIES = [
    ("Tehran", "تهران", 35.69, 51.39),
    ("Mashhad", "مشهد", 36.30, 59.61),
    ("Isfahan", "اصفهان", 32.65, 51.67),
    ("Shiraz", "شیراز", 29.59, 52.58),
    ("Tabriz", "تبریز", 38.08, 46.29),
    ("Karaj", "کرج", 35.84, 50.94),
    ("Ahvaz", "اهواز", 31.32, 48.67),
    ("Qom", "قم", 34.64, 50.88),
    ("Kermanshah", "کرمانشاه", 34.31, 47.07),
    ("Rasht", "رشت", 37.28, 49.58),
    ("Urmia", "ارومیه", 37.55, 45.08),
    ("Zahedan", "زاهدان", 29.50, 60.86),
    ("Hamadan", "همدان", 34.80, 48.51),
    ("Kerman", "کرمان", 30.28, 57.08),
    ("Yazd", "یزد", 31.90, 54.37),
    ("Ardabil", "اردبیل", 38.25, 48.29),
    ("Sari", "ساری", 36.56, 53.06),
    ("Qazvin", "قزوین", 36.27, 50.00),
    ("Zanjan", "زنجان", 36.67, 48.48),
    ("Sanandaj", "سنندج", 35.31, 46.99),
    ("Khorramabad", "خرم\u200cآباد", 33.49, 48.35),
    ("Gorgan", "گرگان", 36.84, 54.43),
    ("Semnan", "سمنان", 35.58, 53.39),
    ("Bandar Abbas", "بندرعباس", 27.18, 56.27),
    ("Dezful", "دزفول", 32.38, 48.40),
]
PLACE_TYPES = [
    ("prison", "Prison", "زندان"),
    ("cemetery", "Cemetery", "گورستان"),
    ("grave-site", "Mass grave", "گور جمعی"),
    ("building", "Detention centre", "بازداشتگاه"),
    ("district", "District", "منطقه"),
]
ORG_TYPES = [  # (type, English template, Persian template); index 0 must stay 'court'
    ("court", "Revolutionary Court of {city}, Branch {n}", "دادگاه انقلاب {city_fa}، شعبه {n}"),
    ("ngo", "{city} Human Rights Monitor {n}", "دیده‌بان حقوق بشر {city_fa} {n}"),
    ("commission", "{city} Commission {n}", "هیئت {city_fa} {n}"),
    ("media", "{city} Daily {n}", "روزنامه {city_fa} {n}"),
    (
        "political-group",
        "{city} Political Prisoners' Association {n}",
        "انجمن زندانیان سیاسی {city_fa} {n}",
    ),
    ("prosecutor", "Prosecutor's Office of {city} {n}", "دادستانی {city_fa} {n}"),
    ("prison-authority", "{city} Prisons Organisation {n}", "سازمان زندان‌های {city_fa} {n}"),
    ("un-body", "UN Working Group {n}", "گروه کاری سازمان ملل {n}"),
    ("state-body", "{city} Provincial Council {n}", "شورای استان {city_fa} {n}"),
    ("publisher", "{city} Press {n}", "نشر {city_fa} {n}"),
]
CATEGORIES = (
    ["victim"] * 70
    + ["official"] * 8
    + ["survivor"] * 8
    + ["witness"] * 6
    + ["family-member"] * 5
    + ["researcher"] * 2
    + ["judge"]
)
EVENT_TYPES = (
    ["mass-execution"] * 4
    + ["killing"] * 3
    + ["arrest"] * 4
    + ["trial"] * 2
    + [
        "verdict",
        "meeting",
        "decree",
        "statement",
        "publication",
        "investigation",
        "release",
        "press-conference",
    ]
)
SOURCE_TYPES = [
    "report",
    "news-article",
    "testimony",
    "un-document",
    "press-release",
    "book",
    "audio-recording",
    "web-page",
    "statement",
]
STANCES = ["asserts"] * 17 + ["denies", "disputes", "disputes"]
STATUSES = (
    ["alleged"] * 10 + ["corroborated"] * 5 + ["contested"] * 3 + ["adjudicated", "retracted"]
)
CONFIDENCES = ["high", "high", "medium", "medium", "low"]
ROLES = [
    "perpetrator",
    "victim",
    "witness",
    "judge",
    "prosecutor",
    "defendant",
    "organizer",
    "documenter",
    "speaker",
]

# Claim properties by the subject's collection, with the kind of value each takes.
PERSON_PROPERTIES = [
    ("member_of", "org"),
    ("employed_by", "org"),
    ("affiliated_with", "org"),
    ("held_position", "position"),
    ("detained_at", "place"),
    ("held_at", "place"),
    ("killed_at", "place"),
    ("buried_at", "place"),
    ("arrested_on", "date"),
    ("released_on", "date"),
    ("participated_in", "event"),
    ("present_at", "event"),
    ("ordered", "event"),
    ("convicted_of", "crime"),
    ("sentenced_to", "sentence"),
    ("accused_of", "crime"),
    ("characterized_as", "label"),
    ("stated", "statement"),
]
EVENT_PROPERTIES = [
    ("victim_count", "quantity"),
    ("occurred_on", "date"),
    ("located_in", "place"),
    ("testimony_count", "quantity"),
    ("place_count", "quantity"),
]
ORG_PROPERTIES = [("targeted", "org"), ("stated", "statement"), ("recommended", "recommendation")]
POSITIONS = [
    "member of the {city} death commission",
    "prosecutor of the {city} Revolutionary Court",
    "deputy prosecutor in {city}",
    "head of {city} prison",
    "intelligence representative in {city}",
    "religious judge in {city}",
    "assistant to the prison warden in {city}",
]
TEXTS = {
    "crime": [
        "crimes against humanity",
        "murder",
        "war crimes",
        "enforced disappearance",
        "torture",
    ],
    "sentence": ["life imprisonment", "execution", "ten years' imprisonment", "a travel ban"],
    "label": [
        "a political prisoner",
        "a member of the death commission",
        "an eyewitness",
        "a survivor of the 1988 executions",
    ],
    "statement": [
        "the prisoners were asked about their affiliation before being executed",
        "the executions were carried out on the orders of the commission",
        "اعدام‌ها به دستور هیئت انجام شد",
        "families were not told where the bodies were buried",
    ],
    "recommendation": [
        "an international investigation into the 1988 executions",
        "the preservation of the mass grave sites",
        "the release of the remaining records",
    ],
}
QUOTES = [
    "extrajudicially executed thousands of imprisoned political dissidents",
    "the bodies were buried in unmarked mass graves",
    "prisoners were brought before a commission and asked a few questions",
    "he was a member of the commission that sent prisoners to their deaths",
    "between 2,800 and 5,000 prisoners were executed",
    "زندانیان را گروه گروه به سالن اعدام بردند",
    "خانواده‌ها هرگز از محل دفن عزیزانشان مطلع نشدند",
    "the families were given a bag of belongings and no explanation",
    "I saw the lists of names on the wall of the corridor",
    "the executions continued through the summer of 1988",
]
NOTES = [
    "Stated in an interview with the author.",
    "Based on the testimony of a fellow prisoner.",
    "The source gives the figure for one prison only.",
    "Translated from the Persian original.",
    "یادداشت: بر اساس شهادت یک زندانی آزادشده.",
]
