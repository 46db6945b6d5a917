"""The environment model: a file's packages as a dependency graph for its target platform and channels.

``graph`` is the offline snapshot compiled into the wheel; ``model`` builds one file's environment from it
(or, under ``--solve``, from solved records) and prices it; ``effects`` computes what a fix changes; the
report's data model lives in ``report``. Below the rules and the report; imports only document, conda,
knowledge and display.
"""
