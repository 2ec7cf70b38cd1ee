"""Which files a command may write: never the workspace's evidence, keys or settings.

One mistyped ``-o`` must not destroy the register, a private key or the configuration.
Every command that writes a file asks :func:`guard_output` first, which refuses, before
anything is read or any PIN is asked:

- an output whose name does not end as that kind of output must (a signed statement is a
  ``.pdf``; ``-o toetreding-register.sqlite`` or ``-o toetreding.yaml`` is a typo);
- an output that *is* a protected workspace file or an input of this command — compared by
  resolved path (symlinks) and by file identity (hard links, and names that differ only in
  case on a case-insensitive file system);
- an output that already exists, unless the user said ``--overwrite`` (an earlier output
  may be replaced only on purpose).

Protected are: the configuration file, the register and everything SQLite keeps beside it
(head, WAL, shared memory, journal), every key store, secret file, certificate, trust root,
CRL and PKCS#12/PKCS#11 file the signing section names, the demo timestamp authority, the
logo, the font folder's files and the templates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import OutputError
from .fileio import same_file
from .i18n import N_, _

MAX_NAME_BYTES = 255
"""What common file systems allow per name (the temporary file adds a little)."""
_REGISTER_COMPANIONS = (".head", "-wal", "-shm", "-journal")
_MAX_PROTECTED_TREE = 10_000
"""Files looked at per protected folder (templates, fonts); a folder larger is not ours."""


@dataclass(frozen=True)
class OutputKind:
    """What a command writes, and the file name endings that fit it."""

    description: str
    """What the output is, in English (marked with ``N_``); translated where it is shown."""
    suffixes: tuple[str, ...]

    def fits(self, path: Path) -> bool:
        """Whether the file name ends as this kind of output must."""
        return path.name.lower().endswith(self.suffixes)


PDF = OutputKind(N_("a PDF"), (".pdf",))
PNG = OutputKind(N_("a PNG image"), (".png",))
EXPORT = OutputKind(N_("an export"), (".jsonl", ".json", ".csv", ".xml"))
HTML = OutputKind(N_("an HTML page"), (".html", ".htm"))
CSV = OutputKind(N_("a CSV table"), (".csv",))
TEXT = OutputKind(N_("a text file"), (".txt",))


def protected_files(settings: Settings) -> list[Path]:
    """Every workspace file that no command may write over."""
    found: list[Path] = []
    if settings.config_path is not None:
        found.append(settings.config_path)
    if settings.register is not None:
        found.append(settings.register)
        found += [
            settings.register.with_name(settings.register.name + s) for s in _REGISTER_COMPANIONS
        ]
    signing = settings.signing
    found += [*signing.trust_roots, *signing.crls]
    if signing.tsa is not None and signing.tsa.startswith("demo:"):
        found.append(Path(signing.tsa.removeprefix("demo:")))
    for profile in signing.signers.values():
        named = [profile.pkcs12, profile.secret_file, *profile.intermediates]
        if profile.pkcs11 is not None:
            named.append(profile.pkcs11.module)
        found += [signing.path(value) for value in named if value]
    if settings.logo is not None:
        found.append(settings.logo)
    for folder in (settings.font_dir, settings.templates_dir):
        if folder is not None:
            found += list(_files_under(folder))
    return found


def _files_under(folder: Path) -> Iterator[Path]:
    """Files in a folder tree (not following links out of it), up to a sane number."""
    count = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            count += 1
            if count > _MAX_PROTECTED_TREE:
                return
            yield Path(root) / name


def guard_output(
    output: Path,
    kind: OutputKind,
    settings: Settings | None,
    *,
    inputs: Iterable[Path] = (),
    overwrite: bool = False,
    option: str = "-o",
) -> None:
    """Refuse an output that would destroy a workspace file, an input, or an earlier output."""
    if len(output.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES - len(".part") - 12:
        raise OutputError(
            _("{option} '{name}…' is too long a file name").format(
                option=option, name=output.name[:40]
            ),
            hint=_("give a shorter name (file systems allow at most 255 bytes)"),
        )
    if not kind.fits(output):
        endings = _(" or ").join(kind.suffixes)
        raise OutputError(
            _("{option} '{path}' does not end in {endings}; the output is {kind}").format(
                option=option, path=output, endings=endings, kind=_(kind.description)
            ),
            hint=_("give a name ending in {suffix}, e.g. {option} verklaring{suffix}").format(
                suffix=kind.suffixes[0], option=option
            ),
        )
    protected = protected_files(settings) if settings is not None else []
    for source in inputs:
        if same_file(output, source):
            raise OutputError(
                _("{option} '{path}' is also the input; the input is never overwritten").format(
                    option=option, path=output
                ),
                hint=_("choose another output name"),
            )
    for path in protected:
        if same_file(output, path):
            raise OutputError(
                _(
                    "{option} '{path}' is a protected workspace file ({name}); "
                    "no command writes over the register, keys, secrets, certificates, "
                    "configuration or templates"
                ).format(option=option, path=output, name=path.name),
                hint=_("choose another output name"),
            )
    if (output.exists() or output.is_symlink()) and not overwrite:
        raise OutputError(
            _("{option} '{path}' already exists").format(option=option, path=output),
            hint=_("choose another name, or add --overwrite to replace an earlier output"),
        )
    if overwrite and output.is_file() and not output.is_symlink():
        kept = _evidence(output)
        if kept is not None:
            raise OutputError(
                _(
                    "{option} '{path}' is {what}; --overwrite replaces an earlier output, "
                    "never evidence"
                ).format(option=option, path=output, what=_(kept)),
                hint=_("choose another output name (to replace it on purpose, move it away first)"),
            )


ROUND_FILE = "ronde.json"
"""Beside every party's files in a round (round/files.py)."""
ROUND_MANIFEST = "manifest.json"
"""At the top of a round's folder (batch/manifest.py)."""
ROUND_SUMMARY = "overzicht.csv"
"""Beside it (batch/run.py); anything else at the top (a status page) is the user's."""
PACKAGE_MANIFEST = "manifest-sha256.txt"
"""In every archive package (archive/package.py)."""
_SCAN_CHUNK = 1 << 20


def _evidence(existing: Path) -> str | None:
    """Why an existing file may not be replaced even with --overwrite, or None.

    A signed PDF (a party's or coordinator's act: no command can make it again), a file of
    a coordinator's round (its statements, returns, consents and manifest) and a file of an
    archive package (its manifest vouches for every byte). Found in review: `render -o` on
    the signed, consented original replaced it with a blank statement, exit 0.
    """
    folders = [existing.parent, *list(existing.parent.parents)[:3]]
    if any((folder / PACKAGE_MANIFEST).is_file() for folder in folders[:3]):
        return N_("a file of an archive package")
    round_top = (existing.parent / ROUND_MANIFEST).is_file() and existing.name in (
        ROUND_MANIFEST,
        ROUND_SUMMARY,
    )
    if round_top or any((folder / ROUND_FILE).is_file() for folder in folders[:3]):
        return N_("a file of a coordinator's round")
    if existing.suffix.lower() == ".pdf" and _holds_signature(existing):
        return N_("a signed PDF")
    return None


def _holds_signature(path: Path) -> bool:
    """Whether the file carries a signature dictionary (its /ByteRange), read in pieces."""
    try:
        with path.open("rb") as stream:
            tail = b""
            while chunk := stream.read(_SCAN_CHUNK):
                if b"/ByteRange" in tail + chunk:
                    return True
                tail = chunk[-16:]
    except OSError:
        return False
    return False
