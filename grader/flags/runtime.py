"""Runtime reach: code that reaches into the interpreter, the OS or the network, or hides what it runs.

Every rule is data: a module imported (`IMPORTS`), a name used through an import (`NAMES`, fnmatch patterns on
the dotted name with its alias expanded: `np.x` is `numpy.x`), a builtin used by name (`BUILTINS`), an
attribute read on anything (`ATTRIBUTES`). The checks below only walk the tree and look names up.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import re
import string
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeGuard

from grader.flags import honest_calls, memmaps, runners, string_annotations
from grader.flags.model import Hit
from grader.flags.source import Source

WHY: dict[str, str] = {
    "runtime_introspection": "reaches into the interpreter's own objects",
    "dynamic_code": "runs code built at run time",
    "native_code": "loads native code or raw memory",
    "process_control": "controls processes, signals or threads",
    "file_descriptors": "works on raw file descriptors",
    "network": "can open network connections",
    "import_machinery": "imports by computed name or changes importing",
    "computed_attribute": "hides which attribute of a module it reads or writes",
    "module_patching": "replaces part of a library module",
    "system_paths": "looks outside its own folder",
    "value_spoofing": "can pose as an array or equal anything",
    "autodiff_library": "an automatic-differentiation library",
}

# Module (or package: its submodules match too) -> code.
IMPORTS: dict[str, str] = {
    **dict.fromkeys(("ctypes", "_ctypes", "cffi", "mmap"), "native_code"),
    **dict.fromkeys(
        (
            "subprocess",
            "_posixsubprocess",
            "multiprocessing",
            "concurrent",
            "signal",
            "pty",
            "threading",
            "_thread",
            "resource",
        ),
        "process_control",
    ),
    "fcntl": "file_descriptors",
    **dict.fromkeys(
        (
            "socket",
            "_socket",
            "ssl",
            "http",
            "urllib.request",
            "urllib2",
            "urllib3",
            "requests",
            "httpx",
            "ftplib",
            "smtplib",
            "poplib",
            "imaplib",
            "telnetlib",
            "xmlrpc",
            "socketserver",
        ),
        "network",
    ),
    # `_frozen_importlib` and `_frozen_importlib_external` are importlib._bootstrap and its _external under
    # their frozen names, `_imp` the C half: `_b._load(_b.spec_from_loader(n, _e.SourceFileLoader(n, p)))`
    # ran a module written at run time with no flag (review of s19, frozen/miniflow.py)
    **dict.fromkeys(
        (
            "importlib",
            "imp",
            "pkgutil",
            "runpy",
            "zipimport",
            "_frozen_importlib",
            "_frozen_importlib_external",
            "_imp",
        ),
        "import_machinery",
    ),
    # The grader's own code in the student's process (GRADER_RUNTIME): its guards run there and are plain
    # objects, `from inside import shipped; shipped._ROOTS.clear()` turned the check of code written at run
    # time off in two lines (review of s19-hostile, guard_cleared.py)
    **dict.fromkeys(("inside", "grader"), "runtime_introspection"),
    **dict.fromkeys(("marshal", "codeop"), "dynamic_code"),
    # IDLE's shell, debugger and call tips evaluate text they are handed: idlelib.calltip.get_entity(s) is
    # eval(s) in __main__'s namespace, importable in the student's process (review of s23-hunt: a backward
    # as text run so, 43 / 43 and no flag; tests/flags/test_stdlib_runners.py)
    "idlelib": "dynamic_code",
    **dict.fromkeys(
        (
            "torch",
            "tensorflow",
            "jax",
            "jaxlib",
            "autograd",
            "keras",
            "mxnet",
            "chainer",
            "theano",
            "mindspore",
            "paddle",
            "tinygrad",
        ),
        "autodiff_library",
    ),
}

# fnmatch pattern on a dotted name reached through an import -> code.
NAMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "gc.get_objects",
            "gc.get_referrers",
            "gc.get_referents",
            "sys._getframe",
            "sys._current_frames",
            "sys.settrace",
            "sys.setprofile",
            "sys.addaudithook",
            "sys.modules",
            "inspect.currentframe",
            "inspect.stack",
            "inspect.trace",
            "inspect.getouterframes",
            "inspect.getinnerframes",
            "threading.settrace",
            # Readers of a function's closure, globals or any attribute by name, and walkers of frames: the
            # stand-in layers' guard turned off through inspect.getclosurevars(get_ipython), the runtime's
            # snapshot cleared from traceback.walk_stack's bottom frame, 43 / 43 and no flag (review of
            # s21-hostile, submissions/hostile/closurevars_*.py, walk_*.py)
            "inspect.getclosurevars",
            "inspect.getmembers",
            "inspect.getmembers_static",
            "inspect.getattr_static",
            "inspect.getframeinfo",
            "inspect.getmodule",
            "traceback.walk_tb",
            "traceback.walk_stack",
            "sys._getframemodulename",
        ),
        "runtime_introspection",
    ),
    **dict.fromkeys(
        ("types.CodeType", "types.FunctionType", "builtins.exec", "builtins.eval", "builtins.compile"),
        "dynamic_code",
    ),
    # The standard library's other ways to run a string as code (a backward hidden as base64 text, run by
    # `code.InteractiveInterpreter(globals()).runsource(...)`, scored full marks with no flag: sample
    # miniflow/hidden_code_interpreter.py). timeit, cProfile, profile, pdb's run*, trace and the pickle
    # loaders run code only when handed it: grader/flags/runners.py judges them at their call. doctest runs
    # the examples of the module's docstrings, text this scan does not read as code: always flagged.
    **dict.fromkeys(("code.*", "bdb.*", "doctest.*", "pydoc.locate"), "dynamic_code"),
    # The debugger is a command interpreter whose `!` command runs any statement, and every one of its doors
    # takes text: onecmd, default, cmdqueue, rcLines, a stdin of its own, and a `.pdbrc` in the working
    # folder, which every Pdb reads and runs at its first stop, set_trace's and breakpoint()'s included
    # (review of s23-hunt: `pdb.Pdb().onecmd("!" + text)`, and `breakpoint()` beside a .pdbrc written at
    # run time, ran a backward kept as text with no flag while only pdb's run/runctx/runeval were judged).
    # breakpoint(*args) calls whatever PYTHONBREAKPOINT names, with those arguments: `builtins.exec` when
    # the environment says so (BUILTINS). Wherever used.
    # builtins.breakpoint is the bare builtin (`builtins.breakpoint(text, ns)`, `from builtins import
    # breakpoint as bp`: 43 / 43 and no flag, review of s23-hunt's fix).
    **dict.fromkeys(
        ("pdb.*", "sys.breakpointhook", "sys.__breakpointhook__", "builtins.breakpoint"), "dynamic_code"
    ),
    # A runner of a file by path whose text it execs compiled under "<string>", past the audit hook's check
    # of code written at run time (review of s23-hunt, sample miniflow/hidden_code_run_setup.py); optparse's
    # Values.read_file does the same (OPTPARSE_RUNNERS)
    "distutils.core.run_setup": "dynamic_code",
    # Resolvers of a dotted name or evaluators of a string the scan does not read as code: logging.config's
    # resolve("builtins.exec") (and dictConfig's "()" factories, fileConfig's eval of class names),
    # mock.patch("inside.shipped._ROOTS", ...), get_type_hints of an annotation 'exec(H)' (review of
    # s21-hostile: resolver_exec.py 43 / 43 and no flag)
    **dict.fromkeys(
        (
            "logging.config.*",
            "unittest.mock.patch*",
            "mock.patch*",
            "typing.get_type_hints",
            "typing.ForwardRef",
            "typing._eval_type",
            "typing.evaluate_forward_ref",
            "typing_extensions.get_type_hints",
            "typing_extensions.ForwardRef",
            "typing_extensions.evaluate_forward_ref",
            "inspect.get_annotations",
            "annotationlib.*",
            "string.Formatter",
        ),
        "dynamic_code",
    ),
    # Runners of a file by path that no import hook sees: pydoc.importfile builds its own loader, site runs
    # the `import` lines of a .pth file it finds (a module and a .pth written at run time ran unseen: review
    # of s19-hostile, pydoc_site.py)
    **dict.fromkeys(
        ("pydoc.importfile", "pydoc.safeimport", "site.addsitedir", "site.addpackage", "site.main"),
        "dynamic_code",
    ),
    # A module's loader (getattr(np, "__loader__")): see ATTRIBUTES
    **dict.fromkeys(("*.__loader__", "*.__spec__"), "dynamic_code"),
    "numpy.ctypeslib.*": "native_code",
    **dict.fromkeys(
        (
            "os.fork",
            "os.forkpty",
            "os.system",
            "os.popen",
            "os.exec*",
            "os.spawn*",
            "os.posix_spawn*",
            "os.kill",
            "os.killpg",
            "os._exit",
            "os.abort",
            "os.setsid",
            "os.setpgid",
            "os.setpgrp",
            "os.setuid",
            "os.setgid",
            "os.setresuid",
            "os.setresgid",
            "os.seteuid",
            "os.setegid",
            "os.setgroups",
            "os.nice",
            "os.wait*",
            "os.register_at_fork",
            "os.pidfd_open",
            "os.sched_set*",
        ),
        "process_control",
    ),
    **dict.fromkeys(
        (
            "os.open",
            "os.close",
            "os.closerange",
            "os.dup",
            "os.dup2",
            "os.write",
            "os.read",
            "os.fdopen",
            "os.pipe",
            "os.pipe2",
            "os.openpty",
            "os.memfd_create",
            "os.sendfile",
            "os.ftruncate",
            "os.fchmod",
            "os.fchown",
            "os.lseek",
            "os.pwrite",
            "os.pread",
            "os.writev",
            "os.readv",
            "os.set_inheritable",
            "os.set_blocking",
            "sys.stdout.buffer",
            "sys.stderr.buffer",
            "sys.__stdout__",
            "sys.__stderr__",
            "sys.stdout.fileno",
            "sys.stderr.fileno",
        ),
        "file_descriptors",
    ),
    **dict.fromkeys(("urllib.request.*",), "network"),
    **dict.fromkeys(
        (
            "importlib.*",
            "_frozen_importlib*",
            "_imp.*",
            "sys.meta_path",
            "sys.path_hooks",
            "sys.path_importer_cache",
            "builtins.__import__",
        ),
        "import_machinery",
    ),
}
# `os` and `posix` are one module.
NAMES.update({"posix." + k[3:]: v for k, v in list(NAMES.items()) if k.startswith("os.")})

# Builtins used by name (unless the file binds that name itself) -> code.
BUILTINS: dict[str, str] = {
    "exec": "dynamic_code",
    "eval": "dynamic_code",
    "compile": "dynamic_code",
    "breakpoint": "dynamic_code",  # pdb (its .pdbrc), or any callable PYTHONBREAKPOINT names (NAMES: pdb.*)
    "__import__": "import_machinery",
    "__builtins__": "runtime_introspection",
    # the file's own loader and spec (ATTRIBUTES)
    "__loader__": "dynamic_code",
    "__spec__": "dynamic_code",
}

# Attributes that lead into frames, code objects and globals, whatever they are read on.
ATTRIBUTES: dict[str, str] = dict.fromkeys(
    (
        "__subclasses__",
        "__globals__",
        "__builtins__",
        "__code__",
        "__closure__",
        "f_back",
        "f_globals",
        "f_locals",
        "f_builtins",
        "f_code",
        "tb_frame",
        "gi_frame",
        "cr_frame",
        "ag_frame",
        # a closure's cells, a bound method's object, an exception's frames (review of s21-hostile: the guard
        # of the stand-in layers reached through get_ipython's cell and its method's __self__)
        "cell_contents",
        "__self__",
        # not __traceback__ alone: `raise X().with_traceback(e.__traceback__)` and
        # format_exception(type(e), e, e.__traceback__) are honest idioms (review of s21-fixhostile, 2);
        # its frames are reached through tb_frame, tb_next or traceback.walk_tb, each flagged
        "tb_next",
        "gi_code",
        "cr_code",
        "ag_code",
    ),
    "runtime_introspection",
)
# A module's loader runs any file it is handed, outside the submission's import hook (the guard of code
# written at run time): `type(np.__loader__)(name, path).load_module()` ran a module written at run time,
# full marks and no flag (review of s19-hostile, np_loader.py). Reading a loader or spec, or calling a
# loader's load_module/exec_module, on anything
ATTRIBUTES.update(dict.fromkeys(("__loader__", "__spec__", "load_module", "exec_module"), "dynamic_code"))

# optparse's Values (made by `optparse.Values()` or returned by any OptionParser's parse_args) runs a file by
# path (`read_file`: exec of its text, compiled under "<string>") or imports a module by name
# (`read_module`): read on anything, in a file that imports optparse (review of s23-hunt).
OPTPARSE_RUNNERS = frozenset({"read_file", "read_module"})

SYSTEM_PATH = re.compile(r"/(proc|sys|dev|etc|root|boot|run|autograder)(/|$)")
HARMLESS_PATHS = frozenset({"/dev/null"})
WALKERS = frozenset({"walk", "listdir", "scandir", "glob", "iglob", "rglob", "chdir"})
ATTR_BUILTINS = frozenset({"getattr", "setattr", "delattr"})
SPOOF_METHODS = frozenset(
    {
        "__eq__",
        "__ne__",
        "__array__",
        "__array_ufunc__",
        "__array_function__",
        "__array_finalize__",
        "__array_interface__",
        "__array_struct__",
        "__float__",
        "__instancecheck__",
    }
)
SPOOF_BASES = frozenset({"numpy.ndarray", "numpy.matrix", "numpy.generic", "numpy.ma.MaskedArray"})


def _hit(node: ast.AST, code: str, what: str) -> Hit:
    return Hit(code, getattr(node, "lineno", 0), f"{what}: {WHY[code]}")


# The debugger's stops, most often left in by an honest student: said as what they are, not "runs code built
# at run time" (staff read that as an accusation: review of s23-hunt's fix, 7). Still dynamic_code: the
# debugger runs its commands and a .pdbrc as code, and breakpoint() calls whatever PYTHONBREAKPOINT names.
DEBUGGER_STOPS = frozenset({"breakpoint", "builtins.breakpoint", "pdb.set_trace"})
# The environment variable that makes breakpoint(*args) call any callable (`builtins.exec`): a write of it is
# flagged where its name is written whole (a built name leaves the breakpoint() call flagged).
BREAKPOINT_VARIABLE = "PYTHONBREAKPOINT"


def _debugger_hit(node: ast.AST, name: str) -> Hit:
    return Hit(
        "dynamic_code",
        getattr(node, "lineno", 0),
        f"calls {name}(): a debugger left in (a debugger can also run commands or a .pdbrc as code)",
    )


def _module_rule(module: str, rules: Mapping[str, str]) -> str | None:
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        code = rules.get(".".join(parts[:i]))
        if code:
            return code
    return None


EXACT_NAMES = {k: v for k, v in NAMES.items() if "*" not in k}
_WILD_NAMES = [(re.compile(fnmatch.translate(k)), v) for k, v in NAMES.items() if "*" in k]


# Modules other modules import and so carry as an attribute: `inspect.sys.modules` and `typing.sys.modules`
# are sys.modules (review of s21-hostile, scan of inspect.sys): a name through one is read from there on.
_CARRIED = frozenset(
    {
        "sys",
        "os",
        "posix",
        "builtins",
        "gc",
        "inspect",
        "traceback",
        "importlib",
        "typing",
        "logging",
        "pydoc",
    }
)


def _own_name_rule(dotted: str) -> str | None:
    if dotted in EXACT_NAMES:
        return EXACT_NAMES[dotted]
    return next((code for pattern, code in _WILD_NAMES if pattern.match(dotted)), None)


# Suffixes tried after a carried module: NAMES' keys have at most 3 parts, and a code chain longer than this
# is read part by part anyway (each Attribute node of it is resolved on its own). Trying every carried part
# of a string was quadratic in its parts, and it runs on every no-space string: 1,226 strings 'os.os.…os'
# (250 KB) took 0.27 s against 0.01 s (review of s21-fixhostile, 5); memoised, as one file repeats its names.
_SUFFIX_PARTS = 6


@functools.lru_cache(maxsize=4096)
def _name_rule(dotted: str) -> str | None:
    code = _own_name_rule(dotted)
    if code or "." not in dotted:
        return code
    parts = dotted.split(".")
    for i in range(max(1, len(parts) - _SUFFIX_PARTS), len(parts) - 1):
        if parts[i] in _CARRIED:
            code = _own_name_rule(".".join(parts[i:]))
            if code:
                return code
    return None


# Never the submission's own, whatever files it has: `inside` is the worker's runtime, taken out of
# sys.modules before the submission's first line (grader/inside/unlisted.py), so `import inside` finds a
# fresh copy of it or a folder `inside/` of the submission: read as the runtime either way (a prompt for
# staff, as NEVER_LOCAL's names are; not in PRELOADED since session 21). `grader`, the
# parent's package, is on no sys.path of the student's process: `import grader` there finds the
# submission's own grader.py (an honest repo's was flagged: review of s19), so it is read as any import
GRADER_RUNTIME = frozenset({"inside"})


def _local(src: Source, module: str) -> bool:
    return module.split(".", 1)[0] not in GRADER_RUNTIME and src.is_local(module)


def _imports(src: Source, node: ast.AST, forbidden: Mapping[str, str]) -> Iterator[Hit]:
    rules = {**IMPORTS, **forbidden}
    if isinstance(node, ast.Import):
        modules = [a.name for a in node.names]
        names: list[str] = []
    elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
        modules = [node.module]
        names = [f"{node.module}.{a.name}" for a in node.names if a.name != "*"]
    else:
        return
    for module in modules:
        code = _module_rule(module, rules)
        if code and not _local(src, module):
            yield _hit(node, code, f"imports {module}")
    for dotted in names:
        code = _name_rule(dotted) or _module_rule(dotted, rules)
        # `from logging.config import dictConfig`: its calls are judged where they are made
        if code and not _local(src, dotted) and dotted not in honest_calls.HONEST_CALLS:
            yield _hit(node, code, f"imports {dotted}")


def _module_expr(src: Source, node: ast.AST) -> str | None:
    """The module an expression evaluates to, when that is plain from the source: an `import`ed alias (or an
    attribute of one), `sys.modules[...]`, `__import__(...)`, `importlib.import_module(...)`, __builtins__."""
    if isinstance(node, ast.Name) and node.id == "__builtins__":
        return "builtins"
    if isinstance(node, ast.Subscript):
        resolved = src.resolve(node.value)
        return "sys.modules[...]" if resolved and resolved[0] == "sys.modules" else None
    if isinstance(node, ast.Call):
        resolved = src.resolve(node.func)
        if resolved and resolved[0] in ("__import__", "importlib.import_module"):
            return f"{resolved[0]}(...)"
        return None
    base = node
    while isinstance(base, ast.Attribute):
        base = base.value
    # `import common.layers` and `from common import layers as _L` alike: a name from-imported from a
    # library may be a module (`_L._GRADER_GUARD = None` reset the stand-in layers' guard unflagged: review
    # of s20-hostile, h_guard_reset.py), and when it is a class or a function of that library, setting
    # its attributes patches the library all the same
    if isinstance(base, ast.Name) and (base.id in src.modules or base.id in src.imported):
        resolved = src.resolve(node)
        if resolved and not src.is_local(resolved[0]):
            return resolved[0]
    return None


def _breakpoint_with_arguments(src: Source, node: ast.Call) -> Hit | None:
    """breakpoint(text, ns): a debugger left in takes no arguments; breakpoint hands them to whatever
    PYTHONBREAKPOINT names (`builtins.exec`). Said so, before the debugger's wording of the same line."""
    if not (node.args or node.keywords):
        return None
    func = node.func
    if _builtin(func, src) and func.id == "breakpoint":
        name = "breakpoint"
    else:
        resolved = src.resolve(func) if isinstance(func, (ast.Name, ast.Attribute)) else None
        if not (resolved and resolved[1] and resolved[0] == "builtins.breakpoint"):
            return None
        name = resolved[0]
    return Hit(
        "dynamic_code",
        node.lineno,
        f"calls {name}() with arguments: it hands them to whatever PYTHONBREAKPOINT names "
        "(builtins.exec runs text)",
    )


# The attribute protocol's own methods do what the builtins do: `builtins.__getattribute__('exec')(text)`,
# `object.__getattribute__(builtins, 'exec')`, `type(m).__getattribute__(m, name)`, operator's
# `attrgetter('exec')(builtins)` ran a backward kept as text with no flag while `getattr(builtins, 'exec')`
# was flagged (session 38, sample miniflow/hidden_code_getattribute.py). Read as the builtin they stand for.
DUNDER_ATTR_BUILTINS = {
    "__getattribute__": "getattr",
    "__getattr__": "getattr",
    "__setattr__": "setattr",
    "__delattr__": "delattr",
}
_BOUND_ARITY = {"getattr": 1, "setattr": 2, "delattr": 1}
# operator's getters, made with the name, called on the object: `operator.methodcaller('exec', s)(builtins)`
ATTRIBUTE_GETTERS = frozenset({"operator.attrgetter", "operator.methodcaller"})


def _attribute_builtin_call(src: Source, node: ast.Call) -> tuple[str, str, ast.expr | None] | None:
    """(builtin, module, name expression) when the call reads or writes a module's attribute through
    getattr/setattr/delattr or the dunder method each calls, bound (`m.__getattribute__(n)`) or unbound
    (`object.__getattribute__(m, n)`); None when no module is plainly its receiver (the student's own
    objects: `object.__getattribute__(self, name)`)."""
    func, args = node.func, node.args
    if isinstance(func, ast.Name) and func.id in ATTR_BUILTINS and func.id not in src.defined:
        target = _module_expr(src, args[0]) if args else None
        return (func.id, target, args[1] if len(args) > 1 else None) if target else None
    if isinstance(func, ast.Call) and func.args and args:  # operator.attrgetter('exec')(builtins)
        resolved = src.resolve(func.func) if isinstance(func.func, (ast.Name, ast.Attribute)) else None
        target = _module_expr(src, args[0]) if resolved and resolved[0] in ATTRIBUTE_GETTERS else None
        return ("getattr", target, func.args[0]) if target else None
    if not (isinstance(func, ast.Attribute) and func.attr in DUNDER_ATTR_BUILTINS):
        return None
    verb = DUNDER_ATTR_BUILTINS[func.attr]
    # the bound method takes the name (and setattr's value); called on a class it takes the object first
    if len(args) > _BOUND_ARITY[verb]:
        unbound = _module_expr(src, args[0])
        return (verb, unbound, args[1]) if unbound else None
    bound = _module_expr(src, func.value)
    return (verb, bound, args[0] if args else None) if bound else None


def _calls(src: Source, node: ast.Call) -> Iterator[Hit]:
    func = node.func
    handed = _breakpoint_with_arguments(src, node)
    if handed:
        yield handed
    if (
        isinstance(func, ast.Attribute) and func.attr in ANNOTATION_WRITERS and _is_annotations(func.value)
    ) or (
        isinstance(func, ast.Name)
        and func.id == "setattr"
        and len(node.args) > 1
        and _is_annotations(node.args[1])
    ):
        yield Hit("dynamic_code", node.lineno, _ANNOTATIONS_WRITTEN)
    reached = _attribute_builtin_call(src, node)
    if reached:
        verb, module, name = reached
        if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
            yield _hit(node, "computed_attribute", f"{verb}({module}, <computed name>)")
        elif verb != "getattr":
            yield _hit(node, "module_patching", f"{verb} on {module}")
        else:
            dotted = f"{module}.{name.value}"  # getattr(builtins, 'exec') is builtins.exec
            code = "dynamic_code" if runners.judged(dotted) else _name_rule(dotted)  # arguments unread
            if code:
                yield _hit(node, code, f"uses {dotted} through getattr")
    if isinstance(func, ast.Name) and func.id == "vars" and func.id not in src.defined and node.args:
        target = _module_expr(src, node.args[0])
        if target:  # vars(builtins)['exec']: the module's namespace as a dict, any name read from it
            yield _hit(node, "computed_attribute", f"vars({target})")
    last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    first = node.args[0] if node.args else None
    if last in WALKERS and isinstance(first, ast.Constant) and first.value == "/":
        yield _hit(node, "system_paths", f"{last}('/')")


def _patched(src: Source, target: ast.AST) -> str | None:
    """What an assignment target replaces in a library module: `np.x`, `builtins.x`, `__builtins__[...]`,
    `sys.modules[...]`, `module.__dict__[...]`; None for anything else (the student's own objects)."""
    if isinstance(target, ast.Attribute):
        module = _module_expr(src, target.value)
        return f"{module}.{target.attr}" if module else None
    if not isinstance(target, ast.Subscript):
        return None
    value = target.value
    if isinstance(value, ast.Attribute) and value.attr == "__dict__":
        module = _module_expr(src, value.value)
        return f"{module}.__dict__[...]" if module else None
    if isinstance(value, ast.Name) and value.id == "__builtins__":
        return "__builtins__[...]"
    resolved = src.resolve(value)
    return "sys.modules[...]" if resolved and resolved[1] and resolved[0] == "sys.modules" else None


# Annotations written at run time are text the scan never reads as code, which the standard library turns
# into code: dataclasses execs its field names (an annotation key `q=exec(S), *_` becomes a parameter default
# of the generated __init__), functools.singledispatch's register evaluates the values (review of s23-hunt's
# fix, 2 and 3: 43 / 43 and no flag each). Honest code reads annotations; it does not write them. A write is
# flagged wherever it is: an assignment target naming them anywhere (`X.__annotations__[k] = v`,
# `vars(C)["__annotations__"][k] = v`, `__annotations__[k] = v` in a class body), `.update`/`.setdefault`
# on them, setattr(X, "__annotations__", ...), a namespace {"__annotations__": ...} handed to type().
ANNOTATIONS = "__annotations__"
ANNOTATION_WRITERS = frozenset({"update", "setdefault", "__setitem__", "__ior__", "__init__"})
_ANNOTATIONS_WRITTEN = (
    "writes __annotations__: dataclasses and functools.singledispatch turn annotations into code"
)


def _is_annotations(node: ast.AST) -> bool:
    return (
        (isinstance(node, ast.Name) and node.id == ANNOTATIONS)
        or (isinstance(node, ast.Attribute) and node.attr == ANNOTATIONS)
        or (isinstance(node, ast.Constant) and node.value == ANNOTATIONS)
    )


def _annotation_writes(src: Source, node: ast.AST, targets: list[ast.expr]) -> Iterator[Hit]:
    if not _names_annotations(src):
        return  # no node of the file names them, so no part of a target can (a walk of each target)
    if any(_is_annotations(part) for target in targets for part in ast.walk(target)):
        yield Hit("dynamic_code", getattr(node, "lineno", 0), _ANNOTATIONS_WRITTEN)


_NAMES_ANNOTATIONS: weakref.WeakKeyDictionary[ast.Module, bool] = weakref.WeakKeyDictionary()


def _names_annotations(src: Source) -> bool:
    """Whether some node of the file is one `_is_annotations` reads (a name, an attribute or a string
    `__annotations__`), read once a file from its nodes of those three kinds: an assignment's targets are
    parts of the file, so in a file with none, no target can write them."""
    known = _NAMES_ANNOTATIONS.get(src.tree)
    if known is None:
        known = _NAMES_ANNOTATIONS[src.tree] = (
            any(n.id == ANNOTATIONS for n in src.of(ast.Name))
            or any(n.attr == ANNOTATIONS for n in src.of(ast.Attribute))
            or any(n.value == ANNOTATIONS for n in src.of(ast.Constant))
        )
    return known


def _namespace_annotations(src: Source, node: ast.Dict, _: Mapping[str, str]) -> Iterator[Hit]:
    """{"__annotations__": ...}: a class namespace for type(), or a dict to update a class's with."""
    if any(k is not None and _is_annotations(k) for k in node.keys):
        yield Hit("dynamic_code", node.lineno, _ANNOTATIONS_WRITTEN)


def _assignments(src: Source, node: ast.AST) -> Iterator[Hit]:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    elif isinstance(node, ast.Delete):
        targets = node.targets
    else:
        return
    yield from _annotation_writes(src, node, targets)
    for target in targets:
        for part in target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]:
            what = _patched(src, part)
            if what:
                yield _hit(node, "module_patching", f"replaces {what}")


def _spoofing(src: Source, node: ast.ClassDef) -> Iterator[Hit]:
    for base in node.bases:
        resolved = src.resolve(base)
        if resolved and resolved[1] and resolved[0] in SPOOF_BASES:
            yield _hit(node, "value_spoofing", f"class {node.name} subclasses {resolved[0]}")
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in SPOOF_METHODS:
            yield _hit(stmt, "value_spoofing", f"class {node.name} defines {stmt.name}")
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                for t in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(t, ast.Name) and t.id in SPOOF_METHODS:
                        yield _hit(stmt, "value_spoofing", f"class {node.name} sets {t.id}")


def _builtin(node: ast.AST, src: Source) -> TypeGuard[ast.Name]:
    """A builtin of `BUILTINS` read by name, when the file does not bind or import that name itself."""
    return (
        isinstance(node, ast.Name)
        and isinstance(node.ctx, ast.Load)
        and node.id in BUILTINS
        and node.id not in src.defined
        and node.id not in src.imported
    )


# The file's own loader and spec: flagged when read for their use, not when only tested
OWN_MODULE = frozenset({"__loader__", "__spec__"})


def _only_tested(src: Source) -> set[int]:
    """Ids of the bare names that are only tested: compared with None (`__spec__ is None`) or a condition
    itself (`if __name__ == "__main__" and __spec__:`, `not __spec__`). Staff saw `if __name__ == "__main__"
    and __spec__ is None:` flagged dynamic_code (review of s19); reading nothing on it loads nothing, while an
    attribute read on it (`__spec__.loader`) or a name bound to it is still flagged. Run only when the file
    reads such a name bare."""
    tested: list[ast.AST] = []
    for node in src.of(ast.Compare, ast.If, ast.While, ast.IfExp, ast.Assert):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            others = [s for s in sides if not (isinstance(s, ast.Constant) and s.value is None)]
            if len(others) < len(sides):  # compared with None: the rest are tested
                tested.extend(others)
        elif isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert):
            tested.append(node.test)
    # `and`/`or`/`not` of a condition test their operands too (`x = __spec__ or d` is no condition: it hands
    # __spec__ on, and stays flagged)
    for node in tested:
        if isinstance(node, ast.BoolOp):
            tested.extend(node.values)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            tested.append(node.operand)
    return {id(n) for n in tested if isinstance(n, ast.Name)}


def _imports_module(src: Source, top: str) -> bool:
    """Whether the file imports the library module `top` (or a name from it)."""
    names = (*src.modules.values(), *src.imported.values())
    return any(n.split(".", 1)[0] == top for n in names) and top not in src.local_modules


def _names(src: Source, node: ast.AST) -> Iterator[Hit]:
    if isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
        yield _hit(node, ATTRIBUTES[node.attr], f"reads .{node.attr}")
    if isinstance(node, ast.Attribute) and node.attr == "__dict__" and isinstance(node.ctx, ast.Load):
        module = _module_expr(src, node.value)
        if module:  # builtins.__dict__['exec']: a module's namespace as a dict, any name read from it
            yield _hit(node, "computed_attribute", f"reads {module}.__dict__")
    if _builtin(node, src):
        if node.id in DEBUGGER_STOPS:
            yield _debugger_hit(node, node.id)
        elif not (node.id in OWN_MODULE and id(node) in _only_tested(src)):
            yield _hit(node, BUILTINS[node.id], f"uses {node.id}")
    if isinstance(node, (ast.Name, ast.Attribute)):
        dotted = src.library_name(node)
        if dotted is not None:
            code = _name_rule(dotted)
            if code and dotted in DEBUGGER_STOPS:
                yield _debugger_hit(node, dotted)
            elif code and not honest_calls.honest_call(src, node, dotted):
                yield _hit(node, code, f"uses {dotted}")


def _system_path(node: ast.AST) -> TypeGuard[ast.Constant]:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and SYSTEM_PATH.match(node.value) is not None
        and node.value not in HARMLESS_PATHS
    )


Check = Callable[[Source, Any, Mapping[str, str]], Iterator[Hit]]


def _annotation(src: Source, node: ast.AST, _: Mapping[str, str]) -> Iterator[Hit]:
    return string_annotations.hits(node, src)


def _keyword(src: Source, node: ast.keyword, _: Mapping[str, str]) -> Iterator[Hit]:
    """os.environ.update(PYTHONBREAKPOINT=...), dict(PYTHONBREAKPOINT=...); eval_str= of any call:
    inspect.signature(f, eval_str=True), Signature.from_callable, inspect.get_annotations evaluate string
    annotations (review of s23-hunt's fix, 3: "RAN via inspect.signature", no flag)."""
    if node.arg == BREAKPOINT_VARIABLE:
        yield _hit(node, "dynamic_code", f"sets {BREAKPOINT_VARIABLE} (breakpoint() calls what it names)")
    if node.arg == "eval_str" and not (isinstance(node.value, ast.Constant) and not node.value.value):
        yield _hit(node, "dynamic_code", "evaluates annotations as code (eval_str)")


# Node type -> the checks that look at it: each node of the file is visited once and only by its checks.
# Text built from pieces, folded as the interpreter would: `"__glob" + "als__"`, `f"{'ex'}ec"`,
# `"".join(["__se", "lf__"])`, `"_" * 2 + "code" + "_" * 2`, `chr(95)`. A name the scan flags spelled whole
# (ATTRIBUTES, BUILTINS, a flagged dotted name) went unflagged built from pieces:
# `getattr(Node.forward, "__glob" + "als__")["__built" + "ins__"]["ex" + "ec"](text, ns)`,
# `operator.attrgetter("__glob" + "als__")`, `getattr(len, "__se" + "lf__")` each ran a backward kept as text
# at 43 / 43 (review of s23-hunt, docs/FLAGS.md). A bar, not a wall: text the file does not spell out (read
# from a file, decoded, picked from dir()) still folds to nothing.
MAX_FOLDED = 200  # characters: a built name is short; longer text is a message and is not folded further
_FOLD_DEPTH = 32
_CASES = {"lower": str.lower, "upper": str.upper, "casefold": str.casefold, "swapcase": str.swapcase}
_STRIPS = {"strip": str.strip, "lstrip": str.lstrip, "rstrip": str.rstrip}
_CODECS = frozenset({"utf-8", "utf8", "ascii", "latin-1", "latin1"})
_PERCENT = re.compile(r"%(.)", re.S)  # a %-format's directives: only %s and %% are folded
_FIELD = re.compile(
    r"\d*|[A-Za-z_]\w*"
)  # a str.format field folded: {}, {0}, {name}; never {0.attr} or {0[k]}


class _TooDeep(Exception):
    """Folding went deeper than _FOLD_DEPTH from where it started."""


class _Folding:
    """One file's folding state: the module-level names bound to folded text (their every binding a
    module-level `NAME = <folded>` or `NAME += <folded>`, so the name holds that text wherever it is read
    after them), the text an augmented assignment leaves, and each node's result (each node folded once)."""

    def __init__(self, src: Source) -> None:
        self.names: dict[str, str | int] = {}
        self.augmented: dict[int, str] = {}
        self.memo: dict[int, str | None] = {}
        # a BinOp that is an operand of a BinOp -> that BinOp: only the top of a chain is reported
        self.operand_of: dict[int, ast.BinOp] = {}
        for op in src.of(ast.BinOp):
            for side in (op.left, op.right):
                if isinstance(side, ast.BinOp):
                    self.operand_of[id(side)] = op
        stores: dict[str, int] = {}
        for name_node in src.of(ast.Name):
            if not isinstance(name_node.ctx, ast.Load):
                stores[name_node.id] = stores.get(name_node.id, 0) + 1
        # bound another way (global in a function, a parameter, a def or class, an import, except ... as):
        # never a constant
        others: list[str] = [n for g in src.of(ast.Global, ast.Nonlocal) for n in g.names]  # type: ignore[attr-defined]
        others += [a.arg for a in src.of(ast.arg)]
        others += [d.name for d in src.of(ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)]  # type: ignore[attr-defined]
        others += [a.asname or a.name.split(".")[0] for a in src.of(ast.alias)]
        others += [h.name for h in src.of(ast.ExceptHandler) if h.name]
        for name in others:
            stores[name] = stores.get(name, 0) + 2
        bound: dict[str, int] = {}
        for stmt in src.tree.body:
            for name, value in _module_bindings(stmt, self):
                bound[name] = bound.get(name, 0) + 1
                if value is None:
                    self.names.pop(name, None)
                    stores[name] = stores.get(name, 0) + 2
                else:
                    self.names[name] = value
        for name in [n for n in self.names if stores.get(n, 0) != bound.get(n, 0)]:
            del self.names[name]


def _module_bindings(stmt: ast.stmt, folding: _Folding) -> Iterator[tuple[str, str | int | None]]:
    """The names a module-level statement binds with their folded value (None: not folded)."""
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                yield target.id, _literal(stmt.value, folding)
            elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(stmt.value, (ast.Tuple, ast.List)):
                pairs = zip(target.elts, stmt.value.elts, strict=False)
                same = len(target.elts) == len(stmt.value.elts)
                for t, v in pairs:
                    if isinstance(t, ast.Name):
                        yield t.id, _literal(v, folding) if same else None
    elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        before, more = folding.names.get(stmt.target.id), _folded(stmt.value, folding)
        text = (
            before + more
            if isinstance(before, str) and isinstance(more, str) and isinstance(stmt.op, ast.Add)
            else None
        )
        if text is not None and len(text) <= MAX_FOLDED:
            folding.augmented[id(stmt)] = text
            yield stmt.target.id, text
        else:
            yield stmt.target.id, None
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
        yield stmt.target.id, _literal(stmt.value, folding)


def _literal(node: ast.AST, folding: _Folding) -> str | int | None:
    number = _int(node, folding)
    return number if number is not None else _fold_top(folding, node)


def _int(node: ast.AST, folding: _Folding) -> int | None:
    """A small integer literal (bools as Python counts them), a negated one, or a module constant of one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int):  # bool is an int
        return int(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _int(node.operand, folding)
        return -inner if inner is not None else None
    if isinstance(node, ast.Name):
        value = folding.names.get(node.id)
        return value if isinstance(value, int) else None
    return None


_FOLDINGS: weakref.WeakKeyDictionary[ast.Module, _Folding] = weakref.WeakKeyDictionary()


def _folding(src: Source) -> _Folding:
    """The file's folding state, built once a file (the scan visits its nodes one by one)."""
    folding = _FOLDINGS.get(src.tree)
    if folding is None:
        folding = _FOLDINGS[src.tree] = _Folding(src)
    return folding


def folded_text(src: Source, node: ast.AST) -> str | None:
    """The string `node` evaluates to when built only from literals (and module names bound once to them),
    else None (for the rules outside this module: namespace_writes.py)."""
    return _fold_top(_folding(src), node)


def _fold_top(folding: _Folding, node: ast.AST) -> str | None:
    try:
        return _folded(node, folding)
    except _TooDeep:
        return None


def _folded(node: ast.AST, folding: _Folding, depth: int = 0) -> str | None:
    """The string `node` evaluates to when built only from literals (and module names bound once to them),
    else None; each node folded once a file (`folding.memo`)."""
    key = id(node)
    if key in folding.memo:
        return folding.memo[key]
    if depth > _FOLD_DEPTH:
        raise _TooDeep  # nothing on the way up is memoised: each node still folds as the top of its own
    text = _fold(node, folding, depth)
    if text is not None and len(text) > MAX_FOLDED:
        text = None  # a message, not a name: not folded further (and never grown past this)
    folding.memo[key] = text
    return text


def _fold(node: ast.AST, folding: _Folding, depth: int) -> str | None:
    deeper = depth + 1
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if isinstance(node, ast.Name):
        value = folding.names.get(node.id)
        return value if isinstance(value, str) else None
    if isinstance(node, ast.AugAssign):
        return folding.augmented.get(id(node))
    if isinstance(node, ast.BinOp):
        return _fold_binop(node, folding, deeper)
    if isinstance(node, ast.JoinedStr):
        parts = [_fold_value(v, folding, deeper) for v in node.values]
        return None if None in parts else "".join(p for p in parts if p is not None)
    if isinstance(node, ast.Subscript):
        return _fold_subscript(node, folding, deeper)
    if isinstance(node, ast.Call) and not node.keywords:
        return _fold_call(node, folding, deeper)
    return None


def _fold_binop(node: ast.BinOp, folding: _Folding, depth: int) -> str | None:
    if isinstance(node.op, ast.Add):
        left = _folded(node.left, folding, depth)  # None past MAX_FOLDED: the chain stops growing there
        return (
            left + right
            if left is not None and (right := _folded(node.right, folding, depth)) is not None
            else None
        )
    if isinstance(node.op, ast.Mult):
        text, times = _folded(node.left, folding, depth), _int(node.right, folding)
        if text is None:
            text, times = _folded(node.right, folding, depth), _int(node.left, folding)
        if text is None or times is None:
            return None
        return text * times if len(text) * times <= MAX_FOLDED else None  # a count below 1: "" as in Python
    if isinstance(node.op, ast.Mod):
        return _percent(node, folding, depth)
    return None


def _percent(node: ast.BinOp, folding: _Folding, depth: int) -> str | None:
    """`"%sals__" % "__glob"`, `"%s%s" % ("__glob", "als__")`: only %s and %% directives."""
    fmt = _folded(node.left, folding, depth)
    if fmt is None:
        return None
    items = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
    args = [_folded(e, folding, depth) for e in items]
    if None in args:
        return None
    out, parts, n = [], iter(args), 0
    last = 0
    for match in _PERCENT.finditer(fmt):
        out.append(fmt[last : match.start()])
        last = match.end()
        if match.group(1) == "%":
            out.append("%")
        elif match.group(1) == "s":
            n += 1
            out.append(next(parts, None) or "")
        else:
            return None
    if "%" in fmt[last:] or n != len(args):
        return None
    return "".join(out) + fmt[last:]


def _fold_value(value: ast.AST, folding: _Folding, depth: int) -> str | None:
    """An f-string's piece: a literal, or `{<folded>}` with no conversion but !s and no format spec but
    `s` (`f"{'__glob'!r}als__"` is "'__glob'als__", no name: review of s24-hunt, 6)."""
    if not isinstance(value, ast.FormattedValue):
        return _folded(value, folding, depth)
    if value.conversion not in (-1, ord("s")):
        return None
    spec = _folded(value.format_spec, folding, depth) if value.format_spec is not None else ""
    return _folded(value.value, folding, depth) if spec in ("", "s") else None


def _fold_subscript(node: ast.Subscript, folding: _Folding, depth: int) -> str | None:
    """`"__slabolg__"[::-1]`, `"__globals__x"[:-1]`, `"x__globals__"[1:]`, `"_"[0]`."""
    text = _folded(node.value, folding, depth)
    if text is None:
        return None
    index = node.slice
    if isinstance(index, ast.Slice):
        bounds = [None if b is None else _int(b, folding) for b in (index.lower, index.upper, index.step)]
        if any(
            b is None and given is not None
            for b, given in zip(bounds, (index.lower, index.upper, index.step), strict=True)
        ):
            return None
        if bounds[2] == 0:
            return None
        return text[slice(*bounds)]
    at = _int(index, folding)
    return text[at] if at is not None and -len(text) <= at < len(text) else None


def _fold_call(node: ast.Call, folding: _Folding, depth: int) -> str | None:
    func, args = node.func, node.args
    if isinstance(func, ast.Name) and func.id == "chr" and len(args) == 1:
        code = _int(args[0], folding)
        return chr(code) if code is not None and 0 <= code < 0x110000 else None
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr == "decode" and isinstance(func.value, ast.Constant) and isinstance(func.value.value, bytes):
        codec = _folded(args[0], folding, depth) if args else "utf-8"
        if (
            len(args) > 1
            or codec is None
            or codec.lower() not in _CODECS
            or len(func.value.value) > MAX_FOLDED
        ):
            return None
        try:
            return func.value.value.decode(codec)
        except UnicodeDecodeError:
            return None
    if (
        func.attr == "__add__"
        and isinstance(func.value, ast.Name)
        and func.value.id == "str"
        and len(args) == 2
    ):
        left, right = (_folded(a, folding, depth) for a in args)  # str.__add__("__glob", "als__")
        return left + right if left is not None and right is not None else None
    if func.attr == "join" and len(args) == 1:
        sep = _folded(func.value, folding, depth)
        parts = _items(args[0], folding, depth)
        return sep.join(parts) if sep is not None and parts is not None else None
    text = _folded(func.value, folding, depth)
    if text is None:
        return None
    pieces = [_folded(a, folding, depth) for a in args]
    if None in pieces:
        return None
    strings = [p for p in pieces if p is not None]
    if func.attr in _CASES and not strings:
        return _CASES[func.attr](text)
    if func.attr in _STRIPS and len(strings) <= 1:
        return _STRIPS[func.attr](text, *strings)
    if func.attr == "__add__" and len(strings) == 1:
        return text + strings[0]
    if func.attr == "replace" and len(strings) == 2:
        old, new = strings
        return text.replace(old, new) if len(text) * max(1, len(new)) <= MAX_FOLDED * 4 else None
    if func.attr == "format":
        return _format(text, strings)
    return None


def _format(fmt: str, args: list[str]) -> str | None:
    """`"{}als__".format("__glob")`: positional fields, no conversion but !s, no format spec."""
    out, auto = [], 0
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return None
    for literal, field, spec, conversion in fields:
        out.append(literal)
        if field is None:
            continue
        if (
            spec
            or conversion not in (None, "s")
            or not _FIELD.fullmatch(field)
            or not (field == "" or field.isdigit())
        ):
            return None
        at = auto if field == "" else int(field)
        auto += field == ""
        if at >= len(args):
            return None
        out.append(args[at])
    return "".join(out)


def _items(node: ast.AST, folding: _Folding, depth: int) -> list[str] | None:
    """What "".join is given, as text pieces: a list or tuple of folded pieces, `map(chr, [95, ...])`, or a
    list comprehension or generator over literals (`[c for c in "__glob"]`, `(chr(i) for i in (95, 95))`)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        parts = [_folded(e, folding, depth) for e in node.elts]
        return None if None in parts else [p for p in parts if p is not None]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "map"
        and len(node.args) == 2
    ):
        fn, seq = node.args
        if isinstance(fn, ast.Name) and fn.id == "chr":
            codes = _sequence(seq, folding, depth)
            if codes is None or not all(isinstance(c, int) and 0 <= c < 0x110000 for c in codes):
                return None
            return [chr(int(c)) for c in codes]
        if isinstance(fn, ast.Name) and fn.id == "str":
            texts = _sequence(seq, folding, depth)
            return [str(t) for t in texts] if texts is not None else None
        return None
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
        gen = node.generators[0]
        if gen.ifs or gen.is_async or not isinstance(gen.target, ast.Name):
            return None
        values = _sequence(gen.iter, folding, depth)
        if values is None or len(values) > MAX_FOLDED:
            return None
        out = []
        for value in values:
            inner = _Folding.__new__(_Folding)  # the element folded with the loop variable bound
            inner.names = {**folding.names, gen.target.id: value}
            inner.augmented, inner.memo = folding.augmented, {}
            text = _folded(node.elt, inner, depth)
            if text is None:
                return None
            out.append(text)
        return out
    return None


def _sequence(node: ast.AST, folding: _Folding, depth: int) -> list[str | int] | None:
    """A literal sequence to iterate: a folded string (its characters) or a list/tuple of literals."""
    text = _folded(node, folding, depth)
    if text is not None:
        return list(text)
    if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) <= MAX_FOLDED:
        values = [_literal(e, folding) for e in node.elts]
        return None if None in values else [v for v in values if v is not None]
    return None


def _built(src: Source, node: ast.AST, _: Mapping[str, str]) -> Iterator[Hit]:
    """A string built from literal pieces that names what a whole literal naming it is flagged for (a piece
    that names it too is a second hit on the line, kept once by the scan), never a literal of its own
    (`_constant`)."""
    folding = _folding(src)
    parent = folding.operand_of.get(id(node))
    if parent is not None and folding.memo.get(id(parent)) is not None:
        return  # part of a chain folded whole above it (its top BinOp, visited first, is the one reported)
    text = _fold_top(folding, node)
    if text is None or len(text) > MAX_FOLDED or not text or any(c.isspace() for c in text):
        return
    word = next((w for w in _WORD.findall(text) if w in ATTRIBUTES or w in BUILTINS), None)
    if word and _WORD.fullmatch(text):
        code = ATTRIBUTES.get(word) or BUILTINS[word]
        yield _hit(node, code, f"builds the name {word} from pieces")
        return
    if word and word in ATTRIBUTES:
        yield _hit(node, ATTRIBUTES[word], f"builds text naming the attribute {word}: {text[:60]!r}")
        return
    if _DOTTED.fullmatch(text) and not _file_name(text) and not _local(src, text):
        rule = _name_rule(text) or _module_rule(text, IMPORTS)
        if rule:
            yield _hit(node, rule, f"builds the name {text[:60]!r} from pieces")


CHECKS: dict[type[ast.AST], tuple[Check, ...]] = {
    ast.Import: (_imports,),
    ast.ImportFrom: (_imports,),
    ast.Name: (lambda src, node, _: _names(src, node),),
    ast.Attribute: (lambda src, node, _: _names(src, node),),
    ast.Assign: (lambda src, node, _: _assignments(src, node),),
    ast.AugAssign: (lambda src, node, _: _assignments(src, node), _built),
    ast.AnnAssign: (lambda src, node, _: _assignments(src, node), _annotation),
    ast.arg: (_annotation,),
    ast.FunctionDef: (_annotation,),
    ast.AsyncFunctionDef: (_annotation,),
    ast.Delete: (lambda src, node, _: _assignments(src, node),),
    ast.ClassDef: (lambda src, node, _: _spoofing(src, node),),
    ast.Constant: (lambda src, node, _: _constant(src, node),),
    ast.BinOp: (_built,),
    ast.JoinedStr: (_built,),
    ast.Subscript: (_built,),
    ast.Call: (lambda src, node, _: _calls(src, node), _built),
    ast.keyword: (_keyword,),
    ast.Dict: (_namespace_annotations,),
}


# A string that names an attribute or a dotted name, with no space in it: what getattr, operator.attrgetter,
# inspect.getattr_static, string.Formatter's fields ('0.__closure__') and the standard library's resolvers
# (logging.config, pkgutil.resolve_name, mock.patch) are handed. getattr(get_ipython, "__closure__") and
# resolve("builtins.exec") were unflagged (review of s21-hostile); text of a message has spaces and is left.
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_NAMED_MAX = 200


def _named(src: Source, node: ast.Constant) -> Hit | None:
    text = node.value
    if not isinstance(text, str) or len(text) > _NAMED_MAX or not text or any(c.isspace() for c in text):
        return None
    word = next((w for w in _WORD.findall(text) if w in ATTRIBUTES), None)
    if word:
        return _hit(node, ATTRIBUTES[word], f"names the attribute {word} in {text[:60]!r}")
    if _DOTTED.fullmatch(text) and not _file_name(text) and not _local(src, text):
        code = _name_rule(text) or _module_rule(text, IMPORTS)
        if code and id(node) not in _bare_strings(src):
            return _hit(node, code, f"names {text[:60]!r}")
    return None


# Every no-space string starting with a flagged module's name was flagged, file names among them
# ('signal.npy', 'torch.pth', 'grader.toml', 'code.py') and a docstring naming torch.nn.functional.conv2d
# (review of s21-fixhostile, 1). A string whose last part is a file extension is a file name; a string that
# is a statement of its own (a docstring) is handed to nothing. A dotted name handed to a resolver
# (resolve('ctypes.pythonapi')) is still read.
FILE_EXTENSIONS = frozenset(
    {
        "py",
        "pyc",
        "pyi",
        "ipynb",
        "txt",
        "csv",
        "tsv",
        "json",
        "jsonl",
        "log",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "svg",
        "pdf",
        "npy",
        "npz",
        "pkl",
        "pickle",
        "pt",
        "pth",
        "ckpt",
        "h5",
        "hdf5",
        "mat",
        "onnx",
        "pb",
        "tflite",
        "safetensors",
        "bin",
        "dat",
        "idx",
        "ubyte",
        "toml",
        "yaml",
        "yml",
        "ini",
        "cfg",
        "conf",
        "html",
        "htm",
        "xml",
        "md",
        "rst",
        "pem",
        "key",
        "crt",
        "zip",
        "gz",
        "tgz",
        "tar",
        "bz2",
        "xz",
        "tmp",
        "bak",
        "out",
        "err",
        "sh",
        "so",
        "db",
        "sqlite",
        "parquet",
        "feather",
        "wav",
        "mp3",
        "mp4",
        "lock",
        "whl",
        "c",
        "h",
        "cpp",
    }
)


def _bare_strings(src: Source) -> set[int]:
    """Ids of the constants that are a statement of their own. Run only when a string would be flagged."""
    return {id(e.value) for e in src.of(ast.Expr) if isinstance(e.value, ast.Constant)}


def _file_name(text: str) -> bool:
    return text.rsplit(".", 1)[1].lower() in FILE_EXTENSIONS


def _constant(src: Source, node: ast.Constant) -> Iterator[Hit]:
    if node.value == BREAKPOINT_VARIABLE:
        yield _hit(node, "dynamic_code", f"names {BREAKPOINT_VARIABLE} (breakpoint() calls what it names)")
    if _system_path(node):
        yield _hit(node, "system_paths", f"names {str(node.value)[:60]!r}")
    named = _named(src, node)
    if named:
        yield named


def _configparser_receiver(src: Source, receiver: ast.AST) -> bool:
    """`configparser.ConfigParser().read_file(f)`, or a name the file binds only to configparser's objects:
    its read_file reads an INI file, not code (review of s23-hunt's fix, 7: flagged beside optparse)."""

    def made_by_configparser(value: ast.AST) -> bool:
        if not isinstance(value, ast.Call):
            return False
        resolved = src.resolve(value.func)
        return bool(resolved and resolved[1] and resolved[0].split(".", 1)[0] == "configparser")

    if made_by_configparser(receiver):
        return True
    if not isinstance(receiver, ast.Name):
        return False
    values = [
        a.value
        for a in src.of(ast.Assign)
        if isinstance(a, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == receiver.id for t in a.targets)
    ]
    return bool(values) and all(made_by_configparser(v) for v in values)


def _optparse_runners(src: Source) -> Iterator[Hit]:
    for node in src.of(ast.Attribute):
        reads = isinstance(node, ast.Attribute) and node.attr in OPTPARSE_RUNNERS
        if reads and not _configparser_receiver(src, node.value):
            yield _hit(node, "dynamic_code", f"uses optparse's Values.{node.attr}")


def runtime_flags(src: Source, forbidden: Mapping[str, str], optparse: bool = False) -> Iterator[Hit]:
    """Every runtime-reach flag of one file. `forbidden`: extra modules (the assignment's forbidden imports)
    -> code. `optparse`: a file of the submission names optparse, whose Values any file may hold (a
    `Values` imported from the submission's own options.py: 43 / 43 and no flag when only the file
    importing optparse was judged; review of s23-hunt's fix, 5)."""
    judged = runners.FileRunners.of(src)
    if optparse or _imports_module(src, "optparse"):
        yield from _optparse_runners(src)
    for node in src.nodes:
        kind = type(node)  # a parsed tree has no subclasses of its node types (pyparse.kinds)
        for check in CHECKS.get(kind, ()):
            yield from check(src, node, forbidden)
        if kind in _READS_A_NAME and src.library_name(node.func if isinstance(node, ast.Call) else node):
            yield from judged.hits(src, node)
            yield from memmaps.hits(src, node, judged.called)


# The nodes the judged runners' and the memory maps' rules read: a call (of its function) and a name or an
# attribute chain (itself). Both flag only a name that comes from a library the file imports
# (`Source.library_name`, the test both rules make), so the ~90% of these nodes that do not (self, a local,
# x.value) are passed over here, not in two generators each (tests/flags/test_runtime_dispatch.py).
_READS_A_NAME = frozenset({ast.Call, ast.Name, ast.Attribute})
