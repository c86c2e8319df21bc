/* The API docs page: Swagger UI (from django-ninja's static files) started as django-ninja's
   swagger-ui-init.js starts it, with its 「Authorize」 button labelled 授权 (a plugin giving
   Swagger UI's AuthorizeBtn component again: the same markup and classes, a Chinese label) and
   its other labels put in Chinese as they are rendered (ZH below). */
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

  /* Swagger UI has no translations: its own labels (whole text nodes and the title, aria-label and
     placeholder attributes) are given in Chinese as it renders them, never inside code, responses
     or typed values (pre, code, textarea, input), which are data. */
  const ZH = {
    "Parameters": "参数", "No parameters": "没有参数", "Name": "名称", "Description": "说明",
    "Try it out": "试一试", "Cancel": "取消", "Execute": "执行", "Clear": "清除", "Reset": "重置",
    "Responses": "响应", "Response": "响应", "Code": "状态码", "Details": "详情", "Links": "链接",
    "No links": "无链接", "Media type": "媒体类型", "Controls": "设置请求的", "header.": "头。",
    "Example Value": "示例值", "Schema": "结构", "Curl": "curl 命令", "Request URL": "请求地址",
    "Server response": "服务器响应", "Response body": "响应内容", "Response headers": "响应头",
    "Download": "下载", "Request body": "请求体", "required": "必填", "Undocumented": "文档未列出",
    "Loading...": "加载中…", "Available values": "可选值", "Default value": "默认值",
    "Send empty value": "发送空值", "Add string item": "添加一项", "Add item": "添加一项",
    "query": "查询参数", "path": "路径参数", "formData": "表单字段", "header": "请求头",
    "string": "文本", "integer": "整数", "number": "数值", "boolean": "真假值", "array": "数组",
    "object": "对象", "Value": "值", "Value:": "值：", "Name:": "名称：", "In:": "位置：",
    "Available authorizations": "可用的授权方式", "Authorize": "授权", "Authorized": "已授权",
    "Logout": "退出", "Close": "关闭", "OK": "成功", "Bad Request": "请求有误", "Unauthorized": "未登录",
    "Forbidden": "无权访问", "Not Found": "未找到", "Conflict": "冲突（已被他人修改）",
    "Unprocessable Entity": "参数无效", "Too Many Requests": "请求过多", "Internal Server Error": "服务器出错",
    "Collapse operation": "收起", "Expand operation": "展开", "Copy to clipboard": "复制到剪贴板",
    "authorization button unlocked": "授权（未授权）", "authorization button locked": "授权（已授权）",
    "Failed to fetch.": "请求失败。", "Possible Reasons:": "可能的原因：", "CORS": "跨域限制",
    "Network Failure": "网络故障", "URL scheme must be \"http\" or \"https\" for CORS request.":
      "跨域请求的地址须以 http 或 https 开头。",
  };
  const DATA = "pre, code, textarea, input, select, .opblock-summary-path, .request-url";
  const ATTRS = ["title", "aria-label", "placeholder"];

  // Swagger UI's own checks of what was typed before a call ("For 'year': Value must be an integer.")
  const CHECKS = {
    "Please correct the following validation errors and try again.": "请先改正以下输入再执行。",
    "Required field is not provided": "必填，未填写",
    "Value must be an integer": "应为整数",
    "Value must be a number": "应为数字",
    "Value must be a string": "应为文本",
    "Value must be a Boolean": "应为 true 或 false",
    "Value must be a valid date": "应为有效日期（YYYY-MM-DD）",
    "Value must be a valid uuid": "应为有效的 UUID",
    "Value must be a valid email address": "应为有效的电子邮箱",
    "Parameter string value must be valid JSON": "应为有效的 JSON",
  };
  const BOUNDS = [
    [/^Value must be less than (.+)$/, "应小于 $1"],
    [/^Value must be greater than (.+)$/, "应大于 $1"],
    [/^Value must be no longer than (\d+) characters?$/, "不能超过 $1 个字符"],
    [/^Value must be at least (\d+) characters?$/, "至少 $1 个字符"],
  ];

  function zhCheck(text) {
    const m = /^For '(.+)': (.+?)\.?$/.exec(text);
    const [name, what] = m ? [m[1], m[2]] : [null, text.replace(/\.$/, "")];
    let zhWhat = CHECKS[text] || CHECKS[what];
    for (const [re, to] of BOUNDS) if (!zhWhat && re.test(what)) zhWhat = what.replace(re, to);
    if (!zhWhat) return null;
    return name ? "参数 " + name + "：" + zhWhat + "。" : zhWhat;
  }

  function zhText(node) {
    const raw = node.nodeValue;
    const key = raw.trim();
    if (!key) return;
    const parent = node.parentElement;
    if (!parent || parent.closest(DATA)) return;
    const to = Object.prototype.hasOwnProperty.call(ZH, key) ? ZH[key] : zhCheck(key);
    if (to) node.nodeValue = raw.replace(key, to);
  }

  function zhAttrs(el) {
    if (el.closest(DATA) && el.tagName !== "INPUT" && el.tagName !== "TEXTAREA") return;
    for (const a of ATTRS) {
      const v = el.getAttribute(a);
      if (v && Object.prototype.hasOwnProperty.call(ZH, v.trim())) el.setAttribute(a, ZH[v.trim()]);
    }
  }

  function zh(root) {
    if (root.nodeType === 3) return zhText(root);
    if (root.nodeType !== 1) return;
    zhAttrs(root);
    root.querySelectorAll("[title], [aria-label], [placeholder]").forEach(zhAttrs);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) zhText(n);
  }

  const target = document.getElementById("swagger-ui");
  new MutationObserver(function (changes) {
    for (const c of changes) {
      if (c.type === "characterData") zhText(c.target);
      else if (c.type === "attributes") zhAttrs(c.target);
      else c.addedNodes.forEach(zh);
    }
  }).observe(target, {
    childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ATTRS,
  });

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
