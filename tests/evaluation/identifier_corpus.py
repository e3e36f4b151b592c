"""Realistic free text with planted identifiers, and clean text that must survive untouched.

Every phone number is in Ofcom's ranges reserved for drama; NHS numbers are made up with a
valid check digit; registration numbers follow each body's format but belong to no one.
The account names are the ones the tests create (see ``ACCOUNTS``).
"""

from __future__ import annotations

ACCOUNTS = [
    ("Siobhan", "O'Neill"),
    ("Anne-Marie", "Smith-Jones"),
    ("Grace", "Okafor"),
    ("Tomasz", "Kowalczyk"),
    ("Priya", "Raghunathan"),
    ("Will", "Hartley"),
]

# (sentence, identifiers planted in it, the placeholder each should become)
PLANTED: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Email me at siobhan.oneill@nhs.net if the link breaks.",
        [("siobhan.oneill@nhs.net", "[EMAIL]")],
    ),
    (
        "Contact: anne-marie.smith-jones+fd@example.co.uk",
        [("anne-marie.smith-jones+fd@example.co.uk", "[EMAIL]")],
    ),
    ("Ring me on 07700 900123 after clinic.", [("07700 900123", "[PHONE]")]),
    ("My mobile is 07700900461, text is fine.", [("07700900461", "[PHONE]")]),
    ("Ward phone (0113) 496 0000 ext 2.", [("(0113) 496 0000", "[PHONE]")]),
    (
        "Call +44 7700 900 987 or 0044 20 7946 0958.",
        [("+44 7700 900 987", "[PHONE]"), ("0044 20 7946 0958", "[PHONE]")],
    ),
    ("Reception is on 01632 960 001.", [("01632 960 001", "[PHONE]")]),
    ("Use +44 (0)20 7946 0123 for the hub.", [("+44 (0)20 7946 0123", "[PHONE]")]),
    ("My GMC number is 7123456 if you need it.", [("7123456", "[GMC]")]),
    ("GMC ref 712 3457, foundation year 2.", [("712 3457", "[GMC]")]),
    ("I'm registered with the GPhC, 2087654.", [("2087654", "[GPHC]")]),
    ("Pharmacist registration 2 087 655 on file.", [("2 087 655", "[GPHC]")]),
    ("NMC PIN 12A3456E, band 6.", [("12A3456E", "[NMC]")]),
    ("Her PIN is 98 C 1234 Z I think.", [("98 C 1234 Z", "[NMC]")]),
    ("nmc pin 05i6789c (lower case).", [("05i6789c", "[NMC]")]),
    ("HCPC registered paramedic PA12345.", [("PA12345", "[HCPC]")]),
    ("Physio, HCPC PH 123456.", [("PH 123456", "[HCPC]")]),
    ("Patient NHS number 943 476 5919 was on the slide.", [("943 476 5919", "[NHS NUMBER]")]),
    ("NHS no. 9434765919 shown in the case study.", [("9434765919", "[NHS NUMBER]")]),
    ("Case 401-023-2137 was discussed.", [("401-023-2137", "[NHS NUMBER]")]),
    ("The patient lives in LS1 4AP, near the station.", [("LS1 4AP", "[POSTCODE]")]),
    ("Clinic at sw1a 1aa (lower case).", [("sw1a 1aa", "[POSTCODE]")]),
    ("Outreach van parks at M11AE daily.", [("M11AE", "[POSTCODE]")]),
    (
        "Siobhan O'Neill ran the session really well.",
        [("Siobhan", "[NAME]"), ("O'Neill", "[NAME]")],
    ),
    (
        "Thanks to Anne-Marie Smith-Jones for the handout.",
        [("Anne-Marie", "[NAME]"), ("Smith-Jones", "[NAME]")],
    ),
    ("Ask Okafor about the rota.", [("Okafor", "[NAME]")]),
    ("Dr Kowalczyk explained frailty scores.", [("Kowalczyk", "[NAME]")]),
    ("Priya's examples were the best part.", [("Priya", "[NAME]")]),
    ("Will Hartley should lead the next one.", [("Will", "[NAME]"), ("Hartley", "[NAME]")]),
    ("Mrs Doherty (the patient) agreed to be discussed.", [("Doherty", "[NAME]")]),
    ("We discussed Mr. MacAllister-Reid's discharge.", [("MacAllister-Reid", "[NAME]")]),
    (
        "Met Grace Okafor and Tomasz at 07700 900555, tomasz@example.org.",
        [
            ("Grace", "[NAME]"),
            ("Okafor", "[NAME]"),
            ("Tomasz", "[NAME]"),
            ("07700 900555", "[PHONE]"),
            ("tomasz@example.org", "[EMAIL]"),
        ],
    ),
    (
        "GMC 7000001; NMC 01B2345C; GPhC 2000002; HCPC SW654321.",
        [
            ("7000001", "[GMC]"),
            ("01B2345C", "[NMC]"),
            ("2000002", "[GPHC]"),
            ("SW654321", "[HCPC]"),
        ],
    ),
]

# Text with numbers, dates, capitalised words and names of no account: must not change.
CLEAN: list[str] = [
    "The module took about 45 minutes and the quiz was clear.",
    "Session 3 of 12 ran on 12/03/2026; 20 participants came.",
    "Version 2.1 fixed the broken link on page 12.",
    "Rated 4/5 overall, 1500 words was too long.",
    "May I suggest shorter videos? Will there be a part two?",
    "Grace under pressure was a theme of the cohort in 2026.",
    "The NHS Long Term Plan and GPC domain 5 were covered well.",
    "Our Trust has 7 sites across Yorkshire and the Humber.",
    "Great content on homelessness and migrant health.",
    "A score of 123 on the frailty index is not plausible.",
    "Reference 2026-11-23 in the changelog, release 3.",
    "More on deprivation in coastal towns, please.",
    "The case about a 67 year old with COPD was realistic.",
    "Ten out of ten; would recommend to FY1 and FY2 colleagues.",
    "Hope the next cohort gets the updated slides.",
    "I called the helpline twice; it took 3 to 4 days.",
]
