"""axe-core's accessibility rules, run on the page a Selenium driver has loaded."""

from __future__ import annotations

import json

# Every rule runs and every violation keeps all its nodes; passes, incomplete and inapplicable
# results keep one node each. Finding a unique selector for every node a rule passed took much
# of axe's time on the longest pages, and no test reads those nodes.
RUN_OPTIONS = json.dumps({"resultTypes": ["violations"]})


def axe_run(driver):
    """axe-core's results on the loaded page, and the Axe that reports them (``.report``)."""
    from axe_selenium_python import Axe

    axe = Axe(driver)
    axe.inject()
    return axe.run(options=RUN_OPTIONS), axe
