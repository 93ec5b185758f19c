"""Nothing escapes a sandbox through a path: every bad path is a typed 4xx over HTTP."""

from __future__ import annotations

import unicodedata

import pygit2
import pytest
from pygit2.enums import FileMode

from draftroom.domain.calls import Services
from tests.support.api import Api, AppFactory, error, start_sandbox

BAD_PATHS = [
    ("/etc/passwd", "relative"),
    ("../outside", "'..'"),
    ("a/../../b", "'..'"),
    ("./a", "'.'"),
    (".git/config", ".git"),
    ("sub/.GIT/hooks/pre-commit", ".git"),
    ("a\x00b", "control"),
    ("a\nb", "control"),
    ("a\x7fb", "control"),
    ("a\\b", "separator"),
    ("a//b", "empty segments"),
    ("a/", "empty segments"),
    ("x" * 256, "255 bytes"),
    ("a/" * 128 + "a", "128 segments"),
]


@pytest.mark.parametrize(("path", "why"), BAD_PATHS)
def test_bad_paths_are_400_invalid_path_for_every_file_tool(
    app: tuple[Api, Services], path: str, why: str
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    body = api.post("/files/write", **sb, path=path, content="x", message="m", expect=400)
    assert error(body)["code"] == "invalid_path" and why in error(body)["message"]
    changes = [{"path": path, "content": "x"}]
    body = api.post("/git/commit", **sb, message="m", changes=changes, expect=400)
    assert error(body)["code"] == "invalid_path"
    body = api.post("/files/read", **sb, path=path, expect=400)
    assert error(body)["code"] == "invalid_path"


def test_over_long_paths_are_refused_before_any_write(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    deep = "/".join(["d" * 200] * 21)  # every segment fine, 4220 bytes in all
    body = api.post("/files/write", **sb, path=deep, content="x", message="m", expect=422)
    assert error(body)["code"] == "invalid_request"
    wide = "é" * 2100  # 2100 characters, 4200 UTF-8 bytes
    body = api.post("/files/write", **sb, path=wide, content="x", message="m", expect=400)
    assert error(body)["code"] == "invalid_path"
    history = api.post("/git/history", **sb)
    assert all(c["tool"] != "files.write" for c in history["commits"])


def test_file_tools_never_write_the_logs(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    for path in (".logs", ".logs/changelog/x.yaml", ".logs/reverted_commits.yaml"):
        body = api.post("/files/write", **sb, path=path, content="x", message="m", expect=403)
        assert error(body)["code"] == "read_only_path"
    body = api.post(
        "/git/commit",
        **sb,
        message="m",
        changes=[{"path": "ok.txt", "content": "x"}, {"path": ".logs/a", "content": "x"}],
        expect=403,
    )
    assert error(body)["code"] == "read_only_path"
    assert "ok.txt" not in [e["path"] for e in api.post("/files/list", **sb)["entries"]]


def test_new_path_differing_only_by_case_is_refused_naming_both(
    app: tuple[Api, Services],
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    body = api.post("/files/write", **sb, path="readme.md", content="x", message="m", expect=400)
    err = error(body)
    assert err["code"] == "invalid_path"
    assert "'readme.md'" in err["message"] and "'README.md'" in err["message"]
    assert err["details"] == {"path": "readme.md", "existing_path": "README.md"}
    api.post("/files/write", **sb, path="README.md", content="still fine\n", message="m")


def test_directories_differing_only_by_case_collide(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="Docs/a.md", content="a", message="m")
    body = api.post("/files/write", **sb, path="docs/b.md", content="b", message="m", expect=400)
    assert error(body)["details"]["existing_path"] == "Docs"
    changes = [{"path": "src/App.py", "content": "1"}, {"path": "src/app.py", "content": "2"}]
    body = api.post("/git/commit", **sb, message="m", changes=changes, expect=400)
    assert "same change set" in error(body)["message"]


def test_paths_differing_only_by_unicode_normalisation_collide(
    app: tuple[Api, Services],
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    nfc = unicodedata.normalize("NFC", "café.md")
    nfd = unicodedata.normalize("NFD", "café.md")
    assert nfc != nfd
    api.post("/files/write", **sb, path=nfc, content="1", message="m")
    body = api.post("/files/write", **sb, path=nfd, content="2", message="m", expect=400)
    assert error(body)["details"] == {"path": nfd, "existing_path": nfc}


def test_renaming_by_case_in_one_commit_is_allowed(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    changes = [{"path": "README.md", "delete": True}, {"path": "readme.md", "content": "x"}]
    out = api.post("/git/commit", **sb, message="rename", changes=changes)
    assert sorted(out["files"]) == ["README.md", "readme.md"]


def test_case_collisions_can_be_allowed_by_setting(make_app: AppFactory) -> None:
    api, _ = make_app(allow_case_collisions=True)
    sb = start_sandbox(api)
    api.post("/files/write", **sb, path="readme.md", content="x", message="m")


GIT_DANGEROUS = [
    ".g\u200cit/config",
    ".git\u200d/config",
    "a/.\u200egit/hooks/x",
    ".gi\u200ft/x",
    ".git\u202a/x",
    ".git\u206f/x",
    "\ufeff.git/config",
    ".GiT\u200c/x",
    ".git./config",
    ".git /config",
    ".git.. ./x",
    "GIT~1/config",
    "deep/git~1/x",
    ".git::$INDEX_ALLOCATION/x",
    ".git:$DATA",
]


@pytest.mark.parametrize("path", GIT_DANGEROUS)
def test_paths_git_reads_as_dot_git_are_400_not_500(app: tuple[Api, Services], path: str) -> None:
    api, _ = app
    sb = start_sandbox(api)
    before = api.post("/sandbox/status", **sb)["head"]
    body = api.post("/files/write", **sb, path=path, content="x", message="m", expect=400)
    assert error(body)["code"] == "invalid_path" and ".git" in error(body)["message"]
    changes = [{"path": path, "content": "x"}]
    body = api.post("/git/commit", **sb, message="m", changes=changes, expect=400)
    assert error(body)["code"] == "invalid_path"
    assert api.post("/sandbox/status", **sb)["head"] == before


GITMODULES = [
    ".gitmodules",
    ".GITMODULES",
    "sub/.gitmodules",
    ".gitmodules.",
    ".gitmodules ",
    ".gitmodules::$DATA",
    ".git\u200cmodules",
    "GITMOD~1",
    "gi7eba~1",
]


@pytest.mark.parametrize("path", GITMODULES)
def test_gitmodules_in_any_spelling_is_refused(app: tuple[Api, Services], path: str) -> None:
    api, _ = app
    sb = start_sandbox(api)
    gitmodules = (
        '[submodule "../../../../.git/hooks"]\n\tpath = -evil\n\turl = --upload-pack=touch /tmp/x\n'
    )
    body = api.post("/files/write", **sb, path=path, content=gitmodules, message="m", expect=400)
    assert error(body)["code"] == "invalid_path"
    assert ".gitmodules" in error(body)["message"] or ".git" in error(body)["message"]


WINDOWS_UNSAFE = [
    ("C:x", "':'"),
    ("con", "reserved device name"),
    ("CON", "reserved device name"),
    ("AUX.txt", "reserved device name"),
    ("dir/nul", "reserved device name"),
    ("nul.tar.gz", "reserved device name"),
    ("com1", "reserved device name"),
    ("Lpt9.log", "reserved device name"),
    ("foo.", "ends in a dot or space"),
    ("foo ", "ends in a dot or space"),
    (".logs./x", "ends in a dot or space"),
    ("a<b", "'<'"),
    ("a>b", "'>'"),
    ('a"b', "'\"'"),
    ("a|b", "'|'"),
    ("a?b", "'?'"),
    ("a*b", "'*'"),
    ("a\x1fb", "control"),
]


@pytest.mark.parametrize(("path", "why"), WINDOWS_UNSAFE)
def test_names_a_windows_checkout_cannot_create_are_400_saying_why(
    app: tuple[Api, Services], path: str, why: str
) -> None:
    api, _ = app
    sb = start_sandbox(api)
    body = api.post("/files/write", **sb, path=path, content="x", message="m", expect=400)
    assert error(body)["code"] == "invalid_path" and why in error(body)["message"]
    changes = [{"path": "ok.txt", "content": "x"}, {"path": path, "content": "x"}]
    body = api.post("/git/commit", **sb, message="m", changes=changes, expect=400)
    assert error(body)["code"] == "invalid_path"


def test_names_that_only_look_reserved_are_fine(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    for path in ("console.txt", "auxiliary/x", "com10", "lpt", "a.b/c", "\u200cnote.md"):
        api.post("/files/write", **sb, path=path, content="x", message="m")


def test_a_gitattributes_line_git_would_ignore_is_refused(app: tuple[Api, Services]) -> None:
    api, _ = app
    sb = start_sandbox(api)
    long_line = "*.txt " + "a" * 2100 + "\n"
    body = api.post(
        "/files/write", **sb, path=".gitattributes", content=long_line, message="m", expect=400
    )
    assert "2048" in error(body)["message"]
    api.post("/files/write", **sb, path=".gitattributes", content="*.txt text\n", message="m")


def _plant_symlink(services: Services, branch: str, name: str, target: str) -> None:
    """A person pushes a symlink to the sandbox branch (agents have no way to make one)."""
    raw = pygit2.Repository(str(services.settings.repos_dir / "demo.git"))
    head = raw.references[f"refs/heads/{branch}"].peel(pygit2.Commit)
    builder = raw.TreeBuilder(head.tree)
    builder.insert(name, raw.create_blob(target.encode()), FileMode.LINK)
    who = pygit2.Signature("person", "person@example.com")
    raw.create_commit(f"refs/heads/{branch}", who, who, "link", builder.write(), [head.id])


def test_writing_to_a_symlink_replaces_it_with_a_regular_file(
    app: tuple[Api, Services],
) -> None:
    api, services = app
    sb = start_sandbox(api)
    outside = "../../../../home/user/.ssh/id_rsa"
    _plant_symlink(services, sb["branch"], "link", "notes.md")
    entries = {e["path"]: e["type"] for e in api.post("/files/list", **sb)["entries"]}
    assert entries["link"] == "symlink"
    api.post("/files/write", **sb, path="link", content=outside, message="retarget?")
    entries = {e["path"]: e["type"] for e in api.post("/files/list", **sb)["entries"]}
    assert entries["link"] == "file"
    changes = [{"path": "link2", "content": outside}]
    _plant_symlink(services, sb["branch"], "link2", "notes.md")
    api.post("/git/commit", **sb, message="m", changes=changes)
    raw = pygit2.Repository(str(services.settings.repos_dir / "demo.git"))
    tree = raw.references[f"refs/heads/{sb['branch']}"].peel(pygit2.Commit).tree
    assert tree["link"].filemode == tree["link2"].filemode == FileMode.BLOB
    assert api.post("/files/read", **sb, path="link")["content"] == outside
