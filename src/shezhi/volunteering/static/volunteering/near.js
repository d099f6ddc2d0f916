// "Nearest to me": ask the phone for its position and list the activities by distance.
(function () {
  "use strict";
  var button = document.querySelector("[data-near-me]");
  if (!button || !("geolocation" in navigator)) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        var params = new URLSearchParams(window.location.search);
        params.set("lng", pos.coords.longitude.toFixed(5));
        params.set("lat", pos.coords.latitude.toFixed(5));
        window.location.search = params.toString();
      },
      function () {
        button.disabled = false;
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
    );
  });
})();
