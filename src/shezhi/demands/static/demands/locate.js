// "Use my location": fills the form's hidden point from the phone, when it can.
(function () {
  var button = document.querySelector(".demand-locate");
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  var said = document.querySelector(".demand-located");
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_lng").value = pos.coords.longitude.toFixed(6);
      document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
      said.textContent = button.dataset.done || "✓";
    });
  });
})();
