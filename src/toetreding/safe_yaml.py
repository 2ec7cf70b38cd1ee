"""YAML with limits: what a hostile or broken file can make the reader do is bounded.

Every YAML file toetreding reads (requests, covenants, authority files, batch files and
the configuration) comes through :func:`load_yaml`. PyYAML's ``safe_load`` is not enough:

* **Size.** A file is read with a bounded read (:mod:`toetreding.filelimits`); larger than
  :data:`MAX_YAML_BYTES` is refused, and so is anything that is not a regular file (a FIFO
  or device would block or never end).
* **Aliases.** ``*name`` repeats an anchored value; nine levels of nine aliases make a 1 KB
  file expand to hundreds of millions of values ("billion laughs"). We allow at most
  :data:`MAX_ALIASES` aliases, and :data:`MAX_NODES` values and :data:`MAX_TEXT` characters
  of text *after* expansion, counted while building, so nothing is expanded before it is
  counted. An alias inside the value
  it names (which never ends) is refused outright.
* **Depth.** PyYAML's composer recurses once per level, so ``[[[[…`` ten thousand deep
  crashes the interpreter's stack. We compose the node tree ourselves, iteratively, from
  the parser's event stream and refuse more than :data:`MAX_DEPTH` levels; the same limit
  holds for nesting reached through aliases.
* **Tags.** Only the tags the schema needs: text, whole and decimal numbers, true/false,
  null, lists and mappings (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!seq``, ``!!map``). ``!!binary`` would let a reviewer read base64 while the PDF says
  something else; ``!!timestamp``, ``!!set``, ``!!omap``, ``!!python/…`` and local tags
  (``!foo``) have no meaning here. Each is refused with what to write instead.
* **Merge keys** (``<<: *defaults``) are refused: they hide which keys a mapping really
  has from the person reviewing it. Write the keys out in full.
* **Characters.** The file must be UTF-8 (a byte-order mark is fine); other encodings,
  NUL bytes and other control characters (except tab, newline and carriage return) are
  reported with line and column before YAML sees them.
* **Numbers.** A number longer than :data:`MAX_NUMBER_LENGTH` characters is refused
  (Python refuses to convert very long digit strings, and YAML 1.1's base-60 numbers such
  as ``1:20:30`` grow without bound); quote it to keep it as text.

Every refusal is a :class:`~toetreding.errors.ValidationFailed` (or, for a file that cannot
be read at all, an :class:`~toetreding.errors.InputFileError`) located at
``file:line:column`` with a hint, so the CLI prints it and exits 1.

Implicit timestamps are switched off: dates stay strings until pydantic parses them, so
an impossible date such as 2019-02-30 becomes a located validation error.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .errors import InputFileError, Problem, ValidationFailed
from .filelimits import read_limited
from .i18n import _

MAX_YAML_BYTES = 2 * 1024 * 1024
"""A request, covenant, authority, batch or config file is a few kilobytes."""
MAX_DEPTH = 64
"""Lists and mappings inside each other; the deepest real file needs about six."""
MAX_ALIASES = 100
"""``*name`` references in one file; real files need none."""
MAX_NODES = 100_000
"""Values (texts, numbers, lists, mappings) in one file, aliases expanded."""
MAX_TEXT = 2 * MAX_YAML_BYTES
"""Characters of text in one file, aliases expanded: one long text repeated by a hundred
aliases would otherwise reach the typesetter as a hundred times the file."""
MAX_NUMBER_LENGTH = 100
"""Characters in a number; longer ones are codes that belong in quotes."""
MAX_PROBLEMS = 50
"""Problems listed before the reader stops; enough to fix a file in one round."""

KeyPath = tuple[str | int, ...]
Mark = Any
"""A position in the file: PyYAML's ``Mark`` or libyaml's own class (same fields)."""

_YAML = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_YAML + name for name in ("str", "int", "float", "bool", "null"))
SEQ, MAP, MERGE, VALUE = (_YAML + name for name in ("seq", "map", "merge", "value"))
_SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL})

_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""Characters YAML does not allow in a file (the same set PyYAML's reader refuses)."""
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_BOM = b"\xef\xbb\xbf"
_MAX_CHARACTER_PROBLEMS = 10


def format_key_path(key_path: KeyPath) -> str:
    """``('keten', 0, 'aan')`` → ``keten[0].aan``, as a user would write it."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class LoadedYaml:
    """Plain data from one YAML file, with where each key path sits and how it was written."""

    data: Any
    marks: dict[KeyPath, tuple[int, int]]
    sources: dict[KeyPath, str]


def load_yaml(path: Path) -> LoadedYaml | None:
    """Read one YAML file within the limits above; None when it holds no document."""
    raw = read_limited(
        path,
        limit=MAX_YAML_BYTES,
        what=_("YAML file"),
        missing_message=_("{path}: file not found").format(path=path),
        missing_hint=_("check the path; relative paths start at the file that names them"),
        size_hint=_(
            "a request, covenant, authority, batch or configuration file is a few "
            "kilobytes; check that this is the right file"
        ),
    )
    text = decode_utf8(raw, path)
    check_characters(text, path)
    composed = _Composer(path).compose(text)
    if composed is None:
        return None
    return _Builder(path, composed.alias_marks).build(composed.root)


# --- characters ------------------------------------------------------------------------


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``, counting line breaks as YAML does."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        start = match.end()
    return line, index - start + 1


def decode_utf8(raw: bytes, path: Path) -> str:
    """The text of a UTF-8 file (a byte-order mark is dropped); bad bytes located."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode("utf-8")
        line, column = position(before, len(before))
        utf16 = raw[:2] in (b"\xff\xfe", b"\xfe\xff")
        raise InputFileError(
            _("{path}:{line}:{column}: not UTF-8 text (byte 0x{byte})").format(
                path=path, line=line, column=column, byte=f"{raw[error.start]:02X}"
            ),
            hint=_("the file is saved as UTF-16; save it as UTF-8")
            if utf16
            else _("save the file as UTF-8 (in most editors: Save as… → Encoding: UTF-8)"),
        ) from None


def _describe_character(character: str) -> str:
    code = ord(character)
    if code == 0:
        return _("a NUL byte (U+0000)")
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return _("the control character U+{code}").format(code=f"{code:04X}")
    return _("the non-character U+{code}").format(code=f"{code:04X}")


def check_characters(text: str, path: Path) -> None:
    """Refuse NUL and other control characters (tab, newline and CR are fine), located."""
    problems = []
    for match in _NOT_PRINTABLE.finditer(text):
        line, column = position(text, match.start())
        problems.append(
            Problem(
                _("the file holds {character}, which is not text").format(
                    character=_describe_character(match.group())
                ),
                file=str(path),
                line=line,
                column=column,
                hint=_(
                    "remove it; invisible characters have no place in a statement "
                    "(was the file saved by a word processor, or damaged?)"
                ),
            )
        )
        if len(problems) == _MAX_CHARACTER_PROBLEMS:
            break
    if problems:
        raise ValidationFailed(problems)


# --- composing: events → node tree, iteratively, with limits ---------------------------


class _Resolver(yaml.resolver.Resolver):
    """The standard resolver without implicit timestamps (pydantic parses dates)."""


_Resolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _YAML + "timestamp"]
    for first, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}

_EventLoader: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
"""libyaml's parser when present (about a hundred times faster); only its events are used."""


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag


def _tag_problem(tag: str, kind: type[yaml.Node]) -> tuple[str, str] | None:
    """Why an explicit tag is refused and what to write instead; None when it is fine."""
    allowed = (
        _SCALAR_TAGS if kind is yaml.ScalarNode else {SEQ if kind is yaml.SequenceNode else MAP}
    )
    if tag in allowed:
        return None
    shown = _show_tag(tag)
    if tag == _YAML + "binary":
        return (
            _("{tag} (base64-encoded data) is not accepted").format(tag=shown),
            _(
                "write the text itself, not base64: a reviewer must be able to read what the "
                "statement will say"
            ),
        )
    if tag == _YAML + "timestamp":
        return (
            _("{tag} is not accepted").format(tag=shown),
            _("write the date without a tag, as YYYY-MM-DD"),
        )
    if tag in (_YAML + "set", _YAML + "omap", _YAML + "pairs"):
        return (
            _("{tag} is not accepted").format(tag=shown),
            _("write a plain list ('- item') or mapping ('key: value')"),
        )
    if tag.startswith(_YAML + "python/") or tag.startswith("!python/"):
        return (
            _("{tag} names program code, not data; it is refused").format(tag=shown),
            _("remove the tag"),
        )
    if tag in _SCALAR_TAGS | {SEQ, MAP}:
        return _("{tag} does not fit this value").format(tag=shown), _("remove the tag")
    return (
        _("unknown tag '{tag}'").format(tag=shown),
        _(
            "remove the tag; toetreding files hold plain text, numbers, true/false, lists and "
            "mappings"
        ),
    )


@dataclass
class _Open:
    node: yaml.SequenceNode | yaml.MappingNode
    anchor: str | None
    pending_key: yaml.Node | None = None


@dataclass
class _Composed:
    root: yaml.Node
    alias_marks: list[Mark]


@dataclass
class _Composer:
    """Builds PyYAML's node tree from parser events without recursion, within the limits."""

    path: Path
    problems: list[Problem] = field(default_factory=list)
    anchors: dict[str, yaml.Node] = field(default_factory=dict)
    stack: list[_Open] = field(default_factory=list)
    alias_marks: list[Mark] = field(default_factory=list)
    nodes: int = 0
    documents: int = 0
    root: yaml.Node | None = None
    resolver: _Resolver = field(default_factory=_Resolver)

    def compose(self, text: str) -> _Composed | None:
        """The single document's node tree (None when there is none)."""
        try:
            for event in self._events(text):
                self._take(event)
        except yaml.MarkedYAMLError as error:
            if "nesting depth" in (error.problem or ""):
                # PyYAML ≥ 6.0.4 has its own depth limit, which its scanner can reach (in a
                # run of '[') before our event count does: the same refusal, in our words
                self._too_deep(error.problem_mark)
            self._fail(
                _("YAML syntax error: {problem}").format(problem=error.problem),
                error.problem_mark,
                _(
                    "check indentation and quoting near this position; text with ':' or '#' "
                    "needs quotes"
                ),
            )
        except yaml.YAMLError as error:
            self._fail(
                _("YAML error: {error}").format(error=error),
                None,
                _("save the file as plain UTF-8 text"),
            )
        if self.problems:
            raise ValidationFailed(self.problems)
        return None if self.root is None else _Composed(self.root, self.alias_marks)

    @staticmethod
    def _events(text: str) -> Iterator[yaml.Event]:
        loader = _EventLoader(text)
        try:
            while loader.check_event():
                yield loader.get_event()
        finally:
            loader.dispose()

    def _too_deep(self, mark: Mark | None) -> NoReturn:
        self._fail(
            _("lists and mappings are nested more than {limit} levels deep here").format(
                limit=MAX_DEPTH
            ),
            mark,
            _(
                "toetreding files need a few levels; look for a run of '[' or '{' or "
                "indentation that keeps growing"
            ),
        )

    def _fail(self, message: str, mark: Mark | None, hint: str) -> NoReturn:
        """Stop: report ``message`` (after any problems found so far)."""
        self._note(message, mark, hint)
        raise ValidationFailed(self.problems)

    def _note(self, message: str, mark: Mark | None, hint: str) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        self.problems.append(
            Problem(message, file=str(self.path), line=line, column=column, hint=hint)
        )
        if len(self.problems) >= MAX_PROBLEMS:
            self.problems.append(
                Problem(_("more problems follow; fix these first"), file=str(self.path))
            )
            raise ValidationFailed(self.problems)

    def _take(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._fail(
                    _("the file holds more than one YAML document ('---' starts another here)"),
                    event.start_mark,
                    _(
                        "keep one document per file: remove this '---' and what follows it, or "
                        "move that to a file of its own"
                    ),
                )
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            self._open(event)
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            self.stack.pop().node.end_mark = event.end_mark

    def _count(self, event: yaml.NodeEvent) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self._fail(
                _("the file holds more than {limit} values").format(limit=f"{MAX_NODES:,}"),
                event.start_mark,
                _(
                    "a request, covenant, authority, batch or configuration file holds far "
                    "fewer; check that this is the right file"
                ),
            )

    def _alias(self, event: yaml.AliasEvent) -> None:
        self._count(event)
        name = str(event.anchor)
        self.alias_marks.append(event.start_mark)
        if len(self.alias_marks) > MAX_ALIASES:
            self._fail(
                _("the file uses more than {limit} aliases (*name)").format(limit=MAX_ALIASES),
                event.start_mark,
                _("write the values out; toetreding files do not need aliases"),
            )
        if any(entry.anchor == name for entry in self.stack):
            self._fail(
                _(
                    "alias *{name} is inside the value it refers to (&{name}), so it never ends"
                ).format(name=name),
                event.start_mark,
                _("write the value out instead of referring to it"),
            )
        node = self.anchors.get(name)
        if node is None:
            self._fail(
                _("alias *{name} refers to no anchor &{name} defined before it").format(name=name),
                event.start_mark,
                _("define '&{name}' earlier in the file, or write the value out").format(name=name),
            )
        self._attach(node, event.start_mark)

    def _anchor(self, anchor: str | None, node: yaml.Node, mark: Mark) -> None:
        if anchor is None:
            return
        first = self.anchors.get(anchor)
        if first is not None:
            self._note(
                _(
                    "anchor &{anchor} is defined twice (first at line {line}, column {column})"
                ).format(
                    anchor=anchor,
                    line=first.start_mark.line + 1,
                    column=first.start_mark.column + 1,
                ),
                mark,
                _("give each anchor its own name"),
            )
        self.anchors[anchor] = node

    def _tag(self, event: yaml.NodeEvent, kind: type[yaml.Node], tag: str | None) -> None:
        if tag is None or tag == "!":
            return
        refused = _tag_problem(tag, kind)
        if refused is not None:
            self._note(refused[0], event.start_mark, refused[1])

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        self._count(event)
        self._tag(event, yaml.ScalarNode, event.tag)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.resolver.resolve(  # type: ignore[no-untyped-call]
                yaml.ScalarNode, event.value, event.implicit
            )
        start: Mark = event.start_mark
        end: Mark = event.end_mark
        node = yaml.ScalarNode(tag, event.value, start, end, event.style)
        self._anchor(event.anchor, node, start)
        self._attach(node, start)

    def _open(self, event: yaml.SequenceStartEvent | yaml.MappingStartEvent) -> None:
        self._count(event)
        if len(self.stack) >= MAX_DEPTH:
            self._too_deep(event.start_mark)
        node: yaml.SequenceNode | yaml.MappingNode
        start: Mark = event.start_mark
        if isinstance(event, yaml.SequenceStartEvent):
            self._tag(event, yaml.SequenceNode, event.tag)
            node = yaml.SequenceNode(SEQ, [], start, None, event.flow_style)
        else:
            self._tag(event, yaml.MappingNode, event.tag)
            node = yaml.MappingNode(MAP, [], start, None, event.flow_style)
        self._anchor(event.anchor, node, start)
        self._attach(node, start)
        self.stack.append(_Open(node, event.anchor))

    def _attach(self, node: yaml.Node, mark: Mark) -> None:
        """Put ``node`` (which starts at ``mark``, where an alias stands) into its parent."""
        if not self.stack:
            self.root = node
            return
        parent = self.stack[-1]
        if isinstance(parent.node, yaml.SequenceNode):
            parent.node.value.append(node)
        elif parent.pending_key is None:
            if not isinstance(node, yaml.ScalarNode):
                self._note(
                    _("a key must be a word or text, not a list or mapping"),
                    mark,
                    _("write 'key: value'; keys that are lists or mappings ('? ...') are not used"),
                )
            parent.pending_key = node
        else:
            parent.node.value.append((parent.pending_key, node))
            parent.pending_key = None


# --- building: node tree → plain data, aliases expanded and counted --------------------


class _Stop(Exception):
    """A limit was reached while building; the problems so far are reported."""


@dataclass
class _Builder:
    """Plain Python data from the node tree, recording positions and problems."""

    path: Path
    alias_marks: list[Mark]
    marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    sources: dict[KeyPath, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    built: int = 0
    characters: int = 0
    constructor: yaml.constructor.SafeConstructor = field(
        default_factory=yaml.constructor.SafeConstructor
    )

    def build(self, root: yaml.Node) -> LoadedYaml:
        """Everything in ``root``, or every problem found in it."""
        data = None
        with contextlib.suppress(_Stop):  # the problems that stopped it are reported below
            data = self._node(root, ())
        if self.problems:
            raise ValidationFailed(self.problems)
        return LoadedYaml(data=data, marks=self.marks, sources=self.sources)

    def _problem(
        self,
        message: str,
        mark: Mark | None,
        hint: str | None,
        key_path: KeyPath = (),
    ) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        self.problems.append(
            Problem(
                message,
                file=str(self.path),
                line=line,
                column=column,
                key_path=format_key_path(key_path) or None,
                hint=hint,
            )
        )
        if len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def _stop(self, message: str, hint: str, key_path: KeyPath) -> _Stop:
        first_alias = self.alias_marks[0] if self.alias_marks else None
        self._problem(message, first_alias, hint, key_path)
        return _Stop()

    def _node(self, node: yaml.Node, key_path: KeyPath) -> Any:
        self.built += 1
        if self.built > MAX_NODES:
            raise self._stop(
                _(
                    "the aliases (*name) in this file expand to more than {limit} values "
                    "(the first alias is here)"
                ).format(limit=f"{MAX_NODES:,}"),
                _(
                    "write the values out; a few aliases nested in each other can make a small "
                    "file fill all memory"
                ),
                (),
            )
        if len(key_path) > MAX_DEPTH:
            raise self._stop(
                _(
                    "through aliases, lists and mappings nest more than {limit} levels deep "
                    "(the first alias is here)"
                ).format(limit=MAX_DEPTH),
                _("write the values out instead of referring to them"),
                (),
            )
        self.marks[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            return [self._node(item, (*key_path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            self._count_text(node)
            self.sources[key_path] = str(node.value)
            return self._scalar(node, key_path)
        raise TypeError(f"unknown YAML node {node!r}")  # the composer makes only these three

    def _count_text(self, node: yaml.ScalarNode) -> None:
        self.characters += len(node.value)
        if self.characters > MAX_TEXT:
            raise self._stop(
                _(
                    "the aliases (*name) in this file expand to more than {limit} characters "
                    "of text (the first alias is here)"
                ).format(limit=f"{MAX_TEXT:,}"),
                _("write the text out once, where it is needed"),
                (),
            )

    def _mapping(self, node: yaml.MappingNode, key_path: KeyPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node, key_path)
            if key is None:
                continue
            if key in result:
                self._problem(
                    _("key '{key}' appears twice in the same mapping").format(key=key),
                    key_node.start_mark,
                    _("keep one of them; YAML would silently use the last"),
                    (*key_path, key),
                )
            child_path = (*key_path, key)
            result[key] = self._node(value_node, child_path)
            # point errors about a key at the key itself, not at its value
            self.marks[child_path] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return result

    def _key(self, key_node: yaml.Node, key_path: KeyPath) -> str | int | None:
        """A mapping key as text or a whole number; None (reported) when it is not."""
        if not isinstance(key_node, yaml.ScalarNode):
            return None  # the composer reported it, where the key stands
        if key_node.tag == MERGE:
            self._problem(
                _("merge keys ('<<') are not supported"),
                key_node.start_mark,
                _("write the keys out in full where they are needed"),
                key_path,
            )
            return None
        key = self._scalar(key_node, key_path)
        return key if isinstance(key, (str, int)) and not isinstance(key, bool) else str(key)

    def _scalar(self, node: yaml.ScalarNode, key_path: KeyPath) -> Any:
        value = str(node.value)
        tag = node.tag
        if tag in (STR, MERGE, VALUE):
            return value
        if tag not in _SCALAR_TAGS:
            return None  # an explicit tag the composer already refused
        if tag in (INT, FLOAT) and len(value) > MAX_NUMBER_LENGTH:
            self._problem(
                _("a number of {length} characters is too long").format(length=len(value)),
                node.start_mark,
                _("if it is a code or reference, put it in quotes so it stays text"),
                key_path,
            )
            return None
        try:
            return self._construct(tag, node)
        except (ValueError, KeyError, yaml.YAMLError):
            self._problem(
                _what_tag_means(tag).format(value=value, tag=_show_tag(tag)),
                node.start_mark,
                _("remove the tag, or write a value of that kind"),
                key_path,
            )
            return None

    def _construct(self, tag: str, node: yaml.ScalarNode) -> Any:
        if tag == NULL:
            if node.value not in ("", "~", "null", "Null", "NULL"):
                raise ValueError(node.value)
            return None
        if tag == BOOL:
            return self.constructor.construct_yaml_bool(node)
        if tag == INT:
            return self.constructor.construct_yaml_int(node)
        return self.constructor.construct_yaml_float(node)


def _what_tag_means(tag: str) -> str:
    """The sentence for a value that does not fit its tag, with ``{value}`` and ``{tag}``."""
    if tag == NULL:
        return _("'{value}' is not empty (null) (it is tagged {tag})")
    if tag == BOOL:
        return _("'{value}' is not true or false (it is tagged {tag})")
    if tag == INT:
        return _("'{value}' is not a whole number (it is tagged {tag})")
    return _("'{value}' is not a number (it is tagged {tag})")
