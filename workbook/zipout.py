"""Writing a package: every member of the master copied raw, changed parts written anew.

`write_zip` streams the master's members in their order into the new file, copying each
unchanged member's compressed bytes as they are (no recompression, so the CRC and bytes of
every part we do not own stay identical) and writing new content for the parts in
`new_parts`; parts named in `removed` are left out, parts not in the master are appended.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path
from typing import Any

from workbook.ooxml import Package, open_zip

NEW_PART_TIME = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")
_DATA_DESCRIPTOR_FLAG = 0x08
_COPY_CHUNK = 1 << 20


def copy_raw(raw: Any, info: zipfile.ZipInfo, out: zipfile.ZipFile) -> None:
    """Copy one member's compressed bytes unchanged into `out` (no recompression).

    Uses ZipFile's own bookkeeping (fp, filelist, start_dir): stable since Python 3.6.
    """
    raw.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(raw.read(_LOCAL_HEADER.size))
    if fields[0] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    raw.seek(fields[10] + fields[11], 1)
    clone = zipfile.ZipInfo(info.filename, info.date_time)
    clone.compress_type, clone.CRC = info.compress_type, info.CRC
    clone.compress_size, clone.file_size = info.compress_size, info.file_size
    clone.external_attr, clone.create_system = info.external_attr, info.create_system
    clone.flag_bits = info.flag_bits & ~_DATA_DESCRIPTOR_FLAG
    clone.header_offset = out.fp.tell()
    zip64 = clone.file_size > zipfile.ZIP64_LIMIT or clone.compress_size > zipfile.ZIP64_LIMIT
    out.fp.write(clone.FileHeader(zip64))
    remaining = info.compress_size
    while remaining:
        chunk = raw.read(min(_COPY_CHUNK, remaining))
        if not chunk:
            raise zipfile.BadZipFile(f"truncated member {info.filename}")
        out.fp.write(chunk)
        remaining -= len(chunk)
    out.filelist.append(clone)
    out.NameToInfo[clone.filename] = clone
    out.start_dir = out.fp.tell()
    out._didModify = True


def write_member(out: zipfile.ZipFile, name: str, data: bytes, like: zipfile.ZipInfo | None) -> None:
    """Write new content for a part, compressed like the member it replaces (or deflated)."""
    info = zipfile.ZipInfo(name, like.date_time if like else NEW_PART_TIME)
    method = like.compress_type if like else zipfile.ZIP_DEFLATED
    info.compress_type = method if method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    out.writestr(info, data)


def write_zip(src_path: Path, pkg: Package, dst_path: Path, new_parts: dict[str, bytes],
              removed: set[str] | frozenset[str] = frozenset()) -> None:
    """The master's members in their order (raw-copied unless changed or removed), then new parts."""
    pending = dict(new_parts)
    with open(src_path, "rb") as raw, zipfile.ZipFile(dst_path, "w") as out:
        for info in pkg.zip.infolist():
            if info.filename in pending:
                write_member(out, info.filename, pending.pop(info.filename), info)
            elif info.filename not in removed:
                copy_raw(raw, info, out)
        for name, data in pending.items():
            write_member(out, name, data, None)


def copy_package(src_path: str | Path, dst_path: str | Path, new_parts: dict[str, bytes]) -> None:
    """Copy the package at `src_path` to `dst_path`: every member raw, in its order, except
    the existing parts named in `new_parts`, which get that content.

    For writers that edit one part by text surgery (workbook.append). A name that is not a
    part of the package is a ValueError: this never adds or removes parts.
    """
    src, dst = Path(src_path), Path(dst_path)
    with open_zip(src) as zf:
        pkg = Package(zf)
        unknown = sorted(set(new_parts) - set(pkg.infos))
        if unknown:
            raise ValueError(f"copy_package only replaces existing parts; not in the package: {unknown}")
        try:
            write_zip(src, pkg, dst, new_parts)
        except BaseException:
            dst.unlink(missing_ok=True)
            raise
