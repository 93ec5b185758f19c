"""A template as draftroom uses it, built from its raw entries only when every rule holds.

``build_template`` is the one gate: a directory, a clone, a stored version and a built-in
kit all pass it, so a template that reaches a sandbox never holds a symlink, a path git or
Windows/macOS treat specially, a secret, or more than the limits allow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from draftroom.domain.commits import (
    refuse_log_path,
    refuse_secret_texts,
    refuse_secrets,
    scan_changes,
)
from draftroom.domain.templates.manifest import (
    MANIFEST,
    Manifest,
    MemorySeed,
    Problems,
    TaskSeed,
    parse_manifest,
)
from draftroom.domain.workspace import WORKSPACE_FILES
from draftroom.errors import DraftroomError, SecretDetected, TemplateInvalid
from draftroom.git import Change, SnapshotFile, collision_key, validate_new_path, validate_path

MAX_FILES = 300
MAX_FILE_BYTES = 512 * 1024
MAX_TOTAL_BYTES = 4 * 2**20
SOURCES = ("builtin", "global", "org", "plugin")


@dataclass(frozen=True)
class Template:
    name: str
    version: str
    description: str
    files: tuple[Change, ...]
    """What a sandbox gets, by its path there (``files/`` stripped)."""
    tasks: tuple[TaskSeed, ...]
    memories: tuple[MemorySeed, ...]
    prompts: tuple[tuple[str, str], ...]
    source: str
    """builtin, global (every org), org (one org's own) or plugin."""
    snapshot: tuple[Change, ...] = ()
    """``template.yaml`` and the files as stored (under their ``files`` directory)."""

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"

    def prompt(self, name: str) -> str | None:
        return dict(self.prompts).get(name)


def check_files_dir(files_dir: str, problems: Problems) -> bool:
    """Whether ``files:`` names a directory inside the template (no '..', not absolute)."""
    try:
        validate_path(files_dir)
    except DraftroomError as exc:
        problems.add(f"{MANIFEST}: 'files' must be a directory inside the template: {exc.message}")
        return False
    return True


def build_template(
    manifest_data: bytes, entries: Sequence[SnapshotFile], source: str, extra: Problems
) -> Template:
    """The template, or ``TemplateInvalid`` listing every problem (``extra``'s first).

    ``entries`` are the files under the manifest's ``files`` directory, by their path there.
    """
    problems = Problems(list(extra.found))
    manifest = parse_manifest(manifest_data, problems)
    files = _checked_files(entries, problems)
    if manifest is not None:
        _check_manifest_texts(manifest, problems)
    if problems.found or manifest is None:
        raise invalid(problems)
    prefix = manifest.files_dir + "/"
    stored = [Change(prefix + f.path, f.data, executable=f.executable) for f in files]
    snapshot = (Change(MANIFEST, manifest_data), *stored)
    return Template(
        manifest.name,
        manifest.version,
        manifest.description,
        tuple(files),
        manifest.tasks,
        manifest.memories,
        manifest.prompts,
        source,
        snapshot,
    )


def invalid(problems: Problems) -> TemplateInvalid:
    found = problems.found or ["the template could not be read"]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return TemplateInvalid(
        f"the template is not valid: {found[0]}{more}; fix every problem listed and add it again",
        problems=found[:50],
    )


def _checked_files(entries: Sequence[SnapshotFile], problems: Problems) -> list[Change]:
    if len(entries) > MAX_FILES:
        problems.add(f"files/ holds {len(entries)} or more files; a template may hold {MAX_FILES}")
        return []
    total = sum(entry.size for entry in entries)
    if total > MAX_TOTAL_BYTES:
        problems.add(f"files/ holds {total} bytes; a template may hold {MAX_TOTAL_BYTES}")
    files: list[Change] = []
    seen: dict[str, str] = {}
    for entry in entries:
        where = f"files/{entry.path}"
        if entry.kind not in ("file", "executable"):
            problems.add(f"{where} is a {entry.kind}; a template holds regular files only")
            continue
        if entry.size > MAX_FILE_BYTES:
            problems.add(f"{where} is {entry.size} bytes; each file may be {MAX_FILE_BYTES}")
            continue
        if not _path_ok(entry.path, where, problems):
            continue
        twin = seen.setdefault(collision_key(entry.path), entry.path)
        if twin != entry.path:
            problems.add(f"{where} and files/{twin} are one file on macOS and Windows; rename one")
            continue
        change = Change(entry.path, entry.data, executable=entry.kind == "executable")
        files.append(change)
    scanned = [Change("files/" + c.path, c.data) for c in files]
    for finding in scan_changes(scanned, lambda path: None):
        problems.add(refuse_secrets([finding], overridable=False).message)
    return files


def _path_ok(path: str, where: str, problems: Problems) -> bool:
    try:
        validate_new_path(path)
        refuse_log_path(path)
    except DraftroomError as exc:
        problems.add(f"{where}: {exc.message}")
        return False
    if path in WORKSPACE_FILES:
        problems.add(
            f"{where} would replace the workspace file {path}; give tasks and memories in "
            f"{MANIFEST} instead"
        )
        return False
    return True


def _check_manifest_texts(manifest: Manifest, problems: Problems) -> None:
    texts = {"description": manifest.description}
    for i, task in enumerate(manifest.tasks, start=1):
        texts[f"tasks #{i}"] = task.title + "\n" + (task.description or "")
    for i, memory in enumerate(manifest.memories, start=1):
        texts[f"memories #{i}"] = memory.text
    texts.update({f"prompt {name}": text for name, text in manifest.prompts})
    for field_name, text in texts.items():
        try:
            refuse_secret_texts(**{field_name: text})
        except SecretDetected as exc:
            problems.add(f"{MANIFEST}: {exc.message}")
