// Demo mode: a click on a demo account fills the login form and submits it.
document.querySelectorAll("[data-demo-login]").forEach(function (button) {
  button.addEventListener("click", function () {
    document.querySelector("input[name=username]").value = button.dataset.username;
    document.querySelector("input[name=password]").value = button.dataset.password;
    document.querySelector("input[name=password]").form.requestSubmit();
  });
});
