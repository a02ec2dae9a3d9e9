"""Art. 72(2)(iv) findings: each module turns one kind of measurement into findings.

* :mod:`.rates`: decision rates by group (four-fifths ratio, parity and error-rate gaps);
* :mod:`.scores`: ranking quality (AUC) and calibration by group;
* :mod:`.regression`: numeric outputs (mean prediction, bias, error) by group;
* :mod:`.conditional`: the gap left after legitimate factors;
* :mod:`.inputs`: proxies of an attribute among the inputs, and the counterfactual flip test;
* :mod:`.grounds`: grounds the article names that were not provided, intersections too large.
"""
