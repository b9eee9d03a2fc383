"""A writable NumPy memory map is flagged native_code (grader/flags/memmaps.py): it rewrites a file handed in
without changing the stat key the student process's import check compares (review of s20-hostile,
c2_memmap.py and j_memmap_import/: 43 / 43, no flag). Read-only maps and np.load without mmap_mode are not."""

from __future__ import annotations

import pytest

from grader.flags import scan_submission


def _codes(source: str) -> list[tuple[str, int]]:
    return [(f.code, f.line) for f in scan_submission({"main.py": source.encode()})]


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nm = np.memmap('helpers.py', dtype='u1')\n",  # r+ is the default
        "import numpy as np\nm = np.memmap('helpers.py', dtype='u1', mode='r+')\n",
        "import numpy as np\nm = np.memmap('helpers.py', 'u1', 'w+')\n",
        "import numpy\nm = numpy.memmap('a.dat', mode='readwrite')\n",
        "from numpy import memmap\nm = memmap('a.dat', mode=MODE)\n",
        "import numpy as np\nm = np.core.memmap.memmap('a.dat', mode='write')\n",
        "import numpy as np\nm = np.lib.format.open_memmap('w.npy')\n",
        "import numpy as np\nw = np.load('w.npy', mmap_mode='r+')\n",
        "import numpy as np\nw = np.load('w.npy', 'w+')\n",
        "import numpy as np\nkw = {}\nm = np.memmap('a.dat', **kw)\n",
        "import numpy as np\nmake = np.memmap\n",
    ],
)
def test_a_writable_map_is_flagged_native_code(source: str) -> None:
    last = source.rstrip("\n").count("\n") + 1
    assert ("native_code", last) in _codes(source)


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nm = np.memmap('a.dat', dtype='u1', mode='r')\n",
        "import numpy as np\nm = np.memmap('a.dat', 'u1', 'c')\n",
        "import numpy as np\nm = np.lib.format.open_memmap('w.npy', mode='readonly')\n",
        "import numpy as np\nw = np.load('w.npy')\nv = np.load('w.npy', mmap_mode='r')\n",
        "import numpy as np\nw = np.load('w.npy', allow_pickle=False, mmap_mode=None)\n",
        "import numpy as np\nload = np.load\n",
        "class memmap:\n    pass\nm = memmap()\n",
    ],
)
def test_a_read_only_map_or_a_plain_load_is_not_flagged(source: str) -> None:
    assert _codes(source) == []


def test_a_numpy_py_of_the_submission_does_not_hide_numpys_memmap() -> None:
    """NumPy is imported in the student's process before the submission's first line (source.PRELOADED):
    a numpy.py beside it is never what `import numpy` finds, so the map is NumPy's and flagged."""
    files = {
        "main.py": b"import numpy\nm = numpy.memmap('a.dat')\n",
        "numpy.py": b"def memmap(p):\n    pass\n",
    }
    assert [(f.code, f.line) for f in scan_submission(files)] == [("native_code", 2)]
