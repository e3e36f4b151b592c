// Enter in a module-version picker's search box finds versions, as its button does. Enter
// in any other field of the form submits the form's main action: the form's first submit
// button is a hidden copy of it (templates/macros/version_picker.html).
for (const find of document.querySelectorAll('button[name="action"][value="find"]')) {
  const form = find.form;
  const box = form && form.elements.namedItem("find");
  if (box instanceof HTMLInputElement && !box.dataset.findsOnEnter) {
    box.dataset.findsOnEnter = "true";
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        find.click();
      }
    });
  }
}
