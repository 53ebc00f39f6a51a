"""The labour market: moves between employed, job seeker and non-active.

- :mod:`.process`: the month's moves and their counts;
- :mod:`.hazards`: the monthly hazards, solved from the raked table of the year;
- :mod:`.tables`: the raked tables and hazards, shared by the models of a run;
- :mod:`.moves`: who moves (job-finding weights) and what a move changes;
- :mod:`.kernel`: the compiled passes over every person.
"""
