// The query page (/query): YASGUI on this service's endpoint, one tab per named query.
// Ours, not part of the vendored YASGUI build; the page's settings come from #query-config.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("query-config").textContent);
  const endpoint = new URL(config.endpoint, document.baseURI).href;

  // "property" and "class" completion ask lov.linkeddata.es: this page talks to no other host
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  Yasgui.Yasqe.defaults.value = config.newTabQuery;

  const element = document.getElementById("yasgui");
  const yasgui = new Yasgui(element, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null, // the examples are the starting point on every visit
    autoAddOnInit: false,
    yasr: { prefixes: config.prefixes }, // results show id:process/INC, not the full IRI
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  config.examples.forEach(function (example, index) {
    yasgui.addTab(index === 0, {
      name: example.name,
      yasqe: { value: example.sparql },
      requestConfig: { endpoint: endpoint },
    });
  });
  if (!config.examples.length) yasgui.addTab(true, { requestConfig: { endpoint: endpoint } });

  // YASR links an IRI to itself; ours go to their pages here, as the site's own pages link them
  // (query_page.link_rules and local_href, which the tests hold to Site.href)
  const links = config.links;
  const described = new Set(links.described);
  function localHref(iri) {
    for (const rule of links.rules) {
      if (rule.exact !== undefined && iri === rule.exact) return rule.to;
      if (rule.prefix !== undefined && iri.indexOf(rule.prefix) === 0) {
        const rest = iri.slice(rule.prefix.length);
        if (rest || rule.suffix === undefined) return rule.to + rest + (rule.suffix || "");
      }
    }
    return described.has(iri) ? links.resource + encodeURIComponent(iri) : iri;
  }
  function localise(root) {
    root.querySelectorAll("a.iri:not([data-iri])").forEach(function (link) {
      const iri = link.getAttribute("href") || "";
      link.dataset.iri = iri; // done: a rewritten link is never rewritten again
      link.setAttribute("href", localHref(iri));
      link.title = iri;
    });
  }
  new MutationObserver(function () { localise(element); }).observe(element, { childList: true, subtree: true });
  window.itsmPrmYasgui = yasgui; // for the browser test and the curious
})();
