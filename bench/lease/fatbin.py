"""List, or prune to one GPU architecture, the ``.nv_fatbin`` section of an ELF shared object.

``build_whl.sh`` uses it to cut PyPI's CUDA xgboost wheel down to its sm_90 cubins (H100, H200)
so that the wheel fits in what travels to the lent GPU machine. Run::

    python3 bench/lease/fatbin.py list LIB.so
    python3 bench/lease/fatbin.py prune LIB.so [ARCH] [OUT.so]

``list`` prints the fatbins and the bytes per (kind, architecture, flags). ``prune`` prints the
same, then keeps in every fatbin only its ELF for ``ARCH`` (90 unless given), zero-filling the
rest in place so that no offset moves, and writes ``OUT.so`` (``LIB.so`` itself unless given).
It stops with an error if a fatbin has no ELF for ``ARCH``. Needs ``readelf`` (binutils).
"""

from __future__ import annotations

import collections
import struct
import subprocess
import sys
from pathlib import Path

MAGIC = 0xBA55ED50
"""The first four bytes of every fatbin's header."""

Entry = dict[str, int]
"""One entry of a fatbin: its offset, sizes, kind (1 PTX, 2 ELF), architecture and flags."""


def section(path: str, name: str) -> tuple[int, int]:
    """The file offset and size of section ``name`` of the ELF file at ``path``."""
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 5 and parts[1] == name:
            return int(parts[4], 16), int(parts[5], 16)
    raise SystemExit(f"no {name}")


def entries(buf: bytearray, start: int) -> tuple[int, int, int, list[Entry]]:
    """The header size, body size, end and entries of the fatbin at offset ``start``."""
    magic, _version, hsize, fsize = struct.unpack_from("<IHHQ", buf, start)
    assert magic == MAGIC, hex(magic)
    pos = start + hsize
    end = pos + fsize
    out = []
    while pos < end:
        kind, _unk1, ehsize, psize = struct.unpack_from("<HHIQ", buf, pos)
        if ehsize == 0:
            break
        csize, _unk2, minor, major, arch, noff, nlen, flags, _zero, dsize = struct.unpack_from(
            "<IIHHIIIQQQ", buf, pos + 16
        )
        out.append(
            {
                "pos": pos,
                "kind": kind,
                "hsize": ehsize,
                "psize": psize,
                "arch": arch,
                "flags": flags,
                "csize": csize,
                "dsize": dsize,
                "major": major,
                "minor": minor,
                "noff": noff,
                "nlen": nlen,
            }
        )
        pos += ehsize + psize
    return hsize, fsize, end, out


def walk(buf: bytearray, off: int, size: int) -> list[tuple[int, int, int, list[Entry]]]:
    """Every fatbin in the ``size`` bytes at ``off``: its offset, header size, body size, entries.

    Between fatbins the scan steps to the next 8-byte boundary until it meets ``MAGIC``.
    """
    pos = off
    fatbins = []
    while pos < off + size:
        if struct.unpack_from("<I", buf, pos)[0] != MAGIC:
            pos += 8 - (pos % 8) if pos % 8 else 8
            continue
        hsize, fsize, end, ents = entries(buf, pos)
        fatbins.append((pos, hsize, fsize, ents))
        pos = end
    return fatbins


def kind_name(kind: int) -> str | int:
    """``PTX`` or ``ELF`` for the entry kinds known, else the number itself."""
    return "PTX" if kind == 1 else "ELF" if kind == 2 else kind


def main(argv: list[str] | None = None) -> None:
    """``fatbin.py list|prune PATH [ARCH] [OUT]`` (see the module's docstring)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) < 2:
        raise SystemExit("usage: fatbin.py list|prune PATH [ARCH] [OUT]")
    mode, path = args[0], args[1]
    keep = int(args[2]) if len(args) > 2 else 90
    data = bytearray(Path(path).read_bytes())
    off, size = section(path, ".nv_fatbin")
    fatbins = walk(data, off, size)
    tally: collections.Counter[tuple[str | int, int, str]] = collections.Counter()
    for _start, _hsize, _fsize, ents in fatbins:
        for e in ents:
            tally[(kind_name(e["kind"]), e["arch"], hex(e["flags"]))] += e["psize"] + e["hsize"]
    print(len(fatbins), "fatbins in", size, "bytes; covered", sum(h + f for _, h, f, _ in fatbins))
    for k, v in sorted(tally.items(), key=lambda kv: str(kv[0])):
        print(k, v)
    if mode != "prune":
        return
    kept_total = 0
    for start, hsize, fsize, ents in fatbins:
        keep_ents = [e for e in ents if e["kind"] == 2 and e["arch"] == keep]
        if not keep_ents:
            found = [(e["kind"], e["arch"]) for e in ents]
            raise SystemExit(f"fatbin at {start:#x} has no sm_{keep} ELF: {found}")
        blob = b"".join(
            bytes(data[e["pos"] : e["pos"] + e["hsize"] + e["psize"]]) for e in keep_ents
        )
        body = start + hsize
        data[body : body + fsize] = blob + bytes(fsize - len(blob))
        struct.pack_into("<Q", data, start + 8, len(blob))
        kept_total += len(blob)
    Path(args[3] if len(args) > 3 else path).write_bytes(data)
    print("kept", kept_total, f"bytes of sm_{keep}")


if __name__ == "__main__":
    main()
