"""Named points where the fault tests make a polkg process die or fail, as a crash or a full disk would.

``POLKG_FAILPOINT=name:action`` (``kill`` sends SIGKILL to the process itself, ``enospc`` raises the
error a full disk raises). Unset, as it always is outside the tests, a failpoint does nothing.
"""

from __future__ import annotations

import errno
import os
import signal

_VARIABLE = "POLKG_FAILPOINT"


def failpoint(name: str) -> None:
    """Die or fail here if the fault tests asked for it at ``name``."""
    wanted = os.environ.get(_VARIABLE)
    if not wanted:
        return
    point, _, action = wanted.partition(":")
    if point != name:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "enospc":
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
