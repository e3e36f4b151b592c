"""The generalised values k-anonymity may put in a package (named in the file schemas)."""

STAGE_BANDS = {
    "FY1": "foundation",
    "FY2": "foundation",
    "CT1": "core",
    "CT2": "core",
    "CT3": "core",
    "ST1": "specialty",
    "ST2": "specialty",
    "ST3": "specialty",
}
BANDED_STAGES = ["foundation", "core", "specialty"]
OTHER_PROFESSIONS = "other_professions"
