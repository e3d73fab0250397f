"""Photos and audio for inspections, rectifications and visits: typed by content (like complaints/evidence.py),
size-limited, stored under a random name in the private default storage and served only by access-checked views."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from complaints.evidence import sniff as sniff_document
from lib.errors import ServiceError

MAX_BYTES = 10 * 1024 * 1024
MAX_AUDIO_BYTES = 30 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def sniff_audio(head: bytes) -> tuple[str, str] | None:
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg", "mp3"
    if head[4:8] == b"ftyp":
        return "audio/mp4", "m4a"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav", "wav"
    if head[:4] == b"OggS":
        return "audio/ogg", "ogg"
    if head[:6] == b"#!AMR\n":
        return "audio/amr", "amr"
    return None


@dataclass
class CheckedFile:
    upload: object
    content_type: str
    ext: str
    size: int
    sha256: str

    @property
    def kind(self) -> str:
        return "audio" if self.content_type.startswith("audio/") else "photo"

    @property
    def storage_name(self) -> str:
        return f"{uuid.uuid4().hex}.{self.ext}"


def check_file(upload, *, field: str, audio: bool = False) -> CheckedFile:
    """A photo (or, with ``audio``, a recording); anything else is refused before anything is written."""
    size = getattr(upload, "size", None)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff_document(head)
    if found is not None and found[0] not in IMAGE_TYPES:
        found = None
    if found is None and audio:
        found = sniff_audio(head)
    if found is None:
        message = (
            _("文件类型不支持，仅接受照片（JPG/PNG/GIF/WEBP）或录音（MP3/M4A/WAV/OGG/AMR）")
            if audio
            else _("文件类型不支持，仅接受照片（JPG/PNG/GIF/WEBP）")
        )
        raise ServiceError("file_type", message, field=field)
    limit = MAX_AUDIO_BYTES if found[0].startswith("audio/") else MAX_BYTES
    if size is None or size > limit:
        raise ServiceError("file_too_large", _("文件过大，请压缩后重新上传"), field=field)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(upload, found[0], found[1], size, digest.hexdigest())


def save_to(field_file, checked: CheckedFile) -> None:
    """Write the checked upload into a FileField under a random name (the original name may carry PI)."""
    field_file.save(checked.storage_name, checked.upload, save=False)
