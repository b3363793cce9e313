/* A filter applies as soon as it is chosen; the "Toon" button stays for keyboards and for pages
   without scripts. A changed filter drops the choices that hang below it (a member of another
   cross-section, a period of another period type). */
(function () {
  "use strict";
  var below = { gemeente: ["lid"], periodetype: ["periode"], doorsnede: ["lid", "periode"] };
  document.querySelectorAll("form.filters select").forEach(function (select) {
    select.addEventListener("change", function () {
      (below[select.name] || []).forEach(function (name) {
        var other = select.form.elements[name];
        if (other) { other.disabled = true; }
      });
      select.form.submit();
    });
  });
})();
