"""Work done in worker processes: rendering (one renderer per worker) and verifying.

Each worker builds its own renderer (Typst compilers are not shared between processes;
every document still gets a fresh compiler, see render/typesetter.py) and writes its
output atomically itself, so the main process only moves paths and digests around.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_STATE: dict[str, Any] = {}


def init_renderer(settings: Any) -> None:
    """Process initialiser: one renderer for the worker's lifetime."""
    from ..render import StatementRenderer

    _STATE["renderer"] = StatementRenderer(settings)


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
    except Exception as error:  # one bad party must not stop the others
        return code, None, f"{type(error).__name__}: {error}", ""


def init_verifier(root_files: list[str], crl_files: list[str], allow_fetching: bool) -> None:
    """Process initialiser: the trust roots and revocation lists, loaded once."""
    from ..pki.files import load_crls, load_trust_roots
    from ..verify import VerifyOptions

    _STATE["verify_options"] = VerifyOptions(
        trust_roots=tuple(load_trust_roots([Path(f) for f in root_files])),
        allow_fetching=allow_fetching,
        crls=tuple(load_crls([Path(f) for f in crl_files])),
    )


def verify_one(code: str, path: str) -> tuple[str, str, list[str]]:
    """Verify one signed statement: (code, verdict, problems)."""
    from ..verify import verify_file

    report = verify_file(Path(path), _STATE["verify_options"])
    problems = [p for s in report.signatures for p in s.problems] + list(report.document.problems)
    if report.chain is not None:
        problems += report.chain.breaches
    if report.error:
        problems.append(report.error)
    return code, report.verdict.value, problems
