// 一窗导诉台 login: posts the form as JSON to /desk/login, then opens the desk.
(function () {
  "use strict";

  var MESSAGES = {
    401: "用户名或密码不正确，请重新输入。",
    429: "登录失败次数过多，请 5 分钟后再试。",
    400: "请填写用户名和密码。",
    offline: "无法连接服务器，请检查网络后再试。",
    server: "服务器暂时出了问题，请稍后再试。"
  };

  function start() {
    var form = document.getElementById("login");
    var error = document.getElementById("login-error");
    var button = document.getElementById("login-button");
    var params = new URLSearchParams(window.location.search);
    if (params.get("expired")) {
      error.textContent = "登录已过期，请重新登录。";
      error.hidden = false;
    }
    document.getElementById("username").focus();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var username = document.getElementById("username").value.trim();
      var password = document.getElementById("password").value;
      if (username === "" || password === "") {
        error.textContent = MESSAGES[400];
        error.hidden = false;
        return;
      }
      button.disabled = true;
      button.textContent = "正在登录…";
      fetch("/desk/login", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: username, password: password })
      })
        .then(function (response) {
          if (response.ok) {
            window.location.assign("/desk");
            return;
          }
          error.textContent = MESSAGES[response.status] || MESSAGES.server;
          error.hidden = false;
          document.getElementById("password").value = "";
        })
        .catch(function () {
          error.textContent = MESSAGES.offline;
          error.hidden = false;
        })
        .finally(function () {
          button.disabled = false;
          button.textContent = "登录";
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
