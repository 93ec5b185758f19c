// The official TypeScript MCP client through draftroom's whole story, over streamable HTTP
// and over stdio. Usage: node story.mjs '<config JSON>' (see test_typescript_client.py).
//
// Every call goes through client.callTool, which checks structured content against the
// tool's outputSchema and throws McpError -32602 on a mismatch: a thrown call is recorded
// with its code, so the test sees exactly which result a TypeScript host would reject.
// Prints one JSON summary on stdout: {"http": TransportRun, "stdio": TransportRun}.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const REPO = "demo";
const config = JSON.parse(process.argv[2]);

/** One tool call as the summary records it; never throws. */
async function call(client, steps, step, name, args) {
  const record = { step, tool: name };
  try {
    const result = await client.callTool({ name, arguments: args });
    record.is_error = result.isError === true;
    record.structured = result.structuredContent !== undefined;
    const text = result.content?.find((item) => item.type === "text")?.text;
    const body = text === undefined ? undefined : JSON.parse(text);
    if (record.is_error) {
      record.code = body?.error?.code ?? null;
      record.message = body?.error?.message ?? null;
      record.request_id = body?.error?.request_id ?? null;
    } else {
      // The text content is the structured content, as JSON.
      record.text_matches = JSON.stringify(body) === JSON.stringify(result.structuredContent);
    }
    steps.push(record);
    return record.is_error ? undefined : result.structuredContent;
  } catch (error) {
    record.thrown = { code: error.code ?? null, message: String(error.message ?? error) };
    steps.push(record);
    return undefined;
  }
}

/** Init, commit, read, rollback, undo, merge request, then the refused calls. */
async function story(client, { agentOnly }) {
  const steps = [];
  const { tools } = await client.listTools();
  const init = await call(client, steps, "init", "sandbox_init", { repo_name: REPO, mode: "branch" });
  const sb = { repo_name: REPO, reuse_token: init?.reuse_token };
  const change = { path: "src/app.py", content: "print('hi')\n" };
  const commit = await call(client, steps, "commit", "git_commit", {
    ...sb,
    message: "Add app",
    changes: [change],
  });
  await call(client, steps, "read", "files_read", { ...sb, path: "src/app.py" });
  await call(client, steps, "rollback", "git_rollback_commit", {
    ...sb,
    commit_sha: commit?.commit_sha,
    reason: "try the undo",
  });
  await call(client, steps, "undo", "sandbox_undo", { ...sb, steps: 1 });
  const reread = await call(client, steps, "read_again", "files_read", { ...sb, path: "src/app.py" });
  await call(client, steps, "merge_request", "merge_request", {
    ...sb,
    title: "Add app",
    description: "From the TypeScript client",
  });

  const [prefix, id] = (sb.reuse_token ?? "drt_x_y").split("_");
  await call(client, steps, "wrong_token", "files_read", {
    ...sb,
    reuse_token: `${prefix}_${id}_${"0".repeat(32)}`,
    path: "src/app.py",
  });
  await call(client, steps, "other_branch", "files_write", {
    ...sb,
    branch: "main",
    path: "x.md",
    content: "x",
    message: "m",
  });
  await call(client, steps, "missing_file", "files_read", { ...sb, path: "nope/missing.md" });
  await call(client, steps, "bad_path", "files_read", { ...sb, path: "/etc/passwd" });
  await call(client, steps, "bad_input", "git_commit", { ...sb, message: "Nothing", changes: [] });
  await call(client, steps, "stale_head", "git_commit", {
    ...sb,
    message: "Edit from an old head",
    changes: [{ path: "src/app.py", content: "print('stale')\n" }],
    expected_head: commit?.commit_sha,
  });
  if (agentOnly) {
    await call(client, steps, "admin_tool", "sandbox_list", {});
  } else {
    await call(client, steps, "unknown_merge", "merge_show", { id: 999999 });
  }
  return {
    tools: tools.map((tool) => ({ name: tool.name, annotations: tool.annotations ?? null })),
    reread_content: reread?.content ?? null,
    steps,
    extras: await extras(client, sb, init?.branch),
  };
}

/** Prompts, a resource read in a slice, and progress notifications of a sync. */
async function extras(client, sb, branch) {
  const { prompts } = await client.listPrompts();
  const resume = await client.getPrompt({ name: "resume", arguments: sb });
  const { resourceTemplates } = await client.listResourceTemplates();
  const uri = `draftroom://${REPO}/${encodeURIComponent(branch)}/src/app.py`;
  const slice = await client.readResource({
    uri: `${uri}?reuse_token=${encodeURIComponent(sb.reuse_token)}&offset=6&length=4`,
  });
  const progress = [];
  const synced = await client.callTool({ name: "sandbox_sync", arguments: sb }, undefined, {
    onprogress: (note) => progress.push(note.progress),
  });
  return {
    prompts: prompts.map((prompt) => prompt.name),
    resume_text: resume.messages[0]?.content?.text ?? null,
    templates: resourceTemplates.map((template) => template.uriTemplate),
    slice: slice.contents[0]?.text ?? null,
    sync_error: synced.isError === true,
    progress,
  };
}

/** With ?toolsets=core&read_only=1: the listed tools, and what a write answers. */
async function readOnly(client) {
  const { tools } = await client.listTools();
  const steps = [];
  await call(client, steps, "write", "files_write", {
    repo_name: REPO,
    reuse_token: "drt_x_y",
    path: "a.md",
    content: "a",
    message: "m",
  });
  return { tools: tools.map((tool) => tool.name), write: steps[0] };
}

async function run(transport, options, scenario = story) {
  const client = new Client({ name: "draftroom-ts-test", version: "1.0.0" });
  await client.connect(transport);
  try {
    return await scenario(client, options);
  } finally {
    await client.close();
  }
}

const summary = {};
if (config.http) {
  const transport = new StreamableHTTPClientTransport(new URL(config.http.url), {
    requestInit: { headers: { Authorization: `Bearer ${config.http.key}` } },
  });
  summary.http = await run(transport, { agentOnly: true });
  const url = new URL(config.http.url);
  url.search = "toolsets=core&read_only=1";
  const limited = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { Authorization: `Bearer ${config.http.key}` } },
  });
  summary.read_only = await run(limited, {}, readOnly);
}
if (config.stdio) {
  const transport = new StdioClientTransport({
    command: config.stdio.command,
    args: config.stdio.args,
    env: { ...process.env },
    stderr: "inherit",
  });
  summary.stdio = await run(transport, { agentOnly: true });  // stdio serves an agent too
}
process.stdout.write(JSON.stringify(summary) + "\n");
