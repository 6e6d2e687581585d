"""Reference data for synthetic books of business: fictional carriers, plans, places, names.

Every carrier and employer is invented; phone numbers use the 555 exchange and e-mail the
reserved example.com domain, so no seeded identity can be mistaken for a real person.
"""

from __future__ import annotations

from memberdesk.members.enums import MetalTier, PlanType

CARRIERS: list[tuple[str, str, float]] = [
    # code, name, price factor
    ("GPH", "Golden Poppy Health (synthetic)", 0.94),
    ("SVH", "Sierra Vista Health Plan (synthetic)", 1.00),
    ("PCI", "Pacific Crest Insurance (synthetic)", 1.08),
    ("RCH", "Redwood Coast Health (synthetic)", 0.97),
    ("MBH", "Mission Bay Health (synthetic)", 1.12),
]

# plan type, metal tier, network name, offered by carriers with these codes
PLAN_DESIGNS: list[tuple[PlanType, MetalTier, str, tuple[str, ...]]] = [
    (PlanType.HMO, MetalTier.BRONZE, "Select HMO", ("GPH", "SVH", "RCH", "MBH")),
    (PlanType.HMO, MetalTier.SILVER, "Select HMO", ("GPH", "SVH", "PCI", "RCH", "MBH")),
    (PlanType.HMO, MetalTier.GOLD, "Full HMO", ("GPH", "SVH", "PCI", "RCH", "MBH")),
    (PlanType.HMO, MetalTier.PLATINUM, "Full HMO", ("SVH", "PCI", "MBH")),
    (PlanType.EPO, MetalTier.SILVER, "Statewide EPO", ("PCI", "RCH")),
    (PlanType.PPO, MetalTier.SILVER, "Statewide PPO", ("SVH", "PCI", "MBH")),
    (PlanType.PPO, MetalTier.GOLD, "Statewide PPO", ("GPH", "PCI", "MBH")),
    (PlanType.PPO, MetalTier.PLATINUM, "National PPO", ("PCI",)),
]

METAL_BASE_CENTS = {
    MetalTier.BRONZE: 41_500,
    MetalTier.SILVER: 51_800,
    MetalTier.GOLD: 63_900,
    MetalTier.PLATINUM: 76_400,
}
TYPE_FACTOR = {PlanType.HMO: 1.00, PlanType.EPO: 1.09, PlanType.PPO: 1.22}
METAL_DEDUCTIBLE_CENTS = {
    MetalTier.BRONZE: 650_000,
    MetalTier.SILVER: 350_000,
    MetalTier.GOLD: 50_000,
    MetalTier.PLATINUM: 0,
}
METAL_OOP_MAX_CENTS = {
    MetalTier.BRONZE: 920_000,
    MetalTier.SILVER: 850_000,
    MetalTier.GOLD: 700_000,
    MetalTier.PLATINUM: 450_000,
}
# Composite tier multipliers relative to employee-only.
TIER_FACTORS = (1.0, 2.0, 1.8, 2.85)
METAL_WEIGHTS = {MetalTier.BRONZE: 2, MetalTier.SILVER: 5, MetalTier.GOLD: 4, MetalTier.PLATINUM: 1}

# city, county, ZIP prefix, area codes, population weight
PLACES: list[tuple[str, str, str, tuple[str, ...], int]] = [
    ("Los Angeles", "Los Angeles", "900", ("213", "323", "818"), 38),
    ("Long Beach", "Los Angeles", "908", ("562",), 5),
    ("Glendale", "Los Angeles", "912", ("818",), 2),
    ("San Diego", "San Diego", "921", ("619", "858"), 14),
    ("Chula Vista", "San Diego", "919", ("619",), 3),
    ("San Jose", "Santa Clara", "951", ("408",), 10),
    ("San Francisco", "San Francisco", "941", ("415",), 8),
    ("Daly City", "San Mateo", "940", ("650",), 2),
    ("Oakland", "Alameda", "946", ("510",), 4),
    ("Fremont", "Alameda", "945", ("510",), 2),
    ("Sacramento", "Sacramento", "958", ("916",), 5),
    ("Fresno", "Fresno", "937", ("559",), 5),
    ("Visalia", "Tulare", "932", ("559",), 1),
    ("Bakersfield", "Kern", "933", ("661",), 4),
    ("Anaheim", "Orange", "928", ("714",), 3),
    ("Santa Ana", "Orange", "927", ("714",), 3),
    ("Irvine", "Orange", "926", ("949",), 3),
    ("Riverside", "Riverside", "925", ("951",), 3),
    ("San Bernardino", "San Bernardino", "924", ("909",), 2),
    ("Fontana", "San Bernardino", "923", ("909",), 2),
    ("Stockton", "San Joaquin", "952", ("209",), 3),
    ("Modesto", "Stanislaus", "953", ("209",), 2),
    ("Oxnard", "Ventura", "930", ("805",), 2),
    ("Santa Barbara", "Santa Barbara", "931", ("805",), 1),
    ("Salinas", "Monterey", "939", ("831",), 2),
    ("Santa Rosa", "Sonoma", "954", ("707",), 2),
    ("Eureka", "Humboldt", "955", ("707",), 1),
    ("Redding", "Shasta", "960", ("530",), 1),
    ("Chico", "Butte", "959", ("530",), 1),
]

# ISO 639 code, share of California small-group members, share needing an interpreter
LANGUAGES: list[tuple[str, float, float]] = [
    ("en", 0.600, 0.0),
    ("es", 0.255, 0.42),
    ("zh", 0.035, 0.50),
    ("vi", 0.025, 0.55),
    ("tl", 0.025, 0.25),
    ("ko", 0.015, 0.55),
    ("hy", 0.010, 0.45),
    ("fa", 0.008, 0.40),
    ("ru", 0.007, 0.45),
    ("ar", 0.006, 0.40),
    ("ja", 0.004, 0.40),
    ("pa", 0.004, 0.45),
    ("km", 0.003, 0.60),
    ("hmn", 0.003, 0.60),
]
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ko": "Korean",
    "hy": "Armenian",
    "fa": "Farsi",
    "ru": "Russian",
    "ar": "Arabic",
    "ja": "Japanese",
    "pa": "Punjabi",
    "km": "Khmer",
    "hmn": "Hmong",
    # The Oregon book's languages (oregon_data.LANGUAGES) beyond California's.
    "so": "Somali",
    "uk": "Ukrainian",
    "chk": "Chuukese",
    "ro": "Romanian",
    "sw": "Swahili",
    "prs": "Dari",
    "my": "Burmese",
    "ne": "Nepali",
    "am": "Amharic",
    "mh": "Marshallese",
}
# Faker locales with Latin-script names; the rest use the romanised pools below.
FAKER_LOCALES = {"en": "en_US", "es": "es_MX", "vi": "vi_VN"}
ROMANISED: dict[str, tuple[list[str], list[str], list[str]]] = {
    # language: (female first names, male first names, last names)
    "zh": (
        ["Mei", "Xiu Ying", "Li Na", "Hui", "Jing", "Ying", "Fang", "Lan"],
        ["Wei", "Jun", "Hao", "Ming", "Jian", "Lei", "Tao", "Qiang"],
        ["Wang", "Li", "Zhang", "Chen", "Liu", "Huang", "Wong", "Chan", "Lam", "Ng"],
    ),
    "tl": (
        ["Maria", "Rosario", "Marites", "Jocelyn", "Lorna", "Cristina", "Analyn"],
        ["Jose", "Rommel", "Ramon", "Eduardo", "Arnel", "Jomar", "Renato"],
        ["Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Villanueva", "Dela Cruz"],
    ),
    "ko": (
        ["Ji-woo", "Seo-yeon", "Min-ji", "Eun-ji", "Soo-jin", "Hye-jin"],
        ["Min-jun", "Seo-jun", "Ji-hoon", "Hyun-woo", "Dong-hyun", "Sung-min"],
        ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon"],
    ),
    "hy": (
        ["Ani", "Lilit", "Narine", "Gayane", "Mariam", "Anahit"],
        ["Armen", "Aram", "Tigran", "Davit", "Hayk", "Vardan"],
        ["Petrosyan", "Sargsyan", "Hakobyan", "Grigoryan", "Harutyunyan", "Avetisyan"],
    ),
    "fa": (
        ["Maryam", "Fatemeh", "Zahra", "Shirin", "Leila", "Nasrin"],
        ["Ali", "Reza", "Mohammad", "Hossein", "Amir", "Dariush"],
        ["Hosseini", "Mohammadi", "Rahimi", "Karimi", "Ahmadi", "Moradi"],
    ),
    "ru": (
        ["Olga", "Natalia", "Irina", "Svetlana", "Yelena", "Tatiana"],
        ["Sergei", "Dmitri", "Alexei", "Ivan", "Mikhail", "Andrei"],
        ["Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov"],
    ),
    "ar": (
        ["Fatima", "Aisha", "Layla", "Noor", "Mariam", "Huda"],
        ["Ahmed", "Omar", "Yusuf", "Khalid", "Hassan", "Karim"],
        ["Haddad", "Khoury", "Nasser", "Saleh", "Mansour", "Hamdan"],
    ),
    "ja": (
        ["Yuki", "Haruka", "Aiko", "Emi", "Naomi", "Sakura"],
        ["Hiroshi", "Takeshi", "Kenji", "Satoshi", "Daisuke", "Kaito"],
        ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Yamamoto"],
    ),
    "pa": (
        ["Harpreet", "Gurpreet", "Manpreet", "Simran", "Jaspreet", "Navneet"],
        ["Gurdeep", "Harjit", "Jaswinder", "Manjit", "Sukhwinder", "Baljit"],
        ["Singh", "Kaur", "Sandhu", "Gill", "Dhillon", "Sidhu"],
    ),
    "km": (
        ["Sophea", "Srey", "Chanthy", "Bopha", "Sokha", "Dara"],
        ["Sokha", "Vuthy", "Rithy", "Sovann", "Pheap", "Chea"],
        ["Sok", "Chan", "Heng", "Meas", "Pich", "Ouk"],
    ),
    "hmn": (
        ["Mai", "Pa", "Yer", "Nou", "Kia", "Xee"],
        ["Tou", "Pao", "Chue", "Vang", "Neng", "Fue"],
        ["Vang", "Xiong", "Yang", "Lee", "Thao", "Moua", "Her", "Lor"],
    ),
}

# Employer names are composed from places and trades, never from personal names, so no
# employer can be mistaken for (or collide with) a member's name.
EMPLOYER_PLACES = [
    "Bayview",
    "Sierra",
    "Golden Gate",
    "Redwood",
    "Mission",
    "Pacific",
    "Sunset",
    "Valley",
    "Harbor",
    "Coastal",
    "Oak Park",
    "Summit",
    "Central Valley",
    "Delta",
    "Mesa",
    "Canyon",
    "Lakeside",
    "Foothill",
    "Riverbend",
    "Cedar",
    "Orchard",
    "Bridgeview",
    "Hillcrest",
    "Northgate",
    "Seaside",
    "Poppy Hills",
    "Sequoia",
    "Marina",
    "Almond Grove",
    "Vista",
]
EMPLOYER_TRADES = [
    "Dental Group",
    "Auto Repair",
    "Bakery",
    "Landscaping",
    "Family Pharmacy",
    "Architects",
    "Construction",
    "Plumbing & Heating",
    "Veterinary Clinic",
    "Tax Services",
    "Print Shop",
    "Coffee Roasters",
    "Logistics",
    "Realty",
    "Florists",
    "Brewing Co.",
    "Fitness Studio",
    "Child Care Center",
    "Electric",
    "Machine Works",
    "Marketing",
    "Software",
    "Cleaners",
    "Bookkeeping",
    "Optometry",
    "Physical Therapy",
    "Farms",
    "Catering",
    "Hardware",
    "Language School",
    "Home Health",
    "Nursery & Garden",
    "Signs & Graphics",
    "Tile & Stone",
]
EMPLOYER_SUFFIXES = ["", "", " LLC", " Inc.", " Co-op"]
