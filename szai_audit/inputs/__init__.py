"""An audit's inputs: the settings validated once (:mod:`.settings`), the outputs and outcomes
(:mod:`.outputs`), the sensitive attributes (:mod:`.attributes`), and what each task's checks
read (:mod:`.prepared`), from data in memory (:mod:`.memory`) or seen in parts
(:mod:`.chunked`), by way of :mod:`.prepare`, the only place that knows which; and the rows
the sampled checks read (:mod:`.rows`)."""
