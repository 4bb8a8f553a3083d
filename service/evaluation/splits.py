"""The gold set cut in two, once and for all: `dev` and `test`.

Rules and prompts are changed looking at `dev` only; `test` is reported beside it in the same run and is
never read to decide a change. A rule that helps dev and not test was fitted to dev's articles, not
learnt from them, and is dropped. The lists are written out (not computed from whatever files a directory
holds) so that a case added later joins neither split by accident: dev is every other case in sorted id
order, starting with the first; test is the rest.
"""

DEV = (
    "000_seed_geneva",
    "002_worldcup2018_day5",
    "004_italy_religious_school_taxes",
    "007_warming_ozone_crops",
    "010_nz_flag_consideration",
    "013_warhol_university_exhibits",
    "016_indonesia_asylum_rescue",
    "020_argentina_riveros_pardon",
    "023_de_turkey_election_2015",
)
TEST = (
    "001_hk_legco_election_2016",
    "003_mecca_crane_collapse",
    "006_korea_quasi_state_of_war",
    "008_homeopathy_manslaughter_trial",
    "011_afghan_robotics_team_visas",
    "015_australia_iodine_deficiency",
    "018_scientology_defector_arrest",
    "021_de_dresden_mayoral_election",
)
SPLITS = {"dev": DEV, "test": TEST}


def split_of(case_id: str) -> str | None:
    """ "dev", "test", or None for a case in neither (a new one, or a test's own)."""
    return next((name for name, ids in SPLITS.items() if case_id in ids), None)
