"""Category codes of the person columns, in one place.

Every categorical column of :class:`model.people.population.Population` stores a
small integer; these tuples give the label of each code, in code order, and
match the keys used in the parameter files. The compiled kernels import the
codes from here too (a module constant is a constant of the compiled code).
"""

SEX = ("men", "women")                      # 0 man, 1 woman
AGE_BANDS = ("20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64")
EDUCATION = ("low", "mid", "high")
MIGRATION = ("none", "eu", "non_eu")
STATUS = ("employed", "jobseeker", "non_active", "absent")  # absent: a free row (not aged 20-64)
EMPLOYED, JOBSEEKER, NON_ACTIVE, ABSENT = 0, 1, 2, 3
REASON = ("none", "care", "illness", "student", "early_retirement", "other")
BENEFITS = ("unemployment", "career_break", "incapacity", "pension")
# Benefits received in the current out-of-work spell are kept as bit flags.
BENEFIT_BIT = {name: 1 << i for i, name in enumerate(BENEFITS)}

MIN_AGE_MONTHS = 20 * 12
EXIT_AGE_MONTHS = 65 * 12
NO_MONTH = -32000  # "never" for month columns (int16)

PROVINCES = ("antwerpen", "limburg", "oost_vlaanderen", "vlaams_brabant", "west_vlaanderen")

# Age groups of the published employment rates by age.
EMPLOYMENT_AGE_GROUPS = {"20-34": (0, 1, 2), "35-44": (3, 4), "45-54": (5, 6), "55-64": (7, 8)}
# Age groups of the uptake coefficients.
UPTAKE_AGE_GROUPS = {"20-29": (0, 1), "30-39": (2, 3), "40-49": (4, 5), "50-54": (6,), "55-64": (7, 8)}


def out_of_work(status):
    """True where a status column is a job seeker's or a non-active person's (an array of ``STATUS`` codes)."""
    return (status == JOBSEEKER) | (status == NON_ACTIVE)
