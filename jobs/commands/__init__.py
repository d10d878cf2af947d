"""The commands a person types, over the job's core in `jobs`.

``cli`` is the `tonghop` console script (also ``python -m jobs``): it parses the arguments with
``argparse_vi`` (argparse speaking Vietnamese), calls one library function and maps our errors
to an exit code and a Vietnamese line. The commands with a body of their own live beside it:
``check`` (one unit's file, no state), ``doctor`` (the setup checks and ``--provision``),
``remind`` (the reminder list and e-mails) and ``bench`` (``make bench``, the timing run).

Nothing in the core (job, roster, config, state, model, codec, isolation, history, outputs,
demo, province) imports this package: data and calls flow from here down, never back up.
"""
