"""Reference data for the synthetic Oregon Health Plan (Medicaid) book: a coordinated care
organisation in the Portland tri-county area and its partner plans, places, languages, names.

The seed document (Health Share of Oregon's slides) describes a CCO of 240,000 members in the
Portland tri-county region, "a collection of 16 independent health plans covering physical,
behavioral and dental services", with medical transport added as a benefit, and a membership
whose "linguistic and special healthcare needs" the service must focus on. Every organisation
named here is invented; phone numbers use the 555 exchange and e-mail example.com.
"""

from __future__ import annotations

from memberdesk.members.enums import Benefit

# The coordinated care organisation: members' Medicaid eligibility is their enrolment in it.
CCO = ("CWCA", "Columbia-Willamette Care Alliance (synthetic CCO)")
NETWORK = "Portland tri-county"

# Partner plans (16, as in the seed): carrier code, name, benefit, assignment weight, and for
# behavioural health the county it serves (members are assigned by where they live).
PARTNERS: list[tuple[str, str, Benefit, int, str | None]] = [
    ("OR-PH-RCF", "Rose City Family Health (synthetic)", Benefit.PHYSICAL_HEALTH, 34, None),
    ("OR-PH-CCH", "Cascade Community Health Plan (synthetic)", Benefit.PHYSICAL_HEALTH, 22, None),
    ("OR-PH-MHF", "Mt. Hood Family Care (synthetic)", Benefit.PHYSICAL_HEALTH, 14, None),
    ("OR-PH-TVH", "Tualatin Valley Health Partners (synthetic)", Benefit.PHYSICAL_HEALTH, 12, None),
    ("OR-PH-WFC", "Willamette Falls Community Care (synthetic)", Benefit.PHYSICAL_HEALTH, 10, None),
    (
        "OR-PH-PDH",
        "Pearl District Health Cooperative (synthetic)",
        Benefit.PHYSICAL_HEALTH,
        8,
        None,
    ),
    (
        "OR-BH-MUL",
        "Multnomah Behavioral Health Partners (synthetic)",
        Benefit.BEHAVIORAL_HEALTH,
        1,
        "Multnomah",
    ),
    (
        "OR-BH-WAS",
        "Washington County Behavioral Health Partners (synthetic)",
        Benefit.BEHAVIORAL_HEALTH,
        1,
        "Washington",
    ),
    (
        "OR-BH-CLA",
        "Clackamas Behavioral Health Partners (synthetic)",
        Benefit.BEHAVIORAL_HEALTH,
        1,
        "Clackamas",
    ),
    ("OR-DN-BTD", "Bridgetown Dental Care (synthetic)", Benefit.DENTAL, 25, None),
    ("OR-DN-EGS", "Evergreen Smiles Dental Plan (synthetic)", Benefit.DENTAL, 20, None),
    ("OR-DN-NWC", "Northwest Community Dental (synthetic)", Benefit.DENTAL, 18, None),
    ("OR-DN-SSD", "Sunnyside Dental Partners (synthetic)", Benefit.DENTAL, 15, None),
    ("OR-DN-FPD", "Forest Park Dental Group (synthetic)", Benefit.DENTAL, 12, None),
    ("OR-DN-HDA", "Hawthorne Dental Alliance (synthetic)", Benefit.DENTAL, 10, None),
    ("OR-NEMT", "Ride Together Medical Rides (synthetic)", Benefit.TRANSPORT, 1, None),
]
# How each benefit's plan is named (the partner's name follows).
PLAN_NAMES = {
    Benefit.PHYSICAL_HEALTH: "OHP physical health",
    Benefit.BEHAVIORAL_HEALTH: "OHP behavioural health",
    Benefit.DENTAL: "OHP dental care",
    Benefit.TRANSPORT: "OHP rides to care",
}

# Continuous eligibility under Oregon's 2022-2027 Medicaid waiver (verify against the waiver
# in force before relying on it): people aged 6 and over renew every 24 months; children under
# 6 stay enrolled until their 6th birthday (lines.py keeps that age). The synthetic history
# applies these rules throughout, back to 2014: a demo book, not a record of past policy (12-month
# renewals before, none ended during the 2020-2023 public health emergency).
RENEWAL_MONTHS = 24
FIRST_MONTH = (2014, 1)  # the 2014 Medicaid expansion: the book's oldest enrolments

# city, county, ZIP codes, population weight (Medicaid members cluster east of the river and in
# the suburbs' older neighbourhoods).
PLACES: list[tuple[str, str, tuple[str, ...], int]] = [
    (
        "Portland",
        "Multnomah",
        (
            "97202",
            "97203",
            "97206",
            "97211",
            "97216",
            "97217",
            "97220",
            "97230",
            "97233",
            "97236",
            "97266",
        ),
        46,
    ),
    ("Gresham", "Multnomah", ("97030", "97080"), 10),
    ("Troutdale", "Multnomah", ("97060",), 2),
    ("Fairview", "Multnomah", ("97024",), 1),
    ("Beaverton", "Washington", ("97005", "97006", "97007", "97008"), 8),
    ("Hillsboro", "Washington", ("97123", "97124"), 8),
    ("Aloha", "Washington", ("97003", "97078"), 3),
    ("Tigard", "Washington", ("97223", "97224"), 3),
    ("Forest Grove", "Washington", ("97116",), 2),
    ("Cornelius", "Washington", ("97113",), 1),
    ("Tualatin", "Washington", ("97062",), 1),
    ("Oregon City", "Clackamas", ("97045",), 4),
    ("Milwaukie", "Clackamas", ("97222", "97267"), 4),
    ("Clackamas", "Clackamas", ("97015", "97086"), 3),
    ("Canby", "Clackamas", ("97013",), 1),
    ("Molalla", "Clackamas", ("97038",), 1),
    ("Estacada", "Clackamas", ("97023",), 1),
]
AREA_CODES = ("503", "971")

# ISO 639 code, share of members, share of adult speakers needing an interpreter: a
# Portland-area Medicaid mix (synthetic; plans set their own from enrolment files).
LANGUAGES: list[tuple[str, float, float]] = [
    ("en", 0.745, 0.0),
    ("es", 0.140, 0.55),
    ("ru", 0.022, 0.60),
    ("vi", 0.020, 0.65),
    ("zh", 0.012, 0.65),
    ("ar", 0.010, 0.65),
    ("so", 0.008, 0.75),
    ("uk", 0.008, 0.65),
    ("chk", 0.005, 0.80),
    ("ro", 0.005, 0.55),
    ("sw", 0.004, 0.70),
    ("prs", 0.004, 0.80),
    ("my", 0.003, 0.75),
    ("ne", 0.003, 0.70),
    ("am", 0.003, 0.65),
    ("ko", 0.003, 0.55),
    ("mh", 0.002, 0.75),
]

# Romanised name pools for the languages Faker has no Latin-script locale for (the California
# book's pools cover Chinese, Russian, Arabic and Korean).
ROMANISED: dict[str, tuple[list[str], list[str], list[str]]] = {
    "so": (
        ["Hodan", "Amina", "Fadumo", "Sahra", "Hibo", "Ayan", "Halima", "Ifrah"],
        ["Abdi", "Mohamed", "Ahmed", "Hassan", "Abdirahman", "Omar", "Yusuf", "Farah"],
        ["Ali", "Hassan", "Mohamed", "Abdi", "Farah", "Warsame", "Osman", "Jama", "Hersi"],
    ),
    "uk": (
        ["Oksana", "Olena", "Iryna", "Nataliya", "Halyna", "Tetiana", "Yuliia", "Mariia"],
        ["Oleksandr", "Andrii", "Volodymyr", "Mykola", "Serhii", "Taras", "Petro", "Bohdan"],
        ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko"],
    ),
    "chk": (
        ["Merina", "Kiomy", "Rosalinda", "Sinobu", "Anna", "Mieko", "Marleen"],
        ["Kachutosy", "Simiron", "Kimeuo", "Sapuro", "Mikel", "Kasiano", "Johnny"],
        ["Aisek", "Mori", "Sirom", "Esirom", "Bisalen", "Ruben", "Kofak", "Enlet", "Setik"],
    ),
    "ro": (
        ["Maria", "Elena", "Ioana", "Ana", "Mihaela", "Andreea", "Cristina"],
        ["Ion", "Andrei", "Mihai", "Gheorghe", "Vasile", "Alexandru", "Daniel"],
        ["Popescu", "Ionescu", "Popa", "Stan", "Dumitru", "Munteanu", "Ciobanu", "Rusu", "Lungu"],
    ),
    "sw": (
        ["Neema", "Amani", "Furaha", "Rehema", "Zawadi", "Imani"],
        ["Baraka", "Juma", "Emmanuel", "Jean-Pierre", "Mussa", "Faraji"],
        ["Mwangi", "Mutombo", "Ndayisaba", "Hakizimana", "Uwimana", "Ochieng", "Bizimana"],
    ),
    "prs": (
        ["Zahra", "Fatima", "Maryam", "Nazia", "Shakila", "Farzana", "Mursal"],
        ["Ahmad", "Mohammad", "Abdul", "Sayed", "Mustafa", "Hamid", "Naweed"],
        ["Ahmadi", "Hakimi", "Rahimi", "Sultani", "Noori", "Haidari", "Popal", "Samadi"],
    ),
    "my": (
        ["Aye Aye", "Thandar", "Su Su", "Khin", "Hla Hla", "Mya"],
        ["Aung", "Kyaw", "Zaw", "Min Thu", "Htet", "Win"],
        ["Win", "Aung", "Oo", "Myint", "Htun", "Tun", "Naing", "Lwin"],
    ),
    "ne": (
        ["Sita", "Gita", "Laxmi", "Devi Maya", "Sunita", "Bishnu"],
        ["Ram", "Hari", "Krishna", "Bhim", "Dil", "Chandra"],
        ["Gurung", "Rai", "Subba", "Tamang", "Dahal", "Adhikari", "Chhetri", "Magar"],
    ),
    "am": (
        ["Meron", "Tigist", "Hirut", "Selam", "Bethlehem", "Almaz"],
        ["Dawit", "Yonas", "Tesfaye", "Getachew", "Abebe", "Solomon"],
        ["Tesfaye", "Bekele", "Haile", "Alemu", "Girma", "Tadesse", "Mekonnen", "Wolde"],
    ),
    "mh": (
        ["Jelina", "Neijon", "Bonij", "Kalora", "Lijon", "Tarlin"],
        ["Jobwe", "Kiron", "Jabu", "Tonny", "Bwij", "Hemos"],
        ["Lakjohn", "Anjain", "Langrine", "Jibas", "Kabua", "Laelang", "Lanki", "Jorkan"],
    ),
}
