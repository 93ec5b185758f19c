"""Templates and prompt packs: a project's starting files, tasks, memories and prompts.

A template is ``template.yaml`` plus a ``files/`` directory, read from a directory or a git
URL, checked whole (``build_template``) and kept versioned in ``DATA_DIR/templates.git``.
The catalog an org sees holds the built-ins (``kits/``), every org's, its own and plugins';
``sandbox.init`` writes one into a new sandbox's first commit, and ``prompts.get`` fills one
of its prompts from the workspace. See docs/templates.md.
"""

from draftroom.domain.templates.adding import Added, add_template
from draftroom.domain.templates.catalog import (
    BUILTIN_VERSION,
    KITS_DIR,
    BuiltinTemplates,
    Listed,
    list_templates,
    org_slug,
    resolve_template,
)
from draftroom.domain.templates.filling import PLACEHOLDERS, fill_prompt, placeholder_problems
from draftroom.domain.templates.manifest import (
    MANIFEST,
    Manifest,
    MemorySeed,
    Problems,
    TaskSeed,
    parse_manifest,
    version_key,
)
from draftroom.domain.templates.prompting import FilledPrompt, fill_sandbox_prompt
from draftroom.domain.templates.sources import read_directory, read_source
from draftroom.domain.templates.storage import STORE_DIR, forget_org_templates, store_template
from draftroom.domain.templates.template import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TOTAL_BYTES,
    Template,
    build_template,
)

__all__ = [
    "BUILTIN_VERSION",
    "KITS_DIR",
    "MANIFEST",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "PLACEHOLDERS",
    "STORE_DIR",
    "Added",
    "BuiltinTemplates",
    "FilledPrompt",
    "Listed",
    "Manifest",
    "MemorySeed",
    "Problems",
    "TaskSeed",
    "Template",
    "add_template",
    "build_template",
    "fill_prompt",
    "fill_sandbox_prompt",
    "forget_org_templates",
    "list_templates",
    "org_slug",
    "parse_manifest",
    "placeholder_problems",
    "read_directory",
    "read_source",
    "resolve_template",
    "store_template",
    "version_key",
]
