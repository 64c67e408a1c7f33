// The Cancel dialog: the same server-rendered form as the no-JavaScript page, shown in a <dialog>.
const dialog = document.getElementById("cancel-dialog");

async function loadInto(url) {
  url.searchParams.set("fragment", "1");
  const response = await fetch(url, { credentials: "same-origin" });
  dialog.querySelector(".dialog-content").innerHTML = await response.text();
}

document.addEventListener("click", (event) => {
  const opener = event.target.closest("a[data-dialog='cancel-dialog']");
  if (opener && dialog) {
    event.preventDefault();
    loadInto(new URL(opener.href)).then(() => dialog.showModal());
    return;
  }
  if (event.target.closest("[data-close-dialog]")) dialog.close();
});

document.addEventListener("change", (event) => {
  const select = event.target.closest("form[data-refresh] select");
  if (!select || !dialog || !dialog.open) return;
  const url = new URL(select.form.action);
  url.searchParams.set(select.name, select.value);
  loadInto(url);
});
