/* Case page: document upload with a progress bar (XHR upload progress). */
(function () {
  "use strict";

  function csrf() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRF-Token"] || "";
  }

  function say(message, kind) { if (window.CaseStudio) { window.CaseStudio.toast(message, kind); } }

  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var bar = form.querySelector(".upload__progress");
    var status = form.querySelector(".upload__status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]").files[0];
      if (!file) { return; }
      event.preventDefault();
      if (file.size > Number(form.dataset.maxBytes || Infinity)) {
        say(file.name + " is larger than the upload limit.", "error");
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-CSRF-Token", csrf());
      xhr.setRequestHeader("HX-Request", "true");
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) { return; }
        var pct = Math.round((100 * e.loaded) / e.total);
        bar.value = pct;
        status.textContent = "Uploading " + file.name + ": " + pct + " %";
      };
      xhr.onload = function () {
        button.disabled = false;
        bar.hidden = true;
        if (xhr.status === 200) {
          var timeline = document.getElementById("timeline");
          timeline.innerHTML = xhr.responseText;
          window.htmx.process(timeline);
          status.textContent = "";
          form.reset();
          say("Uploaded " + file.name + ".", "ok");
        } else {
          status.textContent = "";
          say("Upload failed: " + (xhr.responseText || xhr.status), "error");
        }
      };
      xhr.onerror = function () { button.disabled = false; bar.hidden = true; say("Upload failed: network error.", "error"); };
      bar.value = 0;
      bar.hidden = false;
      button.disabled = true;
      var body = new FormData(form);
      xhr.send(body);
    });
  });
}());
