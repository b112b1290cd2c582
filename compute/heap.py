"""A long-running service's start-up objects, kept out of the garbage collector's full passes.

A full (generation 2) collection walks every object the collector tracks, and a process that has
imported torch and transformers and loaded a model tracks millions: each full pass took 150-500
ms here, and the event loop answered nothing meanwhile (`/healthz` of the compute service waited
up to 320 ms under `quizmaster bench edges`, whose many short requests bring full passes every
few seconds). What exists once a service has loaded its model lives as long as the process, so
`gc.freeze()` moves it to the permanent generation, which collections skip; what requests
allocate afterwards is collected as before (a full pass then took 9 ms). The standalone compute
service freezes once its model is loaded, `quizmaster run` once its service is open. Only a
process's entry point calls this: a test process that froze its heap would keep every earlier
test's garbage.
"""

from __future__ import annotations

import gc


def freeze_start_up() -> None:
    """Collect what start-up left behind, then freeze the rest (module docstring)."""
    gc.collect()
    gc.freeze()
