"""Which files the linter reads, and which codes it reports in each.

Configuration is the ``[tool.mpcontext.lint]`` table of the nearest
``pyproject.toml`` that has one, found walking up from each file's folder
(as ruff does; a ``pyproject.toml`` without the table is passed over).
Its keys are ``select``, ``ignore``, ``exclude`` and ``per-file-ignores``;
their globs are relative to the folder of that ``pyproject.toml``. The
command line is applied after it: ``--select`` and ``--ignore`` on top of
the file's (a code the command line selects is reported even if the file
ignores it), ``--exclude`` and ``--per-file-ignores`` instead of the file's.

TOML is read with ``tomllib`` (Python 3.11+) or, on 3.10, the ``tomli``
package, imported only when a ``pyproject.toml`` mentions mpcontext.
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from typing import cast

from .._core.messages import describe_value, did_you_mean
from .rules import RULES, expand_codes

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence
    from typing import Any

__all__ = [
    "KEYS",
    "ConfigError",
    "Files",
    "Options",
    "Settings",
    "excluded",
    "iter_python_files",
    "load_settings",
]

KEYS = ("exclude", "ignore", "per-file-ignores", "select")
"""The keys of ``[tool.mpcontext.lint]``."""

TABLE = "[tool.mpcontext.lint]"
_SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)


class ConfigError(Exception):
    """A configuration file or option that cannot be used: a usage error (exit 2)."""


class Settings:
    """The ``[tool.mpcontext.lint]`` table of one ``pyproject.toml``, checked.

    Attributes
    ----------
    path : str
        The file.
    root : str
        Its folder: the globs are relative to it.
    select : frozenset of str or None
        The codes ``select`` names, ``None`` when it is not set.
    ignore : frozenset of str
        The codes ``ignore`` names.
    exclude : tuple of str
        Globs of files and folders not to lint.
    per_file_ignores : tuple of (str, frozenset of str)
        Globs of files, with the codes not reported in them.
    """

    __slots__ = ("exclude", "ignore", "path", "per_file_ignores", "root", "select")

    def __init__(
        self,
        path: str,
        select: frozenset[str] | None = None,
        ignore: frozenset[str] = frozenset[str](),
        exclude: tuple[str, ...] = (),
        per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = (),
    ) -> None:
        self.path = path
        self.root = os.path.dirname(os.path.abspath(path))
        self.select = select
        self.ignore = ignore
        self.exclude = exclude
        self.per_file_ignores = per_file_ignores


class Options:
    """What the command line says about files and codes (``None``: not given).

    Parameters
    ----------
    select, ignore : iterable of str, optional
        Codes or prefixes, comma-separated lists allowed.
    exclude : sequence of str, optional
        Globs of files and folders not to lint.
    per_file_ignores : sequence of str, optional
        ``PATTERN:CODES`` entries.
    isolated : bool
        Read no configuration file.
    config : str, optional
        The ``pyproject.toml`` to use for every path, instead of the nearest.

    Raises
    ------
    ConfigError
        An unknown code, or a malformed ``PATTERN:CODES``.
    """

    def __init__(
        self,
        *,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] | None = None,
        exclude: Sequence[str] | None = None,
        per_file_ignores: Sequence[str] | None = None,
        isolated: bool = False,
        config: str | None = None,
    ) -> None:
        self.select = _codes(select, "--select") if select is not None else None
        self.ignore = _codes(ignore, "--ignore") if ignore is not None else frozenset[str]()
        self.exclude = tuple(exclude) if exclude is not None else None
        self.per_file_ignores = (
            tuple(_per_file_option(entry) for entry in per_file_ignores)
            if per_file_ignores is not None
            else None
        )
        self.isolated = isolated
        self.config = config


def _codes(spec: Iterable[str], where: str) -> frozenset[str]:
    try:
        return expand_codes(spec)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def _per_file_option(entry: str) -> tuple[str, frozenset[str]]:
    pattern, colon, codes = entry.rpartition(":")
    if not colon or not pattern.strip() or not codes.strip():
        raise ConfigError(
            f"--per-file-ignores {entry!r}: expected PATTERN:CODES, such as 'tests/*:MPC002,MPC003'"
        )
    return pattern.strip(), _codes([codes], f"--per-file-ignores {entry!r}")


# -- reading pyproject.toml --------------------------------------------------


def _toml_loads() -> Callable[[str], dict[str, Any]]:
    """Return a TOML parser: ``tomllib`` or, on Python 3.10, ``tomli``.

    Raises
    ------
    ImportError
        Python 3.10 without ``tomli``.
    """
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads
    from importlib import import_module

    loads: Callable[[str], dict[str, Any]] = import_module("tomli").loads
    return loads


def _mentions_table(text: str) -> bool:
    """Whether the TOML `text` may hold ``[tool.mpcontext...]``, read without a TOML parser.

    Errs toward yes: a multi-line string could hide a table header.
    """
    if '"""' in text or "'''" in text:
        return True
    header = ""
    for line in text.splitlines():
        flat = re.sub(r"[\s\"']", "", line.split("#", 1)[0])
        if flat.startswith("["):
            header = flat.strip("[]")
            if header.startswith("tool.mpcontext"):
                return True
            continue
        key = flat.partition("=")[0]
        path = f"{header}.{key}" if header else key
        if path.startswith("tool.mpcontext") or (
            path in ("tool", "tool.mpcontext") and "mpcontext" in flat
        ):
            return True
    return False


def _table(path: str) -> dict[str, Any] | None:
    """Return the ``[tool.mpcontext.lint]`` table of the TOML file `path`, if it has one.

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML, or needs ``tomli`` on 3.10.
    """
    try:
        with open(path, "rb") as file:
            data = file.read()
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error.strerror}") from None
    if b"mpcontext" not in data:  # cannot hold the table: not worth parsing
        return None
    text = data.decode("utf-8", "replace")
    try:
        loads = _toml_loads()
    except ImportError:
        if not _mentions_table(text):
            return None
        raise ConfigError(
            f"{path}: reading its {TABLE} on Python 3.10 needs the tomli package: "
            "pip install 'mpcontext[lint]' (or tomli), or pass --isolated to read no "
            "configuration file"
        ) from None
    try:
        document = loads(text)
    except ValueError as error:  # tomllib.TOMLDecodeError
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    section = _subtable(_subtable(document, "tool"), "mpcontext")
    if section is None or "lint" not in section:
        return None
    table = _subtable(section, "lint")
    if table is None:
        raise ConfigError(
            f"{path}: tool.mpcontext.lint must be a table ({TABLE}); "
            f"got {describe_value(section['lint'])}"
        )
    return table


def _subtable(table: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    """Return ``table[key]`` when it is a table, else ``None``."""
    value: object = None if table is None else table.get(key)
    return cast("dict[str, Any]", value) if isinstance(value, dict) else None


def load_settings(path: str, *, required: bool = False) -> Settings | None:
    """Return the checked ``[tool.mpcontext.lint]`` of the TOML file `path`.

    ``None`` when it has none, unless `required`.

    Raises
    ------
    ConfigError
        A key or value that is not valid (the message names it and what is
        accepted), or no table when `required`.
    """
    table = _table(path)
    if table is None:
        if required:
            raise ConfigError(f"{path}: no {TABLE} table")
        return None
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        suggestion = did_you_mean(unknown[0], KEYS, aside=True)
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r} in {TABLE}{suggestion}; "
            f"expected {', '.join(KEYS)}"
        )
    where = f"{path}: {TABLE}"
    select = table.get("select")
    return Settings(
        path,
        select=None if select is None else _table_codes(select, f"{where} select"),
        ignore=_table_codes(table.get("ignore", []), f"{where} ignore"),
        exclude=tuple(_strings(table.get("exclude", []), f"{where} exclude", "globs")),
        per_file_ignores=_per_file_table(table.get("per-file-ignores", {}), where),
    )


def _strings(value: object, where: str, what: str) -> list[str]:
    got = describe_value(value)
    items = cast("list[object]", value) if isinstance(value, list) else None
    if items is None or not all(isinstance(item, str) for item in items):
        example = '["MPC002"]' if what == "codes" else '["build", "tests/data/*"]'
        raise ConfigError(f"{where} must be a list of {what}, such as {example}; got {got}")
    return [str(item) for item in items]


def _table_codes(value: object, where: str) -> frozenset[str]:
    codes = _strings(value, where, "codes")
    try:
        return expand_codes(codes)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None


def _per_file_table(value: object, where: str) -> tuple[tuple[str, frozenset[str]], ...]:
    got = describe_value(value)
    table = cast("dict[str, object]", value) if isinstance(value, dict) else None
    if table is None:
        raise ConfigError(
            f"{where} per-file-ignores must be a table of globs and codes, such as "
            f'{{"tests/*" = ["MPC002"]}}; got {got}'
        )
    return tuple(
        (pattern, _table_codes(codes, f"{where} per-file-ignores {pattern!r}"))
        for pattern, codes in table.items()
    )


# -- matching globs ----------------------------------------------------------


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether `path` matches one of the command line's globs (its name, or the whole path)."""
    if not patterns:
        return False
    candidates = (
        os.path.basename(os.path.normpath(path)),
        os.path.normpath(path),
        os.path.abspath(path),
    )
    return any(fnmatch.fnmatch(c, p) for p in patterns for c in candidates)


def _matches(path: str, patterns: Iterable[str], root: str) -> bool:
    """Whether `path` matches one of a configuration's globs, relative to its `root`."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root).replace(os.sep, "/")
    candidates = (os.path.basename(absolute), relative, absolute)
    return any(fnmatch.fnmatch(c, p) for p in patterns for c in candidates)


# -- walking paths -----------------------------------------------------------


class Files:
    """The files under some paths, each with the codes to report in it.

    Parameters
    ----------
    options : Options
        What the command line says.

    Raises
    ------
    ConfigError
        ``--config`` names a file without a valid table.
    """

    def __init__(self, options: Options) -> None:
        self.options = options
        self._found: dict[str, Settings | None] = {}
        self._fixed: Settings | None = None
        if options.config is not None and not options.isolated:
            self._fixed = load_settings(options.config, required=True)

    def settings(self, directory: str) -> Settings | None:
        """Return the configuration in force in `directory` (``None``: none)."""
        if self.options.isolated:
            return None
        if self._fixed is not None:
            return self._fixed
        return self._nearest(os.path.abspath(directory))

    def _nearest(self, directory: str) -> Settings | None:
        if directory in self._found:
            return self._found[directory]
        candidate = os.path.join(directory, "pyproject.toml")
        found = load_settings(candidate) if os.path.isfile(candidate) else None
        if found is None:
            parent = os.path.dirname(directory)
            found = self._nearest(parent) if parent != directory else None
        self._found[directory] = found
        return found

    def excluded(self, path: str, settings: Settings | None) -> bool:
        """Whether `path` is excluded, by the command line or else by `settings`."""
        if self.options.exclude is not None:
            return excluded(path, self.options.exclude)
        return settings is not None and _matches(path, settings.exclude, settings.root)

    def enabled(self, path: str, settings: Settings | None) -> frozenset[str]:
        """Return the codes to report in the file `path`."""
        codes = frozenset(RULES)
        for select, ignore in (
            (settings.select, settings.ignore) if settings else (None, frozenset[str]()),
            (self.options.select, self.options.ignore),
        ):
            if select is not None:
                # A file that could not be checked is always said, unless ignored.
                codes = select | {"MPC000"}
            codes -= ignore
        if self.options.per_file_ignores is not None:
            for pattern, ignored in self.options.per_file_ignores:
                if excluded(path, [pattern]):
                    codes -= ignored
        elif settings is not None:
            for pattern, ignored in settings.per_file_ignores:
                if _matches(path, [pattern], settings.root):
                    codes -= ignored
        return codes

    def walk(self, paths: Iterable[str]) -> Iterator[tuple[str, frozenset[str]]]:
        """Yield each file to lint under `paths`, in a stable order, with its codes.

        A file given by name is linted whatever its suffix (unless
        excluded). Folders are walked for ``*.py`` files, skipping version
        control folders, caches, ``node_modules``, virtual environments (any
        folder holding a ``pyvenv.cfg``) and what is excluded.
        """
        for path in paths:
            settings = self.settings(os.path.dirname(os.path.abspath(path)))
            if self.excluded(path, settings):
                continue
            if os.path.isdir(path):
                yield from self._walk(path)
            else:
                yield path, self.enabled(path, settings)

    def _walk(self, directory: str) -> Iterator[tuple[str, frozenset[str]]]:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        settings = self.settings(directory)
        for entry in entries:
            if self.excluded(entry.path, settings):
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _SKIP_DIRS and not os.path.exists(
                    os.path.join(entry.path, "pyvenv.cfg")
                ):
                    yield from self._walk(entry.path)
            elif entry.name.endswith(".py") and entry.is_file():
                yield entry.path, self.enabled(entry.path, settings)


def iter_python_files(paths: Iterable[str], exclude: Sequence[str] = ()) -> Iterator[str]:
    """Yield the files to lint under `paths`, reading no configuration (see ``Files.walk``)."""
    files = Files(Options(exclude=exclude, isolated=True))
    for path, _ in files.walk(paths):
        yield path
