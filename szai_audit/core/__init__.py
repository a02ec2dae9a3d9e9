"""The core every article builds on, knowing no article itself.

* :mod:`.messages` (text in two languages, number formats), :mod:`.metadata` (the system card
  read in one language, and text checked for the other language), :mod:`.grounds` (the
  grounds a sensitive attribute is declared under), :mod:`.articles` (how an article is cited);
* :mod:`.findings` (:class:`Finding`, :class:`Status`), :mod:`.checks` (the check registry),
  :mod:`.judging` (PASS / WARN / FAIL after the Benjamini-Hochberg correction per ground),
  :mod:`.scope` (what an audit covered);
* :mod:`.data` (validation and encoding of groups), :mod:`.models` (model adapters),
  :mod:`.stats` (tests, BH, weighted quantiles), :mod:`.conditional` (gaps after legitimate
  factors), :mod:`.policy` (thresholds), :mod:`.manifest` (reproducibility), :mod:`.document`
  (a saved audit read and checked);
* :mod:`.html`, :mod:`.charts` (the Jinja2 environment and SVG charts every page shares),
  :mod:`.files`, :mod:`.progress`, :mod:`.errors` (the exception tree).

No module here imports an article package, the report, or anything above them (see
``docs/architecture.md``).
"""
