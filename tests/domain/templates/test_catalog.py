"""Adding templates (a directory, a git URL), listing them, and starting a project from one
over HTTP: its files, tasks and memories land in the sandbox's first commit."""

from __future__ import annotations

from pathlib import Path

import pygit2
import yaml
from tests.domain.templates.conftest import Cli, write_template
from tests.support.api import REPO, Api, error
from tests.support.trees import file_at, files, repo_of

from draftroom.domain.calls import Services


def listed(api: Api, **body: str) -> list[tuple[str, str, str, int]]:
    found = api.post("/templates/list", **body)["templates"]
    return [(t["name"], t["version"], t["source"], t["files"]) for t in found]


def start(api: Api, template: str, expect: int = 201) -> dict[str, object]:
    return api.post(
        "/sandbox/init",
        expect=expect,
        repo_name=REPO,
        mode="project",
        project_name="Atlas",
        goals=["Ship it"],
        template=template,
    )


def test_the_built_in_kits_and_task_templates_are_listed(api: Api) -> None:
    names = {name for name, _, source, _ in listed(api) if source == "builtin"}
    assert {"llm-chatbot", "web-app", "data-pipeline", "docs-site"} <= names
    assert {"default", "software", "writing"} <= names
    kit = next(t for t in listed(api) if t[0] == "llm-chatbot")
    assert kit[3] >= 4


def test_a_template_added_from_a_directory_starts_a_project_in_one_commit(
    api: Api, cli: Cli, services: Services, tmp_path: Path
) -> None:
    source = write_template(tmp_path / "tiny", {"app.py": "print('hi')\n", "docs/a.md": "# A\n"})
    out = cli("template", "add", str(source)).output
    assert "added template tiny-app@1.2.0 for global (2 files)" in out
    assert ("tiny-app", "1.2.0", "global", 2) in listed(api)

    started = start(api, "tiny-app")
    assert started["template"] == "tiny-app@1.2.0"
    branch = str(started["branch"])
    assert sorted(files(services, branch)) == [
        "README.md",
        "app.py",
        "docs/a.md",
        "memory.yaml",
        "reasoning_trace.md",
        "task.yaml",
    ]
    repo = repo_of(services)
    first = repo.log(repo.head(branch), limit=2).commits
    assert first[1].summary == "Initial commit", "one commit holds the whole start"
    assert {"app.py", "docs/a.md", "task.yaml"} <= set(first[0].files)
    assert file_at(services, branch, "app.py") == b"print('hi')\n"
    tasks = yaml.safe_load(file_at(services, branch, "task.yaml"))
    assert [(t["title"], t["description"]) for t in tasks] == [("Run it", "python app.py")]
    memory = yaml.safe_load(file_at(services, branch, "memory.yaml"))
    assert [(m["kind"], m["text"]) for m in memory] == [
        ("project", "Atlas"),
        ("goal", "Ship it"),
        ("template", "tiny-app@1.2.0"),
        ("note", "Stack: plain Python"),
    ]
    assert memory[3]["tags"] == ["stack"]


def test_a_newer_version_keeps_the_older_and_a_version_can_be_named(
    api: Api, cli: Cli, services: Services, tmp_path: Path
) -> None:
    cli("template", "add", str(write_template(tmp_path / "v1")))
    newer = write_template(tmp_path / "v2", {"app.py": "print('v2')\n"}, version="1.10.0")
    cli("template", "add", str(newer))
    versions = [v for name, v, _, _ in listed(api) if name == "tiny-app"]
    assert versions == ["1.10.0", "1.2.0"]
    latest = start(api, "tiny-app")
    assert file_at(services, str(latest["branch"]), "app.py") == b"print('v2')\n"
    older = start(api, "tiny-app@1.2.0")
    assert file_at(services, str(older["branch"]), "app.py") == b"print('hi')\n"
    missing = start(api, "tiny-app@9.9.9", expect=400)
    assert "no template 'tiny-app@9.9.9'" in error(missing)["message"]


def test_the_same_version_again_is_idempotent_and_with_other_content_a_conflict(
    cli: Cli, tmp_path: Path
) -> None:
    source = write_template(tmp_path / "t")
    cli("template", "add", str(source))
    assert "already held template tiny-app@1.2.0" in cli("template", "add", str(source)).output
    (source / "files" / "app.py").write_text("print('changed')\n")
    refused = cli("template", "add", str(source), expect=1).output
    assert "already_exists" in refused and "new version" in refused


def test_a_template_from_a_git_url_is_cloned(
    api: Api, cli: Cli, services: Services, tmp_path: Path
) -> None:
    work = write_template(tmp_path / "work", {"run.sh": "echo hi\n"}, name="from-git")
    (work / "files" / "run.sh").chmod(0o755)
    repo = pygit2.init_repository(str(work))
    repo.index.add_all()
    repo.index.write()
    who = pygit2.Signature("t", "t@example.com")
    repo.create_commit("HEAD", who, who, "Template", repo.index.write_tree(), [])
    bare = tmp_path / "template.git"
    pygit2.clone_repository(str(work), str(bare), bare=True)

    assert "added template from-git@1.2.0" in cli("template", "add", bare.as_uri()).output
    by_path = cli("template", "add", str(bare)).output  # a bare repository's path: cloned too
    assert "already held template from-git@1.2.0" in by_path
    started = start(api, "from-git")
    assert file_at(services, str(started["branch"]), "run.sh") == b"echo hi\n"
    head = repo_of(services).head(str(started["branch"]))
    assert repo_of(services).read_file(head, "run.sh").mode == 0o100755


def test_an_orgs_template_is_its_own_and_listed_by_cli(api: Api, cli: Cli, tmp_path: Path) -> None:
    cli("org", "add", "acme")
    cli("template", "add", str(write_template(tmp_path / "t")), "--org", "acme")
    assert "tiny-app" in cli("template", "list", "--org", "acme").output
    assert "tiny-app" not in cli("template", "list").output
    assert not [t for t in listed(api) if t[0] == "tiny-app"]
    cli("org", "delete", "acme", "--yes")
    cli("org", "add", "acme")
    assert "tiny-app" not in cli("template", "list", "--org", "acme").output


def test_plugin_template_directories_are_listed_and_usable(
    api: Api, services: Services, tmp_path: Path
) -> None:
    services.plugin_template_dirs.append(write_template(tmp_path / "p", name="from-plugin"))
    assert ("from-plugin", "1.2.0", "plugin", 1) in listed(api)
    assert start(api, "from-plugin")["template"] == "from-plugin@1.2.0"


def test_listing_one_template_shows_its_prompts(api: Api) -> None:
    found = api.post("/templates/list", name="llm-chatbot")["templates"]
    assert [t["name"] for t in found] == ["llm-chatbot"]
    assert "{project_name}" in found[0]["prompts"]["kickoff"]
    assert api.post("/templates/list")["templates"][0]["prompts"] is None


def test_the_old_template_names_still_start_projects(api: Api, services: Services) -> None:
    started = start(api, "software")
    assert started["template"] == "software@1.0.0"
    tasks = yaml.safe_load(file_at(services, str(started["branch"]), "task.yaml"))
    assert tasks[0]["title"] == "Write down what done looks like for this project"
    unknown = start(api, "nothing-here", expect=400)
    assert "no template 'nothing-here'" in error(unknown)["message"]
    malformed = start(api, "Tiny_App@1", expect=400)
    assert error(malformed)["code"] == "invalid_input"
    assert "must be NAME or NAME@VERSION" in error(malformed)["message"]
