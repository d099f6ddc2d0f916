// "Use my location" on the hubs' directory: fill the form's point and send it.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=hubs-locate]");
  if (!form) return;
  var button = form.querySelector("[data-testid=hubs-use-location]");
  var status = form.querySelector(".hubs-locate-status");
  button.addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = form.dataset.failed; return; }
    status.textContent = form.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lng.value = pos.coords.longitude.toFixed(6);
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      form.submit();
    }, function () { status.textContent = form.dataset.failed; }, { timeout: 10000 });
  });
})();
