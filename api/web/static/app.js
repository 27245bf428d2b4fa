// mentormatch web app: small enhancements; every page works without this file.
"use strict";

// Drag and drop a sheet onto an upload area: the file goes into its file input.
function enableDrop(zone) {
  const input = zone.querySelector("input[type=file]");
  if (!input) return;
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      const hint = zone.querySelector("[data-drop-hint]");
      if (hint) hint.textContent = "Chosen: " + input.files[0].name;
    }
  });
}

// A slider's read-out follows it.
function followSliders(root) {
  for (const output of root.querySelectorAll("output[for]")) {
    const input = document.getElementById(output.htmlFor.value || output.getAttribute("for"));
    if (!input) continue;
    input.addEventListener("input", () => { output.value = Number(input.value).toFixed(2); });
  }
}

// A column's question name and type show only when it is a question of your own.
function followFeeds(select) {
  const column = select.closest("fieldset");
  const update = () => {
    for (const part of column.querySelectorAll("[data-attribute-only]")) {
      part.hidden = select.value !== "attribute";
    }
  };
  select.addEventListener("change", update);
  update();
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-feeds]").forEach(followFeeds);
  document.querySelectorAll("[data-drop]").forEach(enableDrop);
  followSliders(document);
});
