/* The API docs page: Swagger UI (from django-ninja's static files) started as django-ninja's
   swagger-ui-init.js starts it, with its 「Authorize」 button labelled 授权 (a plugin giving
   Swagger UI's AuthorizeBtn component again: the same markup and classes, a Chinese label). */
(function () {
  "use strict";
  const page = document.querySelector("body").dataset;
  const config = JSON.parse(document.getElementById("swagger-settings").textContent);

  function ChineseAuthorizeButton(system) {
    const React = system.React;
    function AuthorizeBtn(props) {
      const popup = props.getComponent("authorizationPopup", true);
      const icon = props.getComponent(props.isAuthorized ? "LockAuthIcon" : "UnlockAuthIcon", true);
      return React.createElement(
        "div",
        { className: "auth-wrapper" },
        React.createElement(
          "button",
          { className: "btn authorize " + (props.isAuthorized ? "locked" : "unlocked"), onClick: props.onClick },
          React.createElement("span", null, "授权"),
          icon ? React.createElement(icon, null) : null
        ),
        props.showPopup && popup ? React.createElement(popup, null) : null
      );
    }
    return { components: { authorizeBtn: AuthorizeBtn } };
  }

  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.plugins = [ChineseAuthorizeButton];
  if (page.apiCsrf && page.csrfToken) {
    config.requestInterceptor = function (req) {
      req.headers["X-CSRFToken"] = page.csrfToken;
      return req;
    };
  }
  SwaggerUIBundle(config);
})();
