"""Build the DeZero zip sample(s) of this folder, with deterministic bytes.

Run from anywhere: `python submissions/dezero/_make_zip.py`. The zip is committed; re-running must not change
it (fixed timestamps, permissions, member order and compression), so a diff means a sample changed. The
leading underscore keeps this script out of `grader samples`, which grades every other entry of the folder.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_DATE = (2024, 5, 14, 23, 58, 2)
_TOP = "DeZero HW3"  # the folder the student zipped, spaces and all

_NOTES = b"""Homework 3: DeZero steps 1-18

dezero.py has everything (Variable, Function, Square, Exp, Add, no_grad).
python dezero.py prints the step 18 example.
"""

# zip name -> [(path inside the zip, bytes)]. Finder's zip adds __MACOSX/ resource forks and .DS_Store.
ZIPS: dict[str, list[tuple[str, bytes]]] = {
    "correct_zipped.zip": [
        (f"{_TOP}/dezero.py", (HERE / "correct.py").read_bytes()),
        (f"{_TOP}/notes.txt", _NOTES),
        (f"{_TOP}/.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 24),
        (f"__MACOSX/{_TOP}/._dezero.py", b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "),
    ],
}


def build(name: str, members: list[tuple[str, bytes]]) -> bytes:
    path = HERE / name
    with zipfile.ZipFile(path, "w") as zf:
        for arcname, data in members:
            info = zipfile.ZipInfo(arcname, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever the host
            zf.writestr(info, data, compresslevel=9)
    return path.read_bytes()


def main() -> None:
    for name, members in ZIPS.items():
        data = build(name, members)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
