// Resolves *.vault.azure.net to loopback for the Node.js floor, as the JVM's jdk.net.hosts.file
// does for kvload: the fake vault's names must not reach a DNS server. Every other name resolves
// as usual. Loaded with node --require before anything else.
const dns = require("node:dns");
const lookup = dns.lookup;
dns.lookup = function (host, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = {};
  }
  if (typeof host === "string" && host.endsWith(".vault.azure.net")) {
    const all = typeof options === "object" && options !== null && options.all;
    return process.nextTick(() =>
      all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4),
    );
  }
  return lookup.call(dns, host, options, callback);
};
