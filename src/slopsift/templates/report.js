(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.doc-row"));
  var articles = Array.prototype.slice.call(document.querySelectorAll("article.doc"));
  var placeholder = document.getElementById("placeholder");
  var allBox = document.getElementById("all-evidence");

  function show(key, remember) {
    var found = false;
    articles.forEach(function (a) {
      var on = a.id === key;
      a.hidden = !on;
      found = found || on;
    });
    rows.forEach(function (r) {
      r.classList.toggle("selected", r.getAttribute("data-doc") === key);
    });
    placeholder.hidden = found;
    if (found && remember && window.history && history.replaceState) {
      // "#show-N", not "#doc-N": the page must not jump to the element.
      history.replaceState(null, "", "#show-" + key.slice(4));
    }
    return found;
  }

  rows.forEach(function (r) {
    var key = r.getAttribute("data-doc");
    r.addEventListener("click", function () { show(key, true); });
    r.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); show(key, true); }
      if (e.key === "ArrowDown" && r.nextElementSibling) { r.nextElementSibling.focus(); }
      if (e.key === "ArrowUp" && r.previousElementSibling) { r.previousElementSibling.focus(); }
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("input.fam-toggle"), function (cb) {
    cb.addEventListener("change", function () {
      document.body.classList.toggle("hide-" + cb.value, !cb.checked);
    });
  });
  allBox.addEventListener("change", function () {
    document.body.classList.toggle("all-evidence", allBox.checked);
  });
  var hash = location.hash.replace(/^#/, "");
  if (!(hash.indexOf("show-") === 0 && show("doc-" + hash.slice(5))) && rows.length) {
    show(rows[0].getAttribute("data-doc"));
  }

  function selftest() {
    var out = {
      errors: window.__errors.slice(),
      pwned: typeof window.__pwned !== "undefined",
      title: document.title,
      images: document.querySelectorAll("img").length,
      scripts: document.scripts.length,
      iframes: document.querySelectorAll("iframe,object,embed").length,
      docs: [],
      counts: data.counts
    };
    rows.forEach(function (r, i) {
      var key = r.getAttribute("data-doc");
      r.click();
      var art = document.getElementById(key);
      var text = art.querySelector("pre.text");
      out.docs.push({
        key: key,
        shown: !art.hidden && art.getClientRects().length > 0,
        rowId: r.querySelector("td.id").textContent,
        jsonId: data.docs[i] ? data.docs[i].id : null,
        headingId: art.querySelector(".doc-id").textContent,
        text: text.textContent,
        elementsInText: text.querySelectorAll("*:not(mark)").length,
        marks: Array.prototype.map.call(text.querySelectorAll("mark"), function (m) {
          return {
            text: m.textContent,
            signal: m.getAttribute("data-signal"),
            reason: m.classList.contains("reason"),
            background: getComputedStyle(m).backgroundColor
          };
        })
      });
    });
    document.getElementById("selftest").textContent = JSON.stringify(out);
  }
  if (location.hash === "#selftest") {
    try { selftest(); } catch (e) { document.getElementById("selftest").textContent = JSON.stringify({fatal: String(e)}); }
  }
})();
