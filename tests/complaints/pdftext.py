"""A small PDF reader for tests: the text fpdf2 drew (through the ToUnicode map) and the embedded font."""

from __future__ import annotations

import re
import zlib
from io import BytesIO

# A stream's own dictionary (no nested << >> in what fpdf2 writes) and its /Length: the data is read by length, not
# up to the next "endstream" (compressed bytes may hold anything), and a header never runs into the object before.
_STREAM = re.compile(rb"<<((?:(?!<<|>>).)*?/Length (\d+)(?:(?!<<|>>).)*?)>>\s*stream\r?\n", re.S)


def _streams(pdf: bytes):
    for m in _STREAM.finditer(pdf):
        header, raw = m.group(1), pdf[m.end() : m.end() + int(m.group(2))]
        data = zlib.decompress(raw) if b"/FlateDecode" in header else raw
        yield header, data


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(literal):
        ch = literal[i]
        if ch == 0x5C:  # backslash
            nxt = literal[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
            elif 0x30 <= nxt <= 0x37:
                m = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
                out.append(int(m.group(0), 8))
                i += 1 + len(m.group(0))
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(ch)
            i += 1
    return bytes(out)


def pdf_text(pdf: bytes) -> str:
    """Every string shown with Tj, decoded through the font's ToUnicode CMap."""
    cmap: dict[int, str] = {}
    contents = []
    for _header, data in _streams(pdf):
        if b"beginbfchar" in data:
            for src, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", data.split(b"endcodespacerange")[-1]
            ):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        elif b"Tj" in data:
            contents.append(data)
    lines = []
    for data in contents:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data, re.S):
            raw = _unescape(literal)
            lines.append(
                "".join(
                    cmap.get(int.from_bytes(raw[i : i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2)
                )
            )
    return "\n".join(lines)


def pdf_operators(pdf: bytes) -> str:
    """Every stream's bytes (inflated), as latin-1 text: to look for drawing operators such as a fill colour."""
    return "\n".join(data.decode("latin-1") for _header, data in _streams(pdf))


def embedded_font(pdf: bytes):
    """The embedded TrueType program (fontTools TTFont), or None."""
    from fontTools.ttLib import TTFont

    for header, data in _streams(pdf):
        if b"/Length1" in header:
            return TTFont(BytesIO(data))
    return None
