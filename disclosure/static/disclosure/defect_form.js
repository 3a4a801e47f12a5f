// The defect form: choosing a category sets the severity to the category's usual one
// (each option carries data-default-severity); the user may still change it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select.defect-category").forEach(function (category) {
    var form = category.form;
    var severity = form && form.querySelector("select.defect-severity");
    if (!severity) {
      return;
    }
    category.addEventListener("change", function () {
      var option = category.options[category.selectedIndex];
      var severityDefault = option && option.getAttribute("data-default-severity");
      severity.value = severityDefault || "";
    });
  });
});
