"""Review of s21-fixhostile (findings 1 and 2): file names and honest idioms of logging.config, mock.patch,
inspect, typing, string.Formatter and an exception's __traceback__ get no flag; the same names handed
something built at run time stay flagged. Snippets are the reviewer's (/tmp/s21-review-late/probe2.py,
scanprobe.py, honest_layers.py)."""

import pytest

from grader.flags.scan import scan_submission

FILE_NAMES = [
    "autograd.png", "torch.pth", "keras.h5", "jax.npz", "chainer.log", "signal.png", "signal.npy",
    "resource.csv", "threading.png", "concurrent.log", "pty.txt", "http.html", "requests.txt",
    "socket.txt", "ssl.pem",
    "xmlrpc.log", "grader.toml", "inside.json", "code.py", "doctest.txt", "marshal.bin", "importlib.txt",
    "imp.txt", "runpy.log", "mmap.bin", "fcntl.txt",
]  # fmt: skip

HONEST = {
    "docstring": "def f():\n    '''torch.nn.functional.conv2d'''\n    return 1\n",
    "with_traceback": "try:\n    1/0\nexcept Exception as e:\n"
    "    raise ValueError('bad').with_traceback(e.__traceback__)\n",
    "format_exception": "import traceback\ntry:\n    1/0\nexcept Exception as e:\n"
    "    print(''.join(traceback.format_exception(type(e), e, e.__traceback__)))\n",
    "dictConfig": "import logging.config\nlogging.config.dictConfig({'version': 1})\n",
    # the attribute protocol's own methods on the student's objects, with computed names (review of
    # s38-hostile: its rule reads them as getattr/setattr only with a module plainly the receiver)
    "attribute_protocol_own_objects": (
        "import operator\nclass Variable:\n    def __getattr__(self, name):\n"
        "        return getattr(object.__getattribute__(self, 'data'), name)\n"
        "class Layer:\n    def __setattr__(self, name, value):\n        super().__setattr__(name, value)\n"
        "    def __getattr__(self, name):\n        return super().__getattribute__('_' + name)\n"
        "    def get(self, name):\n        return object.__getattribute__(self, name)\n"
        "    def peek(self, name):\n        return type(self).__getattribute__(self, name)\n"
        "    def drop(self, name):\n        object.__delattr__(self, name)\n"
        "    def params(self, names):\n        return operator.attrgetter(*names)(self)\n"
    ),
    "dictConfig_from": "from logging.config import dictConfig\ndictConfig({'version': 1, 'handlers': {'f': "
    "{'class': 'logging.FileHandler', 'filename': 'train.log'}}})\n",
    "getmembers_own_class": "import inspect\nclass Affine:\n    def forward(self, x):\n        return x\n"
    "print(inspect.getmembers(Affine, inspect.isfunction))\n",
    "get_type_hints": "import typing\nclass A:\n    x: int\n    y: 'list[float]'\n"
    "print(typing.get_type_hints(A))\n",
    "formatter": "import string\nf = string.Formatter()\nprint(f.format('{0:.3f}', 1.0))\n",
}

HOSTILE = {
    "walk_tb": ("import traceback\nfor f, l in traceback.walk_tb(None):\n    pass\n",
                "runtime_introspection"),
    "tb_frame": ("try:\n    1/0\nexcept Exception as e:\n    g = e.__traceback__.tb_frame\n",
                 "runtime_introspection"),
    "dictConfig_factory": ("import logging.config\nlogging.config.dictConfig({'version': 1, 'handlers': "
                           "{'h': {'()': 'builtins.exec'}}})\n", "dynamic_code"),
    "dictConfig_ext": ("import logging.config\nlogging.config.dictConfig({'version': 1, 'x': 'ext://sys.modules'})\n",
                       "dynamic_code"),
    "dictConfig_built": ("import logging.config\nlogging.config.dictConfig(cfg)\n", "dynamic_code"),
    "fileConfig": ("import logging.config\nlogging.config.fileConfig('log.ini')\n", "dynamic_code"),
    "patch_runtime": ("from unittest import mock\nmock.patch('inside.shipped._ROOTS', set()).start()\n",
                      "runtime_introspection"),
    "patch_computed": ("from unittest import mock\nmock.patch(t, set()).start()\n", "dynamic_code"),
    "getmembers_other": ("import inspect\nm = inspect.getmembers(get_ipython)\n", "runtime_introspection"),
    "type_hints_call": ("import typing\nclass A:\n    x: 'exec(H)'\nprint(typing.get_type_hints(A))\n",
                        "dynamic_code"),
    "formatter_dunder": ("import string\nf = string.Formatter()\nprint(f.format('{0.__class__}', 1))\n",
                         "dynamic_code"),
    "formatter_built": ("import string\nf = string.Formatter()\nprint(f.format(fmt, 1))\n", "dynamic_code"),
    "resolve_string": ("x = 1\napi = resolve('ctypes.pythonapi')\n", "native_code"),
}  # fmt: skip


def codes(files: dict[str, str]) -> list[str]:
    return [f.code for f in scan_submission({k: v.encode() for k, v in files.items()})]


@pytest.mark.parametrize("name", FILE_NAMES)
def test_a_file_name_is_no_module(name: str) -> None:
    assert codes({"sub.py": f"import numpy as np\nnp.savetxt({name!r}, np.zeros(3))\n"}) == []


@pytest.mark.parametrize("key", sorted(HONEST))
def test_honest_idiom_gets_no_flag(key: str) -> None:
    assert codes({"sub.py": HONEST[key]}) == []


def test_a_test_files_patch_of_its_own_module_gets_no_flag() -> None:
    test = "from unittest.mock import patch\n@patch('layers.np.random.randn')\ndef test_x(m):\n    pass\n"
    assert codes({"layers.py": "import numpy as np\n", "test_layers.py": test}) == []


@pytest.mark.parametrize("key", sorted(HOSTILE))
def test_the_same_names_handed_run_time_values_stay_flagged(key: str) -> None:
    source, code = HOSTILE[key]
    assert code in codes({"sub.py": source})


def test_a_formatters_fields_read_by_hand_stay_flagged() -> None:
    source = "import string\nf = string.Formatter()\nprint(f.format('{0}', 1))\nv = f.get_field(s, a, k)\n"
    assert "dynamic_code" in codes({"sub.py": source})


def test_type_hints_of_a_class_that_renames_its_module_stay_flagged() -> None:
    source = "import typing\nclass A:\n    __module__ = 'inside.shipped'\n    r: 'R'\n"
    source += "h = typing.get_type_hints(A)\n"
    assert "dynamic_code" in codes({"sub.py": source})
