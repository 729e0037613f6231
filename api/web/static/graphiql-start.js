// GraphiQL on this server's /graphql, from the vendored builds (no CDN). The query and its
// variables are kept in the address's fragment (#query=…&variables=…), so a URL shares a
// query: a fragment never reaches the server, which answers /graphql?query=… with data.
(function () {
  var shared = new URLSearchParams(window.location.hash.slice(1));
  var defaultQuery =
    "# Engines that do speculative decoding on AMD Instinct\n" +
    "{\n  engines(first: 10, filter: {techniques: {allOf: [\"speculative-decoding\"]}, " +
    "platforms: {allOf: [\"amd-instinct\"]}}) {\n    nodes { slug name }\n  }\n}\n";
  function remember(name) {
    return function (value) {
      shared.set(name, value);
      history.replaceState(null, "", "#" + shared.toString());
    };
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: "/graphql" }),
      defaultQuery: defaultQuery,
      query: shared.get("query") || undefined,
      variables: shared.get("variables") || undefined,
      onEditQuery: remember("query"),
      onEditVariables: remember("variables"),
    })
  );
})();
