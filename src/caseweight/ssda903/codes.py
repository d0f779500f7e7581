"""SSDA903 code lists and how each code maps onto the caseweight data contract.

Every code used here is in the DfE's published SSDA903 code sets (children
looked after technical specification / guide). The code lists were checked
against Social Finance's machine-readable schemas in ``liia-tools`` and
``liia-tools-pipeline`` (``ssda903_pipeline/spec/SSDA903_schema_*.yml``); the
descriptions follow the DfE guide wording as reproduced in Social Finance's
sufficiency dimension tables. ``docs/ssda903.md`` shows the same mapping as one
table; a test checks that the two agree.

A code that is not in these lists is *unknown*: the importer leaves the
attribute blank and reports the code with its file, row and column. It never
guesses.
"""

from __future__ import annotations

from typing import Final

# --- episodes.LS: legal status -> cases.legal_status -------------------------
LEGAL_STATUS: Final[dict[str, tuple[str, str]]] = {
    # code: (contract value, DfE description)
    "C1": ("interim_care_order", "Interim care order"),
    "C2": ("care_order", "Full care order"),
    "D1": ("placement_order", "Freeing order granted (predecessor of the placement order)"),
    "E1": ("placement_order", "Placement order granted"),
    "J1": ("remand", "Remanded to local authority accommodation or youth detention accommodation"),
    "J2": ("other", "Placed in local authority accommodation under PACE 1984"),
    "J3": ("other", "Sentenced to a youth rehabilitation order with residence requirement"),
    "L1": ("other", "Under police protection and in local authority accommodation"),
    "L2": ("other", "Emergency protection order (EPO)"),
    "L3": ("other", "Under child assessment order and in local authority accommodation"),
    "V2": ("section_20", "Single period of accommodation under section 20"),
    "V3": ("section_20", "Accommodated under an agreed series of short-term breaks (episodes)"),
    "V4": ("section_20", "Accommodated under an agreed series of short-term breaks (agreements)"),
}

# --- episodes.PLACE: placement type -> cases.placement_type ------------------
PLACEMENT_TYPE: Final[dict[str, tuple[str, str]]] = {
    "A3": ("adoption", "Placed for adoption with consent with current foster carer(s)"),
    "A4": ("adoption", "Placed for adoption with consent not with current foster carer(s)"),
    "A5": ("adoption", "Placed for adoption with placement order with current foster carer(s)"),
    "A6": ("adoption", "Placed for adoption with placement order not with current foster carer(s)"),
    "H5": (
        "supported_accommodation",
        "Semi-independent living not subject to children's homes regulations (to 2023/24)",
    ),
    "K1": ("secure", "Secure children's home"),
    "K2": ("residential", "Children's home subject to Children's Homes Regulations"),
    "K3": (
        "supported_accommodation",
        "Supported accommodation (code from 2024/25, replacing H5 and P2)",
    ),
    "P1": (
        "placed_with_parents",
        "Placed with own parent(s) or other person(s) with parental responsibility",
    ),
    "P2": (
        "independent_living",
        "Independent living, e.g. flat, lodgings, bedsit, B&B (to 2023/24)",
    ),
    "P3": ("other", "Residential employment"),
    "R1": ("residential", "Residential care home"),
    "R2": ("other", "NHS/health trust or other establishment providing medical or nursing care"),
    "R3": ("other", "Family centre or mother and baby unit"),
    "R5": ("custody", "Young offender institution (YOI)"),
    "S1": ("residential", "Residential school, except where dual-registered as a children's home"),
    "T0": ("other", "Temporary move of any type"),
    "T1": ("other", "Temporary period in hospital"),
    "T2": ("other", "Temporary absence of the child on holiday"),
    "T3": ("other", "Temporary accommodation whilst normal foster carer(s) on holiday"),
    "T4": ("other", "Temporary accommodation of seven days or less, not T1 to T3"),
    "U1": ("kinship", "Foster placement with relative(s) or friend(s): long-term fostering"),
    "U2": ("kinship", "Foster placement with relative(s) or friend(s): fostering for adoption"),
    "U3": ("kinship", "Foster placement with relative(s) or friend(s): other"),
    "U4": ("foster", "Foster placement with other foster carer(s): long-term fostering"),
    "U5": ("foster", "Foster placement with other foster carer(s): fostering for adoption"),
    "U6": ("foster", "Foster placement with other foster carer(s): other"),
    "Z1": ("other", "Other placement (listed on a schedule sent to the DfE)"),
    "Z11": ("other", "Other placement, subdivision of Z1 (code from 2025/26)"),
    "Z12": ("other", "Other placement, subdivision of Z1 (code from 2025/26)"),
    "Z13": ("other", "Other placement, subdivision of Z1 (code from 2025/26)"),
    "Z14": ("other", "Other placement, subdivision of Z1 (code from 2025/26)"),
}

# --- episodes.RNE: reason for new episode ------------------------------------
# A new episode with one of these reasons is a change of placement (a "move").
REASON_NEW_EPISODE: Final[dict[str, tuple[bool, str]]] = {
    "S": (False, "Started to be looked after"),
    "L": (False, "Change of legal status only"),
    "P": (True, "Change of placement and carer(s) only"),
    "T": (True, "Change of placement (but same carer(s)) only"),
    "B": (True, "Change of legal status and placement and carer(s) at the same time"),
    "U": (True, "Change of legal status and change of placement (same carer(s)) at the same time"),
}

# --- episodes.REC: reason episode ceased --------------------------------------
# True: leaving care this way at 16 or over makes a care leaver (relevant or
# former relevant child). False: the young person is not a care leaver (adopted,
# died, taken over by another authority, an order to another carer, found to be
# an adult, moved abroad) or the episode did not end care (X1).
REASON_EPISODE_CEASED: Final[dict[str, tuple[bool, str]]] = {
    "X1": (False, "Episode ceases and new episode begins on the same day"),
    "E11": (False, "Adopted: application unopposed"),
    "E12": (False, "Adopted: consent dispensed with by the court"),
    "E13": (True, "Left care to live with parent(s), relative(s) or others without PR"),
    "E14": (True, "Accommodation on remand ended"),
    "E15": (False, "Age assessment determined the child is aged 18 or over"),
    "E16": (False, "Child moved abroad"),
    "E17": (True, "Aged 18 or over and remained with current carers (incl. staying put)"),
    "E2": (False, "Died"),
    "E3": (False, "Care taken over by another local authority in the UK"),
    "E41": (False, "Residence order / child arrangements order granted"),
    "E45": (False, "Special guardianship order to former foster carer(s), relative or friend"),
    "E46": (False, "Special guardianship order to former foster carer(s), other"),
    "E47": (False, "Special guardianship order to other carer(s), relative or friend"),
    "E48": (False, "Special guardianship order to other carer(s), other"),
    "E4A": (True, "Returned home to parent(s) or others with PR as part of the care plan"),
    "E4B": (True, "Returned home to parent(s) or others with PR, not part of the care plan"),
    "E5": (True, "Moved into independent living with formalised support"),
    "E6": (True, "Moved into independent living without formalised support"),
    "E7": (True, "Transferred to residential care funded by adult social care"),
    "E8": (True, "Care ceased for any other reason"),
    "E9": (True, "Sentenced to custody"),
}
# Leaving care for this reason at 18 or over means "staying put" with the carers.
STAYING_PUT_REC: Final = "E17"

# --- episodes.REASON_PLACE_CHANGE (validated, reported; not mapped) -----------
REASON_PLACE_CHANGE: Final[dict[str, str]] = {
    "ALLEG": "Allegation (s47)",
    "APPRR": "Approval removed",
    "CARPL": "Change to/implementation of care plan",
    "CHILD": "Child requests placement end",
    "CLOSE": "Resignation/closure of provision",
    "CREQB": "Carer(s) request placement end due to child's behaviour",
    "CREQO": "Carer(s) request placement end other than due to child's behaviour",
    "CUSTOD": "Custody arrangement",
    "LAREQ": "Responsible/area authority requests placement end",
    "OTHER": "Other",
    "PLACE": "Change in the status of placement only",
    "STAND": "Standards of care concern",
}

# --- episodes.CIN: category of need -------------------------------------------
# Only N2 carries a contract attribute (disability); the rest are valid, unmapped.
CATEGORY_OF_NEED: Final[dict[str, str]] = {
    "N1": "Abuse or neglect",
    "N2": "Child's disability",
    "N3": "Parental illness or disability",
    "N4": "Family in acute stress",
    "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour",
    "N7": "Low income",
    "N8": "Absent parenting",
}
DISABILITY_CIN: Final = "N2"

# --- missing.MISSING ------------------------------------------------------------
MISSING_TYPE: Final[dict[str, tuple[bool, str]]] = {
    "M": (True, "Missing from placement"),
    "A": (False, "Away from placement without authorisation (not counted as missing)"),
}

# --- oc3.IN_TOUCH ---------------------------------------------------------------
# True: still a care leaver the authority supports. False: not allocated a PA.
IN_TOUCH: Final[dict[str, tuple[bool, str]]] = {
    "YES": (True, "Authority in touch with the young person"),
    "NO": (True, "Authority not in touch"),
    "REFU": (True, "Young person refuses contact"),
    "DIED": (False, "Young person has died"),
    "NREQ": (False, "Young person no longer requires services"),
    "RHOM": (False, "Returned home to parents/others with PR for 6 months or more"),
}

# --- oc3.ACTIV: main activity -> cases.neet (and young_parent for G6) ----------
ACTIVITY: Final[dict[str, tuple[bool | None, str]]] = {
    # code: (neet, description)
    "F1": (False, "Full-time in higher education"),
    "P1": (False, "Part-time in higher education"),
    "F2": (False, "Full-time in education other than higher education"),
    "P2": (False, "Part-time in education other than higher education"),
    "F3": (False, "Full-time in training or employment (to 2018/19)"),
    "P3": (False, "Part-time in training or employment (to 2018/19)"),
    "F4": (False, "Full-time in an apprenticeship (from 2019/20)"),
    "P4": (False, "Part-time in an apprenticeship (from 2019/20)"),
    "F5": (False, "Full-time in training or employment, not an apprenticeship (from 2019/20)"),
    "P5": (False, "Part-time in training or employment, not an apprenticeship (from 2019/20)"),
    "G4": (True, "Not in education, training or employment: illness or disability"),
    "G5": (True, "Not in education, training or employment: other reasons"),
    "G6": (True, "Not in education, training or employment: pregnancy or parenting"),
    "0": (None, "Activity not known (not in touch)"),
}
YOUNG_PARENT_ACTIV: Final = "G6"

# --- oc3.ACCOM: accommodation letter (+ 1 suitable / 2 not suitable) ---------
ACCOMMODATION: Final[dict[str, tuple[str | None, str]]] = {
    # letter: (contract placement_type for a care leaver, DfE description)
    "B": ("other", "With parents or relatives"),
    "C": ("residential", "Community home or other residential care, e.g. NHS establishment"),
    "D": ("supported_accommodation", "Semi-independent, transitional accommodation"),
    "E": ("supported_accommodation", "Supported lodgings"),
    "G": ("other", "Gone abroad"),
    "H": ("other", "Deported"),
    "K": ("independent_living", "Ordinary lodgings, without formal support"),
    "R": (None, "Residence not known"),
    "S": ("other", "No fixed abode / homeless"),
    "T": ("supported_accommodation", "Foyers and similar supported accommodation"),
    "U": ("independent_living", "Independent living, e.g. own tenancy"),
    "V": ("other", "Emergency accommodation, e.g. night shelter"),
    "W": ("other", "Bed and breakfast"),
    "X": ("custody", "In custody"),
    "Y": ("other", "Other accommodation"),
    "Z": ("staying_put", "With former foster carers (staying put)"),
}
ACCOM_SUITABILITY: Final[dict[str, bool]] = {"1": True, "2": False}
ACCOM_NOT_KNOWN: Final = "0"

# --- header.MOTHER --------------------------------------------------------------
MOTHER: Final[dict[str, bool]] = {"1": True, "0": False}

# --- legal statuses that mean care proceedings or youth justice involvement -----
COURT_PROCEEDINGS_LS: Final = frozenset({"C1"})
YOUTH_JUSTICE_LS: Final = frozenset({"J1", "J2", "J3"})
YOUTH_JUSTICE_PLACE: Final = frozenset({"R5"})


def accommodation_placement(code: str) -> tuple[bool, str | None, bool | None]:
    """Decode an OC3 ``ACCOM`` code.

    Returns
    -------
    (known, placement_type, suitable)
        ``known`` is False for a code outside the DfE list; ``placement_type``
        and ``suitable`` are ``None`` when the code says "not known".
    """
    if code == ACCOM_NOT_KNOWN:
        return True, None, None
    if len(code) != 2 or code[0] not in ACCOMMODATION or code[1] not in ACCOM_SUITABILITY:
        return False, None, None
    return True, ACCOMMODATION[code[0]][0], ACCOM_SUITABILITY[code[1]]


# --- inverse maps used by the synthetic generator (one preferred code each) ----
PREFERRED_LS: Final[dict[str, str]] = {
    "interim_care_order": "C1",
    "care_order": "C2",
    "placement_order": "E1",
    "remand": "J1",
    "section_20": "V2",
    "other": "L2",
}
PREFERRED_PLACE: Final[dict[str, tuple[str, ...]]] = {
    "foster": ("U4", "U5", "U6"),
    "kinship": ("U1", "U2", "U3"),
    "residential": ("K2", "R1", "S1"),
    "secure": ("K1",),
    "supported_accommodation": ("K3",),
    "independent_living": ("P2",),
    "placed_with_parents": ("P1",),
    "custody": ("R5",),
    "adoption": ("A3", "A4", "A5", "A6"),
    "other": ("Z1", "R3", "P3"),
}
PREFERRED_ACCOM: Final[dict[str, tuple[str, ...]]] = {
    "staying_put": ("Z",),
    "independent_living": ("U", "K"),
    "supported_accommodation": ("D", "E", "T"),
    "residential": ("C",),
    "custody": ("X",),
    "other": ("B", "Y", "W"),
}
