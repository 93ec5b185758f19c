"""The project workspace: memory, tasks and a reasoning trace kept as files on the sandbox
branch (``memory.yaml``, ``task.yaml``, ``reasoning_trace.md``), next to the code.

Every write is one audited commit through ``domain.changes.commit_and_log``, so it can be
rolled back like any other. Files are parsed once per blob id (``parse_cache(repo)``, kept with the repository), and
parses of large versions are kept on disk for the next process (``disk_cache``).
The formats are documented in docs/workspace.md.
"""

from draftroom.domain.workspace.cache import parse_cache
from draftroom.domain.workspace.counts import WorkspaceCounts, workspace_counts
from draftroom.domain.workspace.export import ExportPage, Record, RecordType, export_page
from draftroom.domain.workspace.files import MEMORY_FILE, TASKS_FILE, TRACE_FILE, WORKSPACE_FILES
from draftroom.domain.workspace.formats import load_yaml
from draftroom.domain.workspace.memory import (
    HUMAN_CHANGE,
    HUMAN_CHANGE_TOOL,
    MemoryEntry,
    MemoryIndex,
    MemoryPage,
    MemoryStats,
    add_memory,
    add_memory_entries,
    delete_memory,
    memory_entries,
    memory_entry,
    memory_index,
    memory_stats,
    query_memory,
)
from draftroom.domain.workspace.prompts import (
    PROMPT_PACKS,
    Prompt,
    PromptArgument,
    render_prompt,
)
from draftroom.domain.workspace.reasoning import (
    Kind,
    ReasoningEntry,
    ReasoningPage,
    log_reasoning,
    read_reasoning,
    reasoning_entries,
)
from draftroom.domain.workspace.resume import Briefing, resume_briefing
from draftroom.domain.workspace.scaffold import (
    TEMPLATE_KIND,
    TEMPLATES,
    Scaffolded,
    Starter,
    check_project,
    scaffold_project,
)
from draftroom.domain.workspace.tasks import (
    TRANSITIONS,
    Priority,
    Status,
    Task,
    TaskPage,
    create_task,
    list_tasks,
    tasks_of,
    update_task,
)

__all__ = [
    "HUMAN_CHANGE",
    "HUMAN_CHANGE_TOOL",
    "MEMORY_FILE",
    "PROMPT_PACKS",
    "TASKS_FILE",
    "TEMPLATES",
    "TEMPLATE_KIND",
    "TRACE_FILE",
    "TRANSITIONS",
    "WORKSPACE_FILES",
    "Briefing",
    "ExportPage",
    "Kind",
    "MemoryEntry",
    "MemoryIndex",
    "MemoryPage",
    "MemoryStats",
    "Priority",
    "Prompt",
    "PromptArgument",
    "ReasoningEntry",
    "ReasoningPage",
    "Record",
    "RecordType",
    "Scaffolded",
    "Starter",
    "Status",
    "Task",
    "TaskPage",
    "WorkspaceCounts",
    "add_memory",
    "add_memory_entries",
    "check_project",
    "create_task",
    "delete_memory",
    "export_page",
    "list_tasks",
    "load_yaml",
    "log_reasoning",
    "memory_entries",
    "memory_entry",
    "memory_index",
    "memory_stats",
    "parse_cache",
    "query_memory",
    "read_reasoning",
    "reasoning_entries",
    "render_prompt",
    "resume_briefing",
    "scaffold_project",
    "tasks_of",
    "update_task",
    "workspace_counts",
]
