// Lists the notes and adds new ones through the JSON API.
async function refresh() {
  const notes = await fetch("/api/notes").then((r) => r.json());
  const list = document.getElementById("notes");
  list.replaceChildren(...notes.map((note) => {
    const item = document.createElement("li");
    item.textContent = note.text;
    return item;
  }));
}

document.getElementById("add").onsubmit = async (event) => {
  event.preventDefault();
  const text = document.getElementById("text");
  await fetch("/api/notes", {
    method: "POST",
    headers: {"content-type": "application/json"},
    body: JSON.stringify({text: text.value}),
  });
  text.value = "";
  await refresh();
};

refresh();
