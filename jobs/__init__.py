"""The work: the sync job, its state and the consolidated outputs, with the commands on top.

The core reads as one floor (``job``, ``roster``, ``config``, ``state``, ``model``, ``codec``,
``isolation``, ``history``…), with packages for what grows apart: ``outputs`` (what a run
renders), ``demo`` (the demo district), ``province`` (the province's roll-up of districts) and
``commands`` (the ``tonghop`` CLI, ``doctor``, ``remind``, ``check``, ``bench``), which only
the commands themselves import.
"""

__version__ = "0.1.0"
