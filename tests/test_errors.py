"""The error hierarchy keeps its promises: one code per class, one status per family."""

from __future__ import annotations

import re

import draftroom.errors as errors
from draftroom.errors import DraftroomError

_TREE_LINE = re.compile(
    r"^(?P<indent>(?:│   |    )*)(?:├── |└── )?(?P<name>\w+) \((?P<status>\d+) (?P<code>\w+)\)$"
)


def hierarchy() -> list[type[DraftroomError]]:
    found: list[type[DraftroomError]] = []
    pending: list[type[DraftroomError]] = [DraftroomError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_every_class_has_its_own_code() -> None:
    codes = [cls.code for cls in hierarchy()]
    assert len(codes) == len(set(codes)), sorted(c for c in codes if codes.count(c) > 1)
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in codes)


def test_a_subclass_never_changes_its_family_status() -> None:
    for cls in hierarchy():
        if cls is DraftroomError:
            continue
        base = cls.__base__
        assert base is not None and issubclass(base, DraftroomError)
        if base is DraftroomError:
            assert 400 <= cls.status < 600 and "status" in vars(cls), cls
        else:
            assert cls.status == base.status, f"{cls.__name__} {cls.status} under {base.__name__}"
            assert "status" not in vars(cls), f"{cls.__name__} sets status; it inherits it"


def test_the_docstring_tree_is_the_hierarchy() -> None:
    drawn: dict[str, tuple[int, str, str | None]] = {}
    parents: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        match = _TREE_LINE.match(line)
        if match is None:
            continue
        depth = len(match["indent"]) // 4 + (0 if match["name"] == "DraftroomError" else 1)
        del parents[depth:]
        drawn[match["name"]] = (
            int(match["status"]),
            match["code"],
            parents[-1] if parents else None,
        )
        parents.append(match["name"])
    actual = {
        cls.__name__: (
            cls.status,
            cls.code,
            None if cls is DraftroomError else cls.__base__.__name__,  # type: ignore[union-attr]
        )
        for cls in hierarchy()
    }
    assert drawn == actual


def test_statuses_on_the_wire_are_the_documented_ones() -> None:
    assert (errors.InvalidRequest.status, errors.InvalidRequest.code) == (422, "invalid_request")
    assert (errors.ReadOnlyPath.status, errors.ReadOnlyPath.code) == (403, "read_only_path")
    assert (errors.SelfApproval.status, errors.SelfApproval.code) == (403, "self_approval")
    assert (errors.InvalidPath.status, errors.InvalidPath.code) == (400, "invalid_path")
    assert (errors.EmptyChangeSet.status, errors.EmptyChangeSet.code) == (400, "empty_change_set")
