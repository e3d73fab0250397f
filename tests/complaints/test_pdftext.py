"""The tests' PDF reader reads a stream by its /Length: compressed bytes may end in CR or hold "endstream".

The poster test (ENV-3) once read streams up to the next "\\r?\\nendstream"; on 2026-12-03 the announcement's effective
time made the compressed page end in a CR byte, the reader dropped it, and CI failed on a correct poster."""

from __future__ import annotations

import zlib

from tests.complaints.pdftext import pdf_operators


def _pdf_with_stream(data: bytes) -> bytes:
    raw = zlib.compress(data)
    return (
        b"%PDF-1.3\n1 0 obj\n<</Filter /FlateDecode /Length "
        + str(len(raw)).encode()
        + b">>\nstream\n"
        + raw
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def _ending_in_cr() -> bytes:
    for n in range(100_000):
        data = f"0.7843 0.0627 0.1804 rg BT ({n:x} {n * 7919}) Tj ET".encode()
        if zlib.compress(data).endswith(b"\r"):
            return data
    raise AssertionError("no sample found")


def test_a_stream_whose_compressed_bytes_end_in_cr_is_read():
    data = _ending_in_cr()
    assert "0.7843 0.0627 0.1804 rg" in pdf_operators(_pdf_with_stream(data))


def test_a_stream_whose_bytes_hold_endstream_is_read_whole():
    data = b"BT (a) Tj ET\nendstream\n1 0 0 rg"
    pdf = _pdf_with_stream(data).replace(b"/FlateDecode ", b"").replace(zlib.compress(data), data)
    pdf = pdf.replace(
        b"/Length " + str(len(zlib.compress(data))).encode(), b"/Length " + str(len(data)).encode()
    )
    assert "1 0 0 rg" in pdf_operators(pdf)
