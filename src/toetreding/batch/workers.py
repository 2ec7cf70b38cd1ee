"""Work done in worker processes: rendering (one renderer per worker).

Each worker builds its own renderer (Typst compilers are not shared between processes;
every document still gets a fresh compiler, see render/typesetter.py) and writes its
output atomically itself, so the main process only moves paths and digests around — and
records each result in the register as it arrives (workers never touch the register).

Every worker is tied to the leader (see :mod:`.lifeline`): it ends when the leader ends,
and its Typst sandbox is removed however it ends short of SIGKILL.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .lifeline import prepare_worker, until_stopped
from .manifest import write_problem

_STATE: dict[str, Any] = {}


def init_renderer(settings: Any, leader: int) -> None:
    """Process initialiser: one renderer for the worker's lifetime, removed at its end."""
    from ..render import StatementRenderer

    prepare_worker(leader, _close_renderer)
    _STATE["renderer"] = StatementRenderer(settings)


def _close_renderer() -> None:
    """Remove this worker's Typst sandbox — also one a stop interrupted while it was being
    made, before the renderer knew of it (hence by name: it carries this process's id)."""
    import shutil
    import tempfile

    from ..render.typesetter import SANDBOX_PREFIX

    renderer = _STATE.pop("renderer", None)
    if renderer is not None:
        renderer.close()
    for left in Path(tempfile.gettempdir()).glob(f"{SANDBOX_PREFIX}{os.getpid()}-*"):
        shutil.rmtree(left, ignore_errors=True)


@until_stopped
def render_one(
    code: str, statement_json: str, output: str
) -> tuple[str, str | None, str | None, str]:
    """Render one party: (code, sha256 or None, error or None, template digest)."""
    from ..errors import ToetredingError
    from ..fileio import write_atomically
    from ..model import Statement

    renderer = _STATE["renderer"]
    try:
        statement = Statement.model_validate_json(statement_json)
        rendered = renderer.render(statement)
        digest = write_atomically(Path(output), rendered.pdf)
        return code, digest, None, rendered.template_digest
    except ToetredingError as error:
        return code, None, error.message, ""
    except OSError as error:
        return code, None, write_problem(Path(output), error), ""
    except Exception as error:  # one bad party must not stop the others
        return code, None, f"{type(error).__name__}: {error}", ""
