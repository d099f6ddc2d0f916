// The check-in code at the post: fetch a fresh code every few seconds (data-refresh-seconds),
// so a photo of an old one stops working when its token expires.
(function () {
  "use strict";
  var box = document.querySelector("[data-qr-refresh]");
  if (!box) return;
  var img = box.querySelector(".vol-qr-image");
  var status = box.querySelector("[data-qr-status]");
  if (!img) return;
  var seconds = parseInt(box.getAttribute("data-refresh-seconds"), 10) || 60;

  function stale() {
    if (status) {
      status.textContent = status.getAttribute("data-stale-text");
      status.classList.add("vol-qr-stale");
    }
  }

  function refresh() {
    fetch(box.getAttribute("data-qr-refresh"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json();
      })
      .then(function (data) {
        img.src = data.svg;
        box.setAttribute("data-scan-url", data.url);
        box.setAttribute("data-expires-at", data.expires_at);
        if (status) status.classList.remove("vol-qr-stale");
        if (data.refresh_seconds) seconds = data.refresh_seconds;
      })
      .catch(stale)
      .then(function () {
        window.setTimeout(refresh, seconds * 1000);
      });
  }

  window.setTimeout(refresh, seconds * 1000);
})();
