"""One module per paper section, each with its plan, its runs (through the cache and the
runner), its claims (on alnb.stats) and its cost estimate; notebook NN calls SECTIONS[NN]."""

from alnb.sections import (
                           beyond_margin,
                           data_split,
                           gpla,
                           informativeness,
                           random_start,
                           training_modes,
)

SECTIONS = {"01": training_modes, "02": informativeness, "03": data_split, "04": random_start,
            "05": gpla, "06": beyond_margin}
