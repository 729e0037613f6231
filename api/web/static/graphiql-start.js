// GraphiQL on this server's /graphql, from the vendored builds (no CDN). The query can be
// shared through ?query=…&variables=… in the address.
(function () {
  var params = new URLSearchParams(window.location.search);
  var defaultQuery =
    "# Engines that do speculative decoding, and the papers behind it\n" +
    "{\n  engines(first: 5, filter: {techniques: {allOf: [\"speculative-decoding\"]}}) {\n" +
    "    nodes { slug name }\n  }\n}\n";
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  function remember(name) {
    return function (value) {
      params.set(name, value);
      history.replaceState(null, "", "?" + params.toString());
    };
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      query: params.get("query") || undefined,
      variables: params.get("variables") || undefined,
      onEditQuery: remember("query"),
      onEditVariables: remember("variables"),
    })
  );
})();
