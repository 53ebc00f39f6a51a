"""Who may order a cheque: the rule written once (:mod:`.rules`) and the process that hands it on (:mod:`.process`)."""
