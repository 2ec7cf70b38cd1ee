"""Minimal reproduction for the Typst / typst-py maintainers: a reused `typst.Compiler`
can write a wrong text layer (ToUnicode) for glyphs it laid out in an earlier document.

Nothing of toetreding is used: plain Typst source, typst-py, and poppler's `pdftotext`
as the independent reader. Each round compiles documents whose only content is a line
of random Latin-1 / Latin Extended-A text, once with one compiler reused for every
document and once with a fresh compiler per document (both sharing one `typst.Fonts`),
and compares the text poppler reads back with the text that was typeset.

    python bench/typst_reused_compiler.py            # 300 documents per mode
    python bench/typst_reused_compiler.py --count 1000 --seed 7

Seen on 2026-12-01 with typst-py 0.15.2: see bench/README.md for the outcome. In
toetreding the property-based test tests/test_escaping.py found it; the renderer uses a
fresh compiler per document for this reason (src/toetreding/render/typesetter.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
from pathlib import Path

ALPHABET = [
    chr(c)
    for c in range(0x20, 0x180)
    if c not in (0x7F, 0xA0, 0xAD) and not (0x80 <= c < 0xA0) and chr(c).isprintable()
]
SPECIAL = set('#*$<>@_`[]{}\\"/=-+~;')


def random_line(rng: random.Random) -> str:
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(4, 24))).strip()
    return "".join(c for c in text if c not in SPECIAL) or "x"


def source_for(line: str) -> str:
    literal = line.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'#set page(width: 12cm, height: 4cm)\n#set text(font: "Libertinus Serif")\n#"{literal}"\n'
    )


def read_back(pdf: bytes, folder: Path) -> str:
    path = folder / "doc.pdf"
    path.write_bytes(pdf)
    shown = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return "".join(shown.stdout.decode("utf-8").split())


def run(count: int, seed: int, reuse: bool) -> list[tuple[str, str]]:
    import typst

    rng = random.Random(seed)
    wrong: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        main = folder / "main.typ"
        fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True)
        reused = typst.Compiler(root=str(folder), font_paths=fonts, ignore_system_fonts=True)
        for _ in range(count):
            line = random_line(rng)
            main.write_text(source_for(line), encoding="utf-8")
            compiler = (
                reused
                if reuse
                else typst.Compiler(root=str(folder), font_paths=fonts, ignore_system_fonts=True)
            )
            pdf = compiler.compile(input=str(main), format="pdf")
            shown = read_back(pdf, folder)
            if shown != "".join(line.split()):
                wrong.append((line, shown))
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("pdftotext") is None:
        raise SystemExit("needs poppler-utils (pdftotext)")
    for reuse in (True, False):
        wrong = run(args.count, args.seed, reuse)
        mode = "one reused compiler" if reuse else "a fresh compiler each"
        print(f"{mode:22s}: {len(wrong)} of {args.count} documents read back wrong")
        for typeset, shown in wrong[:5]:
            print(f"    typeset {typeset!r}, read back {shown!r}")


if __name__ == "__main__":
    main()
