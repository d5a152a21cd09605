#include "agent/report/report.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/bounded_read.h"

namespace cloison {

namespace {

json localized_json(const localized& l) {
  return {{"fr", l.fr}, {"en", l.en}};
}
localized localized_of(const json& j) {
  return {j.at("fr").get<std::string>(), j.at("en").get<std::string>()};
}

template <typename E, typename F>
E enum_of(const json& j, F parse, const char* what) {
  const auto v = parse(j.get<std::string>());
  if (!v)
    throw std::runtime_error(std::string("unknown ") + what + " '" + j.get<std::string>() + "'");
  return *v;
}

// The number `key` of `o`, an integer for an integral T, within [low, high]; throws naming the
// field otherwise, so a crafted report never renders a score of 1e300 or a port of -1.
template <typename T>
T number_in(const json& o, const char* key, T low, T high) {
  const json& j = o.at(key);
  const bool typed = std::is_integral_v<T> ? j.is_number_integer() : j.is_number();
  const double value = typed ? j.get<double>() : 0.0;
  if (!typed || value < static_cast<double>(low) || value > static_cast<double>(high)) {
    throw std::runtime_error(std::string(key) + " is not " +
                             (std::is_integral_v<T> ? "an integer" : "a number") + " from " +
                             std::to_string(low) + " to " + std::to_string(high) + ": " + j.dump());
  }
  return std::is_integral_v<T> ? static_cast<T>(j.get<std::int64_t>()) : static_cast<T>(value);
}

constexpr int kMaxCount = 100'000'000;

json finding_json(const finding& f) {
  json j{{"check", f.check},
         {"objective", f.objective},
         {"target", f.target},
         {"status", to_string(f.status)},
         {"severity", to_string(f.severity)},
         {"weight", f.weight},
         {"title", localized_json(f.title)},
         {"remediation", localized_json(f.remediation)},
         {"observed", f.observed},
         {"expectation", f.expectation},
         {"message", f.message},
         {"evidence", f.evidence},
         {"waiver", nullptr},
         {"anssi", nullptr}};
  if (f.waiver) {
    const auto& w = f.waiver->waiver;
    j["waiver"] = {{"check", w.check},
                   {"target", w.target},
                   {"justification", w.justification},
                   {"owner", w.owner},
                   {"expires", w.expires},
                   {"declared_in", w.file},
                   {"expired", f.waiver->expired}};
  }
  if (!f.anssi_id.empty())
    j["anssi"] = {{"id", f.anssi_id}, {"level", f.anssi_level}};
  if (!f.cause.empty())
    j["cause"] = f.cause;
  for (auto [key, text] : {std::pair{"rationale", &f.rationale}, std::pair{"expected", &f.expected},
                           std::pair{"explanation", &f.explanation}}) {
    if (!text->fr.empty() || !text->en.empty())
      j[key] = localized_json(*text);
  }
  return j;
}

finding finding_of(const json& j) {
  finding f;
  f.check = j.at("check").get<std::string>();
  f.objective = j.at("objective").get<std::string>();
  f.target = j.at("target").get<std::string>();
  f.status = enum_of<status>(j.at("status"), status_from_string, "status");
  f.severity = enum_of<severity>(j.at("severity"), severity_from_string, "severity");
  f.weight = number_in(j, "weight", 0.0, 100.0);
  f.title = localized_of(j.at("title"));
  f.remediation = localized_of(j.at("remediation"));
  f.observed = j.at("observed");
  f.expectation = j.at("expectation").get<std::string>();
  f.message = j.at("message").get<std::string>();
  f.evidence = j.at("evidence").get<std::vector<std::string>>();
  if (const auto& w = j.at("waiver"); !w.is_null()) {
    f.waiver =
        applied_waiver{{w.at("check").get<std::string>(), w.at("target").get<std::string>(),
                        w.at("justification").get<std::string>(), w.at("owner").get<std::string>(),
                        w.at("expires").get<std::string>(), w.at("declared_in").get<std::string>()},
                       w.at("expired").get<bool>()};
  }
  if (const auto& a = j.at("anssi"); !a.is_null()) {
    f.anssi_id = a.at("id").get<std::string>();
    f.anssi_level = number_in(a, "level", 1, 5);
  }
  f.cause = j.value("cause", "");
  for (auto [key, text] : {std::pair{"rationale", &f.rationale}, std::pair{"expected", &f.expected},
                           std::pair{"explanation", &f.explanation}}) {
    if (j.contains(key))
      *text = localized_of(j.at(key));
  }
  return f;
}

json counts_json(const status_counts& c) {
  return {{"pass", c.pass},     {"fail", c.fail},
          {"error", c.error},   {"not_applicable", c.not_applicable},
          {"waived", c.waived}, {"not_evaluated", c.not_evaluated}};
}

status_counts counts_of(const json& j) {
  const auto count = [&](const char* key) { return number_in(j, key, 0, kMaxCount); };
  return {count("pass"),   count("fail"),
          count("error"),  count("not_applicable"),
          count("waived"), j.contains("not_evaluated") ? count("not_evaluated") : 0};
}

std::vector<std::string> texts_of(const json& j) {
  return j.get<std::vector<std::string>>();
}

json topology_json(const topology& t) {
  json j{{"segments", json::array()},    {"hosts", json::array()},
         {"directories", json::array()}, {"vantage_points", json::array()},
         {"flows", json::array()},       {"vantage", t.vantage}};
  for (const auto& s : t.segments)
    j["segments"].push_back({{"name", s.name}, {"role", s.role}, {"cidrs", s.cidrs}});
  for (const auto& h : t.hosts) {
    json addresses = json::array({h.address});
    for (const auto& a : h.other_addresses)
      addresses.push_back(a);
    j["hosts"].push_back({{"name", h.name},
                          {"address", h.address},
                          {"addresses", std::move(addresses)},
                          {"segment", h.segment},
                          {"roles", h.roles},
                          {"os", h.os},
                          {"access", h.access}});
  }
  for (const auto& d : t.directories) {
    j["directories"].push_back(
        {{"name", d.name}, {"role", d.role}, {"uri", d.uri}, {"segment", d.segment}});
  }
  for (const auto& v : t.vantage_points)
    j["vantage_points"].push_back({{"name", v.name}, {"segment", v.segment}, {"via", v.via}});
  for (const auto& f : t.flows) {
    j["flows"].push_back({{"from", f.from},
                          {"to", f.to},
                          {"protocol", f.protocol},
                          {"ports", f.ports},
                          {"purpose", f.purpose}});
  }
  if (t.isolation) {
    j["isolation"] = {{"description", t.isolation->description},
                      {"triggered_by", t.isolation->triggered_by},
                      {"last_drill", t.isolation->last_drill},
                      {"last_drill_result", t.isolation->last_drill_result}};
  }
  return j;
}

topology topology_of(const json& j) {
  topology t;
  auto text = [](const json& o, const char* key) { return o.at(key).get<std::string>(); };
  for (const auto& s : j.at("segments"))
    t.segments.push_back({text(s, "name"), text(s, "role"), texts_of(s.at("cidrs"))});
  for (const auto& h : j.at("hosts")) {
    auto addresses = texts_of(h.value("addresses", json::array()));  // absent in earlier reports
    if (!addresses.empty())
      addresses.erase(addresses.begin());
    t.hosts.push_back({text(h, "name"), text(h, "address"), text(h, "segment"),
                       texts_of(h.at("roles")), text(h, "os"), h.value("access", ""),
                       std::move(addresses)});
  }
  for (const auto& d : j.at("directories"))
    t.directories.push_back({text(d, "name"), text(d, "role"), text(d, "uri"), text(d, "segment")});
  for (const auto& v : j.at("vantage_points"))
    t.vantage_points.push_back({text(v, "name"), text(v, "segment"), text(v, "via")});
  for (const auto& f : j.at("flows")) {
    t.flows.push_back({text(f, "from"), text(f, "to"), text(f, "protocol"), texts_of(f.at("ports")),
                       text(f, "purpose")});
  }
  t.vantage = text(j, "vantage");
  if (const auto i = j.find("isolation"); i != j.end() && !i->is_null()) {
    t.isolation = topology::isolation_procedure{
        text(*i, "description"), text(*i, "triggered_by"), text(*i, "last_drill"),
        i->contains("last_drill_result") ? text(*i, "last_drill_result") : std::string()};
  }
  return t;
}

}  // namespace

json to_json(const report& r) {
  json j{{"schema_version", r.schema_version}, {"tool_version", r.tool_version},
         {"establishment", r.establishment},   {"inventory", r.inventory},
         {"started_at", r.started_at},         {"finished_at", r.finished_at},
         {"policies", json::array()},          {"scoring", r.scoring},
         {"objectives", json::array()},        {"ads", nullptr},
         {"findings", json::array()},          {"flows", json::array()},
         {"observations", json::array()},      {"evidence", json::array()}};
  for (const auto& p : r.policies)
    j["policies"].push_back({{"file", p.file}, {"sha256", p.sha256}});
  for (const auto& o : r.objectives) {
    j["objectives"].push_back({{"id", o.id},
                               {"status", to_string(o.status)},
                               {"score", o.score ? json(*o.score) : json(nullptr)},
                               {"counts", counts_json(o.counts)},
                               {"reasons", json::array()}});
    for (const auto& why : o.reasons) {
      j["objectives"].back()["reasons"].push_back(
          {{"kind", to_string(why.kind)}, {"subject", why.subject}});
    }
  }
  if (r.ads) {
    j["ads"] = {
        {"directory", r.ads->directory},
        {"estimated_level", r.ads->estimated_level ? json(*r.ads->estimated_level) : json(nullptr)},
        {"level_proven", r.ads->level_proven},
        {"not_evaluated", r.ads->not_evaluated},
        {"in_error", r.ads->in_error}};
  }
  for (const auto& f : r.findings)
    j["findings"].push_back(finding_json(f));
  for (const auto& f : r.flows) {
    j["flows"].push_back({{"from", f.from},
                          {"to", f.to},
                          {"address", f.address},
                          {"port", f.port},
                          {"port_last", f.last_port()},
                          {"protocol", f.protocol},
                          {"verdict", f.verdict},
                          {"expected", f.expected},
                          {"latency_ms", f.latency_ms},
                          {"attempts", f.attempts},
                          {"vantage", f.vantage},
                          {"method", f.method}});
  }
  for (const auto& o : r.observations) {
    json& obs = j["observations"].emplace_back(json{{"probe", o.probe},
                                                    {"target", o.target},
                                                    {"outcome", to_string(o.outcome)},
                                                    {"detail", o.detail},
                                                    {"elapsed_ms", o.elapsed_ms}});
    for (const auto& [key, value] :
         {std::pair{"collected_at", &o.collected_at}, std::pair{"collected_by", &o.collected_by},
          std::pair{"learned_host_key", &o.learned_host_key}}) {
      if (!value->empty())
        obs[key] = *value;
    }
  }
  for (const auto& e : r.evidence) {
    j["evidence"].push_back({{"id", e.id},
                             {"source", e.source},
                             {"collected_at", e.collected_at},
                             {"sha256", e.sha256},
                             {"size", e.size},
                             {"truncated", e.truncated},
                             {"excerpt", e.excerpt}});
  }
  if (r.signing) {
    j["signing"] = {{"algorithm", r.signing->algorithm},
                    {"public_key_pem", r.signing->public_key_pem},
                    {"fingerprint", r.signing->fingerprint}};
  }
  j["topology"] = r.topology ? topology_json(*r.topology) : json(nullptr);
  j["run"] = {{"user", r.run_user}, {"host", r.run_host}};
  return j;
}

report report_from_json(const json& j) {
  try {
    report r;
    if (!j.at("schema_version").is_number_integer())
      throw std::runtime_error("schema_version is not an integer");
    r.schema_version = j.at("schema_version").get<int>();
    if (r.schema_version != kReportSchemaVersion) {
      throw std::runtime_error("unsupported schema_version " + std::to_string(r.schema_version));
    }
    r.tool_version = j.at("tool_version").get<std::string>();
    r.establishment = j.at("establishment").get<std::string>();
    r.inventory = j.at("inventory").get<std::string>();
    r.started_at = j.at("started_at").get<std::string>();
    r.finished_at = j.at("finished_at").get<std::string>();
    r.scoring = j.at("scoring").get<std::string>();
    for (const auto& p : j.at("policies")) {
      r.policies.push_back({p.at("file").get<std::string>(), p.at("sha256").get<std::string>()});
    }
    for (const auto& o : j.at("objectives")) {
      objective_result res;
      res.id = o.at("id").get<std::string>();
      res.status = enum_of<objective_status>(o.at("status"), objective_status_from_string,
                                             "objective status");
      if (!o.at("score").is_null())
        res.score = number_in(o, "score", 0.0, 100.0);
      res.counts = counts_of(o.at("counts"));
      for (const auto& why : o.value("reasons", json::array())) {
        res.reasons.push_back(
            {enum_of<reason_kind>(why.at("kind"), reason_kind_from_string, "reason"),
             why.at("subject").get<std::string>()});
      }
      r.objectives.push_back(res);
    }
    if (const auto& a = j.at("ads"); !a.is_null()) {
      r.ads = ads_estimate{a.at("directory").get<std::string>(), std::nullopt,
                           a.at("level_proven").get<bool>(),
                           a.at("not_evaluated").get<std::vector<std::string>>(),
                           a.value("in_error", std::vector<std::string>())};
      if (!a.at("estimated_level").is_null())
        r.ads->estimated_level = number_in(a, "estimated_level", 1, 5);
    }
    for (const auto& f : j.at("findings"))
      r.findings.push_back(finding_of(f));
    for (const auto& f : j.at("flows")) {
      auto& flow = r.flows.emplace_back(
          flow_result{f.at("from").get<std::string>(), f.at("to").get<std::string>(),
                      f.at("address").get<std::string>(), number_in(f, "port", 0u, 65535u),
                      f.at("protocol").get<std::string>(), f.at("verdict").get<std::string>(),
                      f.at("expected").get<std::string>(), number_in(f, "latency_ms", 0.0, 1e7),
                      number_in(f, "attempts", 0, 1000), f.value("vantage", std::string()),
                      f.value("method", std::string())});
      if (f.contains("port_last")) {  // absent from reports written before ranges
        const auto last = number_in(f, "port_last", flow.port, 65535u);
        flow.port_last = last > flow.port ? last : 0;
      }
    }
    for (const auto& o : j.at("observations")) {
      r.observations.push_back({o.at("probe").get<std::string>(), o.at("target").get<std::string>(),
                                enum_of<outcome>(o.at("outcome"), outcome_from_string, "outcome"),
                                o.at("detail").get<std::string>(),
                                number_in(o, "elapsed_ms", 0LL, 1LL << 40),
                                o.value("collected_at", ""), o.value("collected_by", ""),
                                o.value("learned_host_key", "")});
    }
    for (const auto& e : j.at("evidence")) {
      r.evidence.push_back({e.at("id").get<std::string>(), e.at("source").get<std::string>(),
                            e.at("collected_at").get<std::string>(),
                            e.at("sha256").get<std::string>(), e.at("excerpt").get<std::string>(),
                            number_in<std::size_t>(e, "size", 0, std::size_t{1} << 40),
                            e.at("truncated").get<bool>()});
    }
    if (const auto s = j.find("signing"); s != j.end() && !s->is_null()) {
      r.signing = signing_info{s->at("algorithm").get<std::string>(),
                               s->at("public_key_pem").get<std::string>(),
                               s->at("fingerprint").get<std::string>()};
    }
    if (const auto t = j.find("topology"); t != j.end() && !t->is_null())
      r.topology = topology_of(*t);
    if (const auto run = j.find("run"); run != j.end()) {
      r.run_user = run->at("user").get<std::string>();
      r.run_host = run->at("host").get<std::string>();
    }
    return r;
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("malformed report: ") + e.what());
  }
}

report read_report(const std::string& path) {
  try {
    return read_report_text(read_file_bounded(path, kMaxReportBytes), path);
  } catch (const bounded_read_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

report read_report_text(std::string_view text, const std::string& name) {
  if (json_depth(text) > kMaxReportDepth) {
    throw std::runtime_error(name + ": not a cloison report: JSON nested deeper than " +
                             std::to_string(kMaxReportDepth));
  }
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // a syntax error, or a number beyond a double's range
    throw std::runtime_error(name + ": not JSON: " + e.what());
  }
  try {
    return report_from_json(j);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(name + ": not a cloison report: " + e.what());
  }
}

void write_file_atomically(const std::string& path, const std::string& content, bool sync) {
  atomic_file out(path);
  out.write(content);
  out.commit(sync);
}

void sync_filesystem(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) {
    const int e = errno;
    if (fd >= 0)
      ::close(fd);
    throw std::runtime_error("cannot flush " + dir + " to disk: " + std::strerror(e));
  }
  ::close(fd);
}

// Hundreds of files: flushed together once (an fsync each took ~8 ms on a busy disk: 420 evidence
// files of 20 hosts cost 3.8 s, twice the collection; bench/host/run).
void write_evidence(const std::vector<evidence>& items, const std::string& dir) {
  const auto folder = std::filesystem::path(dir) / "evidence";
  std::filesystem::create_directories(folder);
  for (const auto& e : items) {
    atomic_file out((folder / (e.sha256 + ".txt")).string());
    read_content(e, [&](std::string_view piece) { out.write(piece); });
    out.commit(false);
  }
  sync_filesystem(folder.string());
}

void write_report(const report& r, const std::string& dir) {
  std::filesystem::create_directories(dir);
  write_file_atomically((std::filesystem::path(dir) / "report.json").string(),
                        to_json(r).dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace cloison
