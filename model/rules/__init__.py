"""Rules of the loopbaancheque as pure vectorised functions.

Each function takes the population (columns), the month number and the
parameters in force, optionally a row selection, and returns an array. No
function here changes the population except :func:`cheques.record_start`.
"""

from .cheques import (  # noqa: F401
    cheque_price,
    cheques_used,
    decimal_year,
    government_cost,
    hourly_fee,
    may_order,
    never_used,
    record_start,
    user_price,
    window_is_open,
)
from .eligibility import (  # noqa: F401
    Eligible,
    benefit_mask,
    is_eligible,
    is_reentrant,
    meets_experience_rule,
    meets_recent_work_rule,
    months_worked_in_window,
)
