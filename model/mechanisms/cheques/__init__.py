"""The cheque itself: windows, prices, costs and the recording of a start (:mod:`.rules`), used by uptake and the queue."""
