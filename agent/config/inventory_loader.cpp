#include "agent/config/inventory_loader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <variant>

#include "agent/config/yaml_reader.h"
#include "core/cidr.h"
#include "core/schedule.h"

namespace cloison {

namespace {

namespace fs = std::filesystem;

class inventory_reader {
 public:
  inventory_reader(const std::string& path, diagnostics& out, inventory_references* references)
      : y_(path, out), base_(fs::path(path).parent_path()), external_(references) {}

  inventory read(const YAML::Node& doc) {
    inventory inv;
    inv.source = y_.file();
    if (!y_.expect_map(doc, "inventory",
                       {"establishment", "segments", "vantage_points", "hosts", "directories",
                        "backup_accounts", "flows", "isolation", "schedule", "alerts", "retention",
                        "policies", "waivers", "reachability"},
                       {"establishment"})) {
      return inv;
    }
    inv.establishment = y_.text(doc, "establishment").value_or("");
    for_each(doc, "segments", [&](const YAML::Node& n) { read_segment(n, inv); });
    for_each(doc, "hosts", [&](const YAML::Node& n) { read_host(n, inv); });
    for_each(doc, "directories", [&](const YAML::Node& n) { read_directory(n, inv); });
    for_each(doc, "vantage_points", [&](const YAML::Node& n) { read_vantage_point(n, inv); });
    for_each(doc, "backup_accounts", [&](const YAML::Node& n) { read_account(n, inv); });
    for_each(doc, "flows", [&](const YAML::Node& n) { read_flow(n, inv); });
    for_each(doc, "alerts", [&](const YAML::Node& n) { read_alert(n, inv); });
    if (doc["isolation"])
      read_isolation(doc["isolation"], inv);
    if (doc["reachability"])
      read_reachability(doc["reachability"], inv.reachability);
    if (doc["schedule"])
      inv.schedule = read_schedule(doc["schedule"]);
    if (doc["retention"])
      read_retention(doc["retention"], inv.retention);
    if (const auto policies = y_.texts(doc, "policies")) {
      for (std::size_t i = 0; i < policies->size(); ++i) {
        inv.policies.push_back(resolve((*policies)[i]));
        if (external_)
          external_->files.push_back(located(inv.policies.back(), doc["policies"][i]));
      }
    }
    inv.waivers = file(doc, "waivers");
    return inv;
  }

 private:
  template <typename F>
  void for_each(const YAML::Node& doc, const char* key, F&& f) {
    const YAML::Node list = doc[key];
    if (!list.IsDefined() || !y_.expect_sequence(list, key))
      return;
    for (const auto& item : list)
      f(item);
  }

  std::string resolve(const std::string& p) const {
    if (p.empty() || fs::path(p).is_absolute() || base_.empty())
      return p;
    return (base_ / p).lexically_normal().string();
  }

  static located_value located(std::string value, const YAML::Node& at) {
    return {std::move(value), at.Mark().line + 1, at.Mark().column + 1};
  }

  // The file named by `key` of `map`, resolved, and recorded as a reference ("" when absent).
  std::string file(const YAML::Node& map, std::string_view key, bool secret = false) {
    const auto path = resolve(y_.text(map, key).value_or(""));
    if (!path.empty() && external_) {
      const auto where = located(path, map[std::string(key)]);
      external_->files.push_back(where);
      if (secret)
        external_->secrets.push_back(where);
    }
    return path;
  }

  // Records a name in a namespace of unique names; reports duplicates.
  void unique(const YAML::Node& at, const std::string& kind, const std::string& name) {
    auto [it, fresh] = names_.emplace(name, kind);
    if (!fresh)
      y_.error(at, "duplicate name '" + name + "' (already used by a " + it->second + ")");
  }

  std::string required_name(const YAML::Node& n, const std::string& kind) {
    auto name = y_.text(n, "name").value_or("");
    if (!name.empty())
      unique(n["name"], kind, name);
    return name;
  }

  void read_segment(const YAML::Node& n, inventory& inv) {
    if (!y_.expect_map(n, "segment", {"name", "role", "cidrs"}, {"name", "role", "cidrs"}))
      return;
    segment s;
    s.name = required_name(n, "segment");
    if (auto role = y_.text(n, "role")) {
      static const std::map<std::string, segment_role> kRoles{
          {"production", segment_role::production},
          {"backup", segment_role::backup},
          {"administration", segment_role::administration},
          {"directory", segment_role::directory},
          {"other", segment_role::other}};
      auto it = kRoles.find(*role);
      if (it == kRoles.end()) {
        y_.error(n["role"],
                 "role: unknown segment role '" + *role +
                     "' (expected production, backup, administration, directory or other)");
      } else {
        s.role = it->second;
      }
    }
    if (n["cidrs"] && y_.expect_sequence(n["cidrs"], "cidrs")) {
      for (const auto& c : n["cidrs"]) {
        auto text = y_.scalar_text(c, "cidrs");
        if (!text)
          continue;
        if (auto parsed = cidr::parse(*text);
            parsed && !parsed->network.v6 && parsed->size() > kMaxSegmentAddresses) {
          y_.error(c, "cidrs: '" + *text + "' holds " + std::to_string(parsed->size()) +
                          " addresses; a segment is at most " +
                          std::to_string(kMaxSegmentAddresses) +
                          " IPv4 addresses (a /16): declare the ranges really in use");
        } else if (parsed) {
          s.cidrs.push_back(*parsed);
        } else {
          y_.error(
              c, "cidrs: '" + *text + "' is not a valid CIDR (e.g. 10.20.0.0/16, host bits zero)");
        }
      }
    }
    inv.segments.push_back(std::move(s));
  }

  // `address: A` or `addresses: [A, B...]`, exactly one of them: every element an IPv4 or IPv6
  // address, none twice (compared as addresses, so fd00::1 and fd00:0::1 are the same).
  void read_addresses(const YAML::Node& n, backup_host& h) {
    const std::string what = "host '" + h.name + "'";
    if (n["address"] && n["addresses"]) {
      y_.error(n["addresses"], what + ": give 'address' or 'addresses', not both");
      return;
    }
    if (!n["address"] && !n["addresses"]) {
      y_.error(n, "host: missing required key 'address' (or 'addresses', a list)");
      return;
    }
    std::vector<std::pair<YAML::Node, std::string>> given;
    if (n["address"]) {
      if (auto text = y_.text(n, "address"))
        given.emplace_back(n["address"], *text);
    } else if (y_.expect_sequence(n["addresses"], "addresses")) {
      if (n["addresses"].size() == 0)
        y_.error(n["addresses"], "addresses: the list is empty; a host has at least one address");
      for (const auto& element : n["addresses"]) {
        if (auto text = y_.scalar_text(element, "addresses"))
          given.emplace_back(element, *text);
      }
    }
    std::vector<ip_address> seen;
    for (const auto& [at, text] : given) {
      const auto key = n["address"] ? "address" : "addresses";
      const auto parsed = ip_address::parse(text);
      if (!parsed) {
        y_.error(at, std::string(key) + ": '" + text + "' is not an IPv4 or IPv6 address");
      } else if (std::find(seen.begin(), seen.end(), *parsed) != seen.end()) {
        y_.error(at, "addresses: '" + text + "' is listed twice for " + what);
      } else {
        seen.push_back(*parsed);
        h.addresses.push_back(text);
      }
    }
  }

  void read_host(const YAML::Node& n, inventory& inv) {
    if (!y_.expect_map(n, "host",
                       {"name", "address", "addresses", "os", "roles", "access", "ssh", "evidence",
                        "output_cap", "repository_path", "software"},
                       {"name"})) {
      return;
    }
    backup_host h;
    h.name = required_name(n, "host");
    read_addresses(n, h);
    h.os = y_.text(n, "os").value_or("linux");
    if (h.os != "linux" && h.os != "windows") {
      y_.error(n["os"], "os: expected linux or windows, found '" + h.os + "'");
    }
    h.roles = y_.texts(n, "roles").value_or(std::vector<std::string>{});
    h.software = y_.texts(n, "software").value_or(std::vector<std::string>{});
    for (std::size_t i = 0; external_ && i < h.software.size(); ++i)
      external_->software.push_back(located(h.software[i], n["software"][i]));
    const auto access = y_.text(n, "access")
                            .value_or(n["ssh"]        ? "ssh"
                                      : n["evidence"] ? "collected"
                                                      : "none");
    if (access == "local") {
      h.access = access_method::local;
    } else if (access == "ssh") {
      h.access = access_method::ssh;
    } else if (access == "collected") {
      h.access = access_method::collected;
    } else if (access != "none") {
      y_.error(n["access"],
               "access: expected local, ssh, collected or none, found '" + access + "'");
    }
    if (h.access == access_method::ssh && !n["ssh"]) {
      y_.error(n, "host '" + h.name + "': access ssh needs an 'ssh' section");
    }
    if (n["ssh"])
      read_ssh(n["ssh"], h.ssh);
    if (h.access == access_method::collected && !n["evidence"]) {
      y_.error(n, "host '" + h.name + "': access collected needs an 'evidence' section");
    } else if (n["evidence"] && h.access != access_method::collected) {
      y_.error(n["evidence"], "evidence: read only for hosts with access: collected");
    }
    if (h.access == access_method::collected && h.os != "linux") {
      y_.error(n["os"], "os: collected evidence is gathered on Linux hosts only");
    }
    if (n["evidence"])
      read_evidence(n["evidence"], h.evidence);
    if (auto cap = y_.text(n, "output_cap")) {
      const auto bytes = parse_byte_size(*cap);
      if (!bytes || *bytes < kMinOutputCap || *bytes > kMaxOutputCap) {
        y_.error(n["output_cap"],
                 "output_cap: expected a size from 1KiB to 256MiB (e.g. 4MiB, "
                 "512KiB or a byte count), found '" +
                     *cap + "'");
      } else {
        h.output_cap = static_cast<std::size_t>(*bytes);
      }
    }
    if (auto p = y_.text(n, "repository_path")) {
      h.repository_path = *p;
      if (p->empty() || p->front() != '/')  // it is find's first argument: never an option
        y_.error(n["repository_path"],
                 "repository_path: expected an absolute path, found '" + *p + "'");
    }
    inv.hosts.push_back(std::move(h));
  }

  void read_ssh(const YAML::Node& n, ssh_access& s) {
    if (!y_.expect_map(n, "ssh",
                       {"user", "port", "key_file", "passphrase_file", "known_hosts",
                        "trust_on_first_use", "use_agent", "sudo"},
                       {"user"})) {
      return;
    }
    s.user = y_.text(n, "user").value_or("");
    s.port = static_cast<unsigned>(y_.integer(n, "port", 1, 65535).value_or(22));
    s.key_file = file(n, "key_file", true);
    s.passphrase_file = file(n, "passphrase_file", true);
    s.known_hosts = file(n, "known_hosts");
    s.trust_on_first_use = y_.boolean(n, "trust_on_first_use").value_or(false);
    s.use_agent = y_.boolean(n, "use_agent").value_or(false);
    s.sudo = y_.boolean(n, "sudo").value_or(false);
    if (s.key_file.empty() && !s.use_agent) {
      y_.error(n, "ssh: key_file is required unless use_agent is true");
    }
    if (s.known_hosts.empty() && !s.trust_on_first_use) {
      y_.error(
          n,
          "ssh: known_hosts is required (host keys are pinned) unless trust_on_first_use is true");
    }
  }

  void read_evidence(const YAML::Node& n, collected_evidence_source& e) {
    if (!y_.expect_map(n, "evidence", {"file", "public_key", "max_age"}, {"file", "public_key"}))
      return;
    e.file = file(n, "file");
    e.public_key = file(n, "public_key");
    if (auto age = y_.text(n, "max_age")) {
      if (auto d = parse_duration(*age)) {
        e.max_age = *d;
      } else {
        y_.error(
            n["max_age"],
            "max_age: expected a duration such as 36h or 8d (s, m, h, d), found '" + *age + "'");
      }
    }
  }

  void read_directory(const YAML::Node& n, inventory& inv) {
    if (!y_.expect_map(n, "directory",
                       {"name", "role", "uri", "base", "bind", "ca_file", "allow_plaintext"},
                       {"name", "role", "uri", "base", "bind"})) {
      return;
    }
    directory d;
    d.name = required_name(n, "directory");
    const auto role = y_.text(n, "role").value_or("production");
    if (role == "backup") {
      d.role = directory_role::backup;
    } else if (role != "production") {
      y_.error(n["role"], "role: expected production or backup, found '" + role + "'");
    }
    d.uri = y_.text(n, "uri").value_or("");
    const bool ldaps = d.uri.rfind("ldaps://", 0) == 0;
    const bool valid_uri = (ldaps || d.uri.rfind("ldap://", 0) == 0) &&
                           d.uri.find_first_of(" \t\r\n,") == std::string::npos;
    if (!d.uri.empty() && !valid_uri) {
      y_.error(n["uri"], "uri: expected one ldap://HOST or ldaps://HOST URL (no list), found '" +
                             d.uri + "'");
    }
    d.base = y_.text(n, "base").value_or("");
    d.ca_file = file(n, "ca_file");
    d.allow_plaintext = y_.boolean(n, "allow_plaintext").value_or(false);
    if (const YAML::Node b = n["bind"];
        b && y_.expect_map(b, "bind",
                           {"method", "dn", "password_file", "keytab", "principal", "krb5_conf"},
                           {"method"})) {
      d.bind_method = y_.text(b, "method").value_or("simple");
      d.bind_dn = y_.text(b, "dn").value_or("");
      d.password_file = file(b, "password_file", true);
      d.keytab = file(b, "keytab", true);
      d.principal = y_.text(b, "principal").value_or("");
      d.krb5_conf = file(b, "krb5_conf");
      if (d.bind_method == "simple" && (d.bind_dn.empty() || d.password_file.empty())) {
        y_.error(b, "bind: method simple needs dn and password_file");
      } else if (d.bind_method == "gssapi") {
        read_gssapi_bind(b, d, inv);
      } else if (d.bind_method != "simple") {
        y_.error(b["method"], "method: expected simple or gssapi, found '" + d.bind_method + "'");
      }
    }
    const bool tls = ldaps || (d.bind_method != "gssapi" && !d.allow_plaintext);
    if (valid_uri && tls && d.ca_file.empty()) {
      y_.error(n,
               "ca_file: required with LDAPS or StartTLS: the server's certificate is verified "
               "against the CA the inventory names, never the system's trust store");
    }
    inv.directories.push_back(std::move(d));
  }

  // Kerberos names the LDAP service after the DC's DNS name, and the Kerberos library reads one
  // krb5.conf per process.
  void read_gssapi_bind(const YAML::Node& b, const directory& d, const inventory& inv) {
    if (d.keytab.empty())
      y_.error(b, "bind: method gssapi needs keytab");
    if (const auto address = uri_address(d.uri); !address.empty()) {
      y_.error(b["method"],
               "bind: method gssapi needs the DC's DNS name in uri, found the address '" + address +
                   "' (the Kerberos service is ldap/<DNS name>)");
    }
    if (d.krb5_conf.empty())
      return;
    for (const auto& other : inv.directories) {
      if (!other.krb5_conf.empty() && other.krb5_conf != d.krb5_conf) {
        y_.error(b["krb5_conf"], "krb5_conf: one file per inventory; directory " + other.name +
                                     " names " + other.krb5_conf);
        return;
      }
    }
  }

  void read_vantage_point(const YAML::Node& n, inventory& inv) {
    if (!y_.expect_map(n, "vantage point", {"name", "segment", "via", "address", "ssh"},
                       {"name", "segment"}))
      return;
    vantage_point v;
    v.name = y_.text(n, "name").value_or("");
    if (!vantage_names_.insert(v.name).second) {
      y_.error(n["name"], "duplicate vantage point name '" + v.name + "'");
    }
    v.segment = y_.text(n, "segment").value_or("");
    v.via = y_.text(n, "via").value_or("local");
    references_.push_back({n["segment"], v.segment, {"segment"}});
    const std::string what = "vantage point '" + v.name + "'";
    if (v.via == "ssh") {
      v.address = y_.text(n, "address").value_or("");
      if (!n["address"]) {
        y_.error(n, what + ": via ssh needs an 'address'");
      } else if (!v.address.empty() && !ip_address::parse(v.address)) {
        y_.error(n["address"], "address: '" + v.address + "' is not an IPv4 or IPv6 address");
      }
      if (!n["ssh"])
        y_.error(n, what + ": via ssh needs an 'ssh' section");
      else
        read_ssh(n["ssh"], v.ssh);
      if (v.ssh.sudo)
        y_.error(n["ssh"]["sudo"], "sudo: the reachability probe needs no privilege");
    } else if (n["address"] || n["ssh"]) {
      y_.error(n["address"] ? n["address"] : n["ssh"],
               what + ": 'address' and 'ssh' go with via: ssh (via " + v.via +
                   (v.via == "local" ? " is this machine" : " uses that host's") + ")");
    } else if (v.via != "local") {
      references_.push_back({n["via"], v.via, {"host"}});
      const auto h = std::find_if(inv.hosts.begin(), inv.hosts.end(),
                                  [&](const backup_host& b) { return b.name == v.via; });
      if (h != inv.hosts.end() && h->access != access_method::ssh) {
        y_.error(n["via"], what + ": host '" + v.via +
                               "' is not reached over SSH (no 'ssh' section): use via: ssh "
                               "with an address and ssh settings, or via: local");
      } else if (h != inv.hosts.end()) {
        v.address = h->primary_address();
        v.ssh = h->ssh;
        v.ssh.sudo = false;
      }
    }
    inv.vantage_points.push_back(std::move(v));
  }

  void read_account(const YAML::Node& n, inventory& inv) {
    if (!y_.expect_map(n, "backup account", {"name", "directory"}, {"name", "directory"}))
      return;
    backup_account a{y_.text(n, "name").value_or(""), y_.text(n, "directory").value_or("")};
    if (a.directory != "local")
      references_.push_back({n["directory"], a.directory, {"directory"}});
    inv.backup_accounts.push_back(std::move(a));
  }

  void read_flow(const YAML::Node& n, inventory& inv) {
    if (auto f = read_flow_entry(n, "flow"))
      inv.flows.push_back(std::move(*f));
  }

  std::optional<flow> read_flow_entry(const YAML::Node& n, const std::string& what) {
    if (!y_.expect_map(n, what, {"from", "to", "protocol", "ports", "purpose"},
                       {"from", "to", "ports"})) {
      return std::nullopt;
    }
    flow f;
    f.from = y_.text(n, "from").value_or("");
    f.to = y_.text(n, "to").value_or("");
    f.purpose = y_.text(n, "purpose").value_or("");
    f.protocol = y_.text(n, "protocol").value_or("tcp");
    if (f.protocol != "tcp" && f.protocol != "udp") {
      y_.error(n["protocol"], "protocol: expected tcp or udp, found '" + f.protocol + "'");
    }
    references_.push_back({n["from"], f.from, {"segment"}});
    references_.push_back({n["to"], f.to, {"segment", "host"}});
    if (n["ports"] && y_.expect_sequence(n["ports"], "ports")) {
      for (const auto& p : n["ports"]) {
        if (auto range = read_port_range(p))
          f.ports.push_back(*range);
      }
    }
    return f;
  }

  std::optional<port_range> read_port_range(const YAML::Node& p) {
    auto text = y_.scalar_text(p, "ports");
    if (!text)
      return std::nullopt;
    auto r = port_range::parse(*text);
    if (!r)
      y_.error(p, "ports: '" + *text + "' is not a port (1-65535) or a range FIRST-LAST");
    return r;
  }

  // Each type takes its own keys: one of another type is refused as unknown.
  void read_alert(const YAML::Node& n, inventory& inv) {
    alert_target a;
    a.type = n.IsMap() ? y_.text(n, "type").value_or("") : "";
    if (a.type == "syslog") {
      y_.expect_map(n, "syslog alert", {"type", "socket"});
      a.socket = y_.text(n, "socket").value_or(std::string(kDefaultSyslogSocket));
      if (!fs::path(a.socket).is_absolute())
        y_.error(n["socket"], "socket: expected an absolute path, found '" + a.socket + "'");
    } else if (a.type == "webhook") {
      y_.expect_map(n, "webhook alert", {"type", "url", "ca_file", "token_file"}, {"url"});
      read_webhook(n, a);
    } else if (a.type == "prometheus") {
      y_.expect_map(n, "prometheus alert", {"type", "listen", "token_file"});
      read_prometheus(n, inv, a);
    } else {
      if (y_.expect_map(n, "alert", {"type", "socket", "url", "ca_file", "token_file", "listen"},
                        {"type"}) &&
          n["type"])
        y_.error(n["type"], "type: expected syslog, webhook or prometheus, found '" + a.type + "'");
      return;
    }
    inv.alerts.push_back(std::move(a));
  }

  void read_webhook(const YAML::Node& n, alert_target& a) {
    a.url = y_.text(n, "url").value_or("");
    if (n["url"] && !https_url::parse(a.url))
      y_.error(
          n["url"],
          "url: expected https://HOST[:PORT]/PATH (TLS only, no user info), found '" + a.url + "'");
    a.ca_file = file(n, "ca_file");
    a.token_file = file(n, "token_file", true);
  }

  void read_prometheus(const YAML::Node& n, const inventory& inv, alert_target& a) {
    if (std::any_of(inv.alerts.begin(), inv.alerts.end(),
                    [](const alert_target& t) { return t.type == "prometheus"; }))
      y_.error(n, "alert: only one prometheus endpoint may be declared");
    a.listen = y_.text(n, "listen").value_or(std::string(kDefaultPrometheusListen));
    a.token_file = file(n, "token_file", true);
    const auto at = n["listen"] ? n["listen"] : n;
    if (const auto listen = listen_address::parse(a.listen); !listen)
      y_.error(at, "listen: expected ADDRESS:PORT ('127.0.0.1:9469', '[::1]:9469'), found '" +
                       a.listen + "'");
    else if (!listen->address.loopback() && a.token_file.empty())
      y_.error(at, "listen: " + a.listen +
                       " is reachable from other machines: a token_file is required (the bearer "
                       "token scrapers must present)");
  }

  // `{runs: 400, days: 400}`; 0: no limit.
  void read_retention(const YAML::Node& n, retention& r) {
    if (!y_.expect_map(n, "retention", {"runs", "days"}))
      return;
    r.max_runs = static_cast<std::size_t>(
        y_.integer(n, "runs", 0, 1000000).value_or(static_cast<std::int64_t>(r.max_runs)));
    if (const auto days = y_.integer(n, "days", 0, 36500))
      r.max_age = std::chrono::hours(24 * *days);
  }

  // `{from: SEGMENT, to: SEGMENT|HOST, ports: all | profiles | [PORT or FIRST-LAST, ...]}`.
  void read_sweep(const YAML::Node& n, reachability_settings& r) {
    if (!y_.expect_map(n, "sweep", {"from", "to", "ports"}, {"from", "to", "ports"}))
      return;
    port_sweep s;
    s.from = y_.text(n, "from").value_or("");
    s.to = y_.text(n, "to").value_or("");
    references_.push_back({n["from"], s.from, {"segment"}});
    references_.push_back({n["to"], s.to, {"segment", "host"}});
    const YAML::Node ports = n["ports"];
    if (external_)
      external_->sweeps.push_back(located(s.from, ports));
    if (ports.IsSequence()) {
      s.ports = port_sweep::scope::listed;
      for (const auto& p : ports) {
        if (auto range = read_port_range(p))
          s.listed.push_back(*range);
      }
      if (ports.size() == 0)
        y_.error(ports, "ports: an empty list tests nothing; use all, profiles or a list");
    } else if (const auto word = y_.scalar_text(ports, "ports"); word == "profiles") {
      s.ports = port_sweep::scope::profiles;
    } else if (word && *word != "all") {
      y_.error(ports, "ports: expected all, profiles or a list of ports, found '" + *word + "'");
    }
    r.sweeps.push_back(std::move(s));
  }

  void read_reachability(const YAML::Node& n, reachability_settings& r) {
    if (!y_.expect_map(n, "reachability",
                       {"timeout_ms", "retries", "concurrency", "max_pairs", "sweeps"}))
      return;
    if (n["sweeps"] && y_.expect_sequence(n["sweeps"], "sweeps")) {
      for (const auto& sweep : n["sweeps"])
        read_sweep(sweep, r);
    }
    r.timeout_ms =
        static_cast<unsigned>(y_.integer(n, "timeout_ms", 10, 60000).value_or(r.timeout_ms));
    r.retries = static_cast<unsigned>(y_.integer(n, "retries", 0, 5).value_or(r.retries));
    r.concurrency =
        static_cast<unsigned>(y_.integer(n, "concurrency", 0, 65536).value_or(r.concurrency));
    r.max_pairs =
        static_cast<unsigned>(y_.integer(n, "max_pairs", 1, 10000000).value_or(r.max_pairs));
  }

  // `"30 2 * * *"` or `{cron: "30 2 * * *", random_delay: 30m}`; a bad expression is located at
  // its faulty token.
  std::optional<audit_schedule> read_schedule(const YAML::Node& n) {
    audit_schedule s;
    const bool map = n.IsMap();
    if (map) {
      y_.expect_map(n, "schedule", {"cron", "random_delay"}, {"cron"});
      if (auto delay = y_.text(n, "random_delay")) {
        const auto d = parse_duration(*delay);
        if (!d || *d > kMaxRandomDelay) {
          y_.error(n["random_delay"],
                   "random_delay: expected a duration from 1s to 12h, found '" + *delay + "'");
        } else {
          s.random_delay = *d;
        }
      }
    }
    const std::string key = map ? "cron" : "schedule";
    const YAML::Node cron = map ? n["cron"] : n;
    if (map && !cron.IsDefined())
      return std::nullopt;  // reported as missing
    const auto text = y_.scalar_text(cron, key);
    if (!text)
      return std::nullopt;
    s.cron = *text;
    auto parsed = parse_cron(s.cron);
    if (const auto* e = std::get_if<cron_error>(&parsed)) {
      y_.error_within(cron, e->offset, key + ": " + e->message);
      return std::nullopt;
    }
    s.times = std::get<cron_schedule>(parsed);
    return s;
  }

  void read_isolation(const YAML::Node& n, inventory& inv) {
    if (!y_.expect_map(n, "isolation", {"description", "triggered_by", "last_drill", "drill"},
                       {"description", "triggered_by"})) {
      return;
    }
    isolation_procedure p;
    p.description = y_.text(n, "description").value_or("");
    p.triggered_by = y_.text(n, "triggered_by").value_or("");
    p.last_drill = y_.text(n, "last_drill").value_or("");
    if (!p.last_drill.empty() && !parse_iso_date(p.last_drill)) {
      y_.error(n["last_drill"],
               "last_drill: expected a date YYYY-MM-DD, found '" + p.last_drill + "'");
    }
    if (n["drill"])
      p.drill = read_drill(n["drill"]);
    inv.isolation = std::move(p);
  }

  isolation_drill read_drill(const YAML::Node& n) {
    isolation_drill d;
    if (!y_.expect_map(n, "drill",
                       {"via", "address", "ssh", "isolate", "restore", "max_isolate_time", "hold",
                        "max_duration", "stay_open", "reports"},
                       {"isolate", "restore"})) {
      return d;
    }
    d.via = y_.text(n, "via").value_or("local");
    if (d.via == "ssh") {
      d.address = y_.text(n, "address").value_or("");
      if (!n["address"])
        y_.error(n, "drill: via ssh needs an 'address'");
      else if (!d.address.empty() && !ip_address::parse(d.address))
        y_.error(n["address"], "address: '" + d.address + "' is not an IPv4 or IPv6 address");
      if (!n["ssh"])
        y_.error(n, "drill: via ssh needs an 'ssh' section");
      else
        read_ssh(n["ssh"], d.ssh);
    } else if (d.via != "local") {
      y_.error(n["via"], "via: expected local or ssh, found '" + d.via + "'");
    } else if (n["address"] || n["ssh"]) {
      y_.error(n["address"] ? n["address"] : n["ssh"],
               "drill: 'address' and 'ssh' go with via: ssh (via local runs the commands here)");
    }
    for (const char* key : {"isolate", "restore"}) {
      auto argv = y_.texts(n, key).value_or(std::vector<std::string>{});
      if (n[key] && argv.empty())
        y_.error(n[key], std::string(key) + ": expected a command as a list of words");
      (std::string_view(key) == "isolate" ? d.isolate : d.restore) = std::move(argv);
    }
    const auto read_time = [&](const char* key, std::chrono::seconds& into) {
      if (const auto text = y_.text(n, key)) {
        if (const auto t = parse_duration(*text); t && *t <= std::chrono::hours(24))
          into = *t;
        else
          y_.error(n[key], std::string(key) +
                               ": expected a duration from 1s to 24h (s, m, h), "
                               "found '" +
                               *text + "'");
      }
    };
    read_time("max_isolate_time", d.max_isolate_time);
    read_time("hold", d.hold);
    read_time("max_duration", d.max_duration);
    if (d.max_duration < 2 * d.max_isolate_time + d.hold) {
      y_.error(n["max_duration"] ? n["max_duration"] : n,
               "max_duration: must leave time to isolate, hold and restore (at least 2 x "
               "max_isolate_time + hold = " +
                   std::to_string((2 * d.max_isolate_time + d.hold).count()) + "s)");
    }
    if (n["stay_open"] && y_.expect_sequence(n["stay_open"], "stay_open")) {
      for (const auto& f : n["stay_open"]) {
        if (auto kept = read_flow_entry(f, "stay_open flow")) {
          if (kept->protocol != "tcp")
            y_.error(f["protocol"], "stay_open: only tcp flows can be measured");
          d.stay_open.push_back(std::move(*kept));
        }
      }
    }
    d.reports = resolve(y_.text(n, "reports").value_or(""));  // created by the first drill
    return d;
  }

 public:
  // Reports references to names that no segment, host or directory declares.
  void check_references() {
    for (const auto& r : references_) {
      if (r.name.empty())
        continue;
      auto it = names_.find(r.name);
      bool ok = false;
      for (const auto& k : r.kinds)
        ok = ok || (it != names_.end() && it->second == k);
      if (!ok) {
        std::string kinds;
        for (const auto& k : r.kinds)
          kinds += (kinds.empty() ? "" : " or ") + k;
        y_.error(r.at, "'" + r.name + "' does not name a declared " + kinds);
      }
    }
  }

 private:
  struct reference {
    YAML::Node at;
    std::string name;
    std::vector<std::string> kinds;
  };

  yaml_reader y_;
  fs::path base_;
  inventory_references* external_;            // what the inventory names outside itself, when asked
  std::map<std::string, std::string> names_;  // segment, host and directory names -> kind
  std::set<std::string> vantage_names_;
  std::vector<reference> references_;
};

// Digits then a suffix of `units`; nullopt when malformed, unknown suffix or overflow.
std::optional<std::uint64_t> scaled_number(
    std::string_view text,
    std::initializer_list<std::pair<std::string_view, std::uint64_t>> units) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 18)
    return std::nullopt;
  const std::string_view suffix = text.substr(digits);
  for (const auto& [name, factor] : units) {
    if (suffix != name)
      continue;
    const std::uint64_t n = std::stoull(std::string(text.substr(0, digits)));
    if (n > (std::uint64_t{1} << 63) / factor)
      return std::nullopt;
    return n * factor;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  return scaled_number(text, {{"", 1}, {"KiB", 1u << 10}, {"MiB", 1u << 20}, {"GiB", 1u << 30}});
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  const auto s = scaled_number(text, {{"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}});
  if (!s || *s == 0 || *s > 100ull * 366 * 86400)
    return std::nullopt;
  return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(*s));
}

std::optional<inventory> read_inventory(const YAML::Node& doc, const std::string& path,
                                        diagnostics& out, inventory_references* references) {
  const auto before = out.size();
  inventory_reader reader(path, out, references);
  auto inv = reader.read(doc);
  reader.check_references();
  if (out.size() != before)
    return std::nullopt;
  return inv;
}

std::optional<inventory> load_inventory(const std::string& path, diagnostics& out,
                                        inventory_references* references) {
  auto doc = load_yaml_file(path, out);
  if (!doc)
    return std::nullopt;
  return read_inventory(*doc, path, out, references);
}

void check_files(const inventory_references& references, const std::string& file,
                 diagnostics& out) {
  for (const auto& f : references.files) {
    if (::access(f.value.c_str(), R_OK) != 0) {
      out.add(file, f.line, f.column,
              f.value + ": cannot be read here (" + std::strerror(errno) +
                  "); the audit needs it on the machine it runs on");
    }
  }
  for (const auto& f : references.secrets) {
    struct stat st {};
    if (::stat(f.value.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      out.add(file, f.line, f.column,
              f.value + ": a secret readable by its group or by others (mode " + mode +
                  "): chmod 600 " + f.value);
    }
  }
}

void check_software(const inventory_references& references,
                    const std::vector<std::string>& profiles, const std::string& file,
                    diagnostics& out) {
  for (const auto& s : references.software) {
    if (std::find(profiles.begin(), profiles.end(), s.value) == profiles.end()) {
      std::string known;
      for (const auto& p : profiles)
        known += (known.empty() ? "" : ", ") + p;
      out.add(file, s.line, s.column,
              "software: '" + s.value + "' is no port profile of the policies (" + known + ")");
    }
  }
}

void warn_narrowing_sweeps(const inventory& inv, const inventory_references& references,
                           const std::string& file, diagnostics& warnings) {
  const auto& sweeps = inv.reachability.sweeps;
  for (std::size_t i = 0; i < sweeps.size() && i < references.sweeps.size(); ++i) {
    const auto from = std::find_if(inv.segments.begin(), inv.segments.end(),
                                   [&](const segment& s) { return s.name == sweeps[i].from; });
    if (sweeps[i].ports == port_sweep::scope::all || from == inv.segments.end() ||
        from->role == segment_role::administration)
      continue;
    const auto& at = references.sweeps[i];
    warnings.add(file, at.line, at.column,
                 "warning: ports: from " + sweeps[i].from + ", only some ports of " + sweeps[i].to +
                     " are tested; a service listening on any other port would go unseen (use "
                     "all to test 1-65535)");
  }
}

inventory local_machine_inventory() {
  inventory inv;
  inv.source = "(built-in: this machine)";
  inv.establishment = "local machine";
  backup_host self;
  self.name = "localhost";
  self.addresses = {"127.0.0.1"};
  self.access = access_method::local;
  inv.hosts.push_back(self);
  return inv;
}

}  // namespace cloison
