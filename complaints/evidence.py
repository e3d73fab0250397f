"""Evidence files (CMP-1: business receipts, call screenshots): type by content, size limit, private storage."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from lib.errors import ServiceError

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10

# The type is what the bytes say, never what the name or the browser claims.
_SIGNATURES: list[tuple[bytes, int, str, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"%PDF-", 0, "application/pdf", "pdf"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, offset, content_type, ext in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return content_type, ext
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


@dataclass
class CheckedFile:
    upload: object  # django UploadedFile
    content_type: str
    ext: str
    size: int
    sha256: str
    original_name: str

    @property
    def storage_name(self) -> str:
        # A random name: the original may carry a person's name or number (BIZ-3), so it stays encrypted in the row.
        return f"{uuid.uuid4().hex}.{self.ext}"


def check_files(files) -> list[CheckedFile]:
    """Validate every file before anything is written, so a bad file leaves nothing half-saved."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_FILES:
        raise ServiceError(
            "too_many_files", _("一次最多上传%(n)d个证据文件") % {"n": MAX_FILES}, field="evidence"
        )
    checked = []
    for upload in files:
        name = getattr(upload, "name", "") or ""
        size = getattr(upload, "size", None)
        if size is None or size > MAX_BYTES:
            raise ServiceError(
                "file_too_large",
                _("证据文件「%(name)s」超过10MB，请压缩后重新上传") % {"name": name[-40:]},
                field="evidence",
            )
        upload.seek(0)
        head = upload.read(16)
        found = sniff(head)
        if found is None:
            raise ServiceError(
                "file_type",
                _("证据文件「%(name)s」类型不支持，仅接受图片（JPG/PNG/GIF/WEBP）或PDF")
                % {"name": name[-40:]},
                field="evidence",
            )
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        checked.append(CheckedFile(upload, found[0], found[1], size, digest.hexdigest(), name[-200:]))
    return checked
