"""Layer 2, who is simulated: the population as columns, its categories, groups and synthesis.

- :mod:`.codes`: category codes of the columns;
- :mod:`.population`: the people, one numpy array per attribute;
- :mod:`.reentrants`: the resolution's re-entrant, a property of a career;
- :mod:`.groups`: reporting groups, target groups and the group key;
- :mod:`.raking`, :mod:`.synthesis`: the synthetic Flemish population from published margins.
"""
