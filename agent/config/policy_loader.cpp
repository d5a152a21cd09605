#include "agent/config/policy_loader.h"

#include <regex>
#include <set>

#include "agent/config/embedded_policies.h"
#include "agent/config/yaml_reader.h"
#include "agent/engine/policy_checks.h"

namespace cloison {

namespace {

class policy_reader {
 public:
  policy_reader(const std::string& name, const probe_set& probes, diagnostics& out)
      : y_(name, out), probes_(probes) {}

  policy read(const YAML::Node& doc) {
    policy p;
    p.file = y_.file();
    if (!y_.expect_map(doc, "policy file", {"policy", "checks", "port_profiles"},
                       {"policy", "checks"})) {
      return p;
    }
    if (const YAML::Node profiles = doc["port_profiles"];
        profiles && y_.expect_sequence(profiles, "port_profiles")) {
      for (const auto& n : profiles)
        read_port_profile(n, p);
    }
    if (const YAML::Node meta = doc["policy"];
        meta &&
        y_.expect_map(meta, "policy", {"name", "version", "description"}, {"name", "version"})) {
      p.name = y_.text(meta, "name").value_or("");
      p.version = y_.text(meta, "version").value_or("");
    }
    const YAML::Node checks = doc["checks"];
    if (checks && y_.expect_sequence(checks, "checks")) {
      for (const auto& c : checks) {
        if (auto parsed = read_check(c))
          p.checks.push_back(std::move(*parsed));
      }
    }
    return p;
  }

 private:
  std::optional<check> read_check(const YAML::Node& n) {
    if (!y_.expect_map(n, "check",
                       {"id", "title", "rationale", "remediation", "objective", "severity",
                        "weight", "anssi", "fact", "expect", "applies_if", "enabled"},
                       {"id", "title", "remediation", "objective", "severity", "fact", "expect"})) {
      return std::nullopt;
    }
    check c;
    c.id = y_.text(n, "id").value_or("");
    static const std::regex kId("[a-z0-9][a-z0-9.-]*");
    if (n["id"] && !std::regex_match(c.id, kId)) {
      y_.error(n["id"], "id: '" + c.id + "' must be lowercase letters, digits, '.' and '-'");
    } else if (!c.id.empty() && !ids_.insert(c.id).second) {
      y_.error(n["id"], "duplicate check id '" + c.id + "'");
    }
    c.title = read_localized(n, "title");
    c.rationale = read_localized(n, "rationale");
    c.remediation = read_localized(n, "remediation");
    c.objective = y_.text(n, "objective").value_or("");
    if (n["objective"] && c.objective != kObjectiveA && c.objective != kObjectiveB &&
        c.objective != kObjectiveAds) {
      y_.error(n["objective"],
               "objective: expected D2.03.A, D2.03.B or ADS, found '" + c.objective + "'");
    }
    if (auto s = y_.text(n, "severity")) {
      if (auto sev = severity_from_string(*s)) {
        c.severity = *sev;
      } else {
        y_.error(n["severity"],
                 "severity: expected critical, high, medium or low, found '" + *s + "'");
      }
    }
    c.weight =
        static_cast<double>(y_.integer(n, "weight", 0, 100)
                                .value_or(static_cast<std::int64_t>(default_weight(c.severity))));
    c.enabled = y_.boolean(n, "enabled").value_or(true);
    if (const YAML::Node a = n["anssi"];
        a && y_.expect_map(a, "anssi", {"id", "level"}, {"id", "level"})) {
      c.anssi_id = y_.text(a, "id").value_or("");
      c.anssi_level = static_cast<int>(y_.integer(a, "level", 1, 5).value_or(0));
    }
    if (c.objective == kObjectiveAds && !n["anssi"]) {
      y_.error(n, "check '" + c.id + "': ADS checks need an 'anssi' section (id, level)");
    }
    const fact_spec* spec = read_fact(n, c.fact);
    if (n["expect"])
      c.expect = read_matcher(n["expect"], spec ? spec->type : std::optional<fact_type>{});
    if (const YAML::Node cond = n["applies_if"];
        cond && y_.expect_map(cond, "applies_if", {"fact", "expect"}, {"fact", "expect"})) {
      condition when;
      const fact_spec* when_spec = read_fact(cond, when.fact);
      if (when_spec && spec && probe_of_fact(when.fact) != probe_of_fact(c.fact)) {
        y_.error(cond["fact"],
                 "applies_if: the fact must come from the same probe as '" + c.fact + "'");
      }
      if (cond["expect"]) {
        when.expect =
            read_matcher(cond["expect"], when_spec ? when_spec->type : std::optional<fact_type>{});
      }
      c.applies_if = std::move(when);
    }
    return c;
  }

  void read_port_profile(const YAML::Node& n, policy& p) {
    if (!y_.expect_map(n, "port profile", {"name", "ports", "always", "description"},
                       {"name", "ports"})) {
      return;
    }
    port_profile profile;
    profile.name = y_.text(n, "name").value_or("");
    profile.always = y_.boolean(n, "always").value_or(false);
    for (const auto& existing : p.port_profiles) {
      if (n["name"] && existing.name == profile.name)  // a missing name is reported above
        y_.error(n["name"], "duplicate port profile '" + profile.name + "'");
    }
    if (n["ports"] && y_.expect_sequence(n["ports"], "ports")) {
      for (const auto& item : n["ports"]) {
        auto text = y_.scalar_text(item, "ports");
        if (!text)
          continue;
        if (auto r = port_range::parse(*text)) {
          profile.ports.push_back(*r);
        } else {
          y_.error(item, "ports: '" + *text + "' is not a port (1-65535) or a range FIRST-LAST");
        }
      }
    }
    p.port_profiles.push_back(std::move(profile));
  }

  localized read_localized(const YAML::Node& n, const char* key) {
    localized l;
    const YAML::Node node = n[key];
    if (!node || !y_.expect_map(node, key, {"fr", "en"}, {"fr", "en"}))
      return l;
    l.fr = y_.text(node, "fr").value_or("");
    l.en = y_.text(node, "en").value_or("");
    return l;
  }

  const fact_spec* read_fact(const YAML::Node& n, std::string& fact) {
    fact = y_.text(n, "fact").value_or("");
    if (fact.empty())
      return nullptr;
    const auto probe_name = probe_of_fact(fact);
    if (!probes_.find(probe_name)) {
      std::string known;
      for (const auto& p : probes_.all())
        known += (known.empty() ? "" : ", ") + std::string(p->name());
      y_.error(n["fact"], "fact: unknown probe '" + std::string(probe_name) + "' in '" + fact +
                              "' (probes: " + known + ")");
      return nullptr;
    }
    const fact_spec* spec = probes_.find_fact(fact);
    if (!spec) {
      y_.error(n["fact"],
               "fact: probe '" + std::string(probe_name) + "' has no fact '" + fact + "'");
    }
    return spec;
  }

  // Reads a matcher; `type` is the type of the value it will judge, when known.
  matcher read_matcher(const YAML::Node& n, std::optional<fact_type> type) {
    matcher m;
    std::string op_name;
    YAML::Node operand;
    bool has_operand = false;
    if (n.IsScalar()) {
      op_name = n.Scalar();
    } else if (n.IsMap() && n.size() == 1) {
      op_name = n.begin()->first.Scalar();
      operand = n.begin()->second;
      has_operand = true;
    } else {
      y_.error(n, "expect: expected one matcher, e.g. {equals: \"no\"} or empty");
      return m;
    }
    const auto op = matcher_op_from_string(op_name);
    if (!op) {
      y_.error(n.IsMap() ? n.begin()->first : n,
               "expect: unknown matcher '" + op_name +
                   "' (expected equals, not_equals, lt, le, gt, ge, in, not_in, contains, "
                   "not_contains, matches, empty, not_empty, all, any or none)");
      return m;
    }
    m.op = *op;
    const bool unary = m.op == matcher_op::empty || m.op == matcher_op::not_empty;
    if (unary == has_operand) {
      y_.error(n, unary ? "expect: '" + op_name + "' takes no value (write it alone)"
                        : "expect: '" + op_name + "' needs a value");
      return m;
    }
    auto incompatible = [&] {
      if (type && !can_judge(m.op, m.operand, *type)) {
        y_.error(n, "expect: '" + op_name + "' cannot judge a fact of type " +
                        std::string(to_string(*type)));
      }
    };
    switch (m.op) {
      case matcher_op::all:
      case matcher_op::any:
      case matcher_op::none:
        incompatible();
        m.element = std::make_shared<const matcher>(read_matcher(operand, fact_type::text));
        return m;
      case matcher_op::lt:
      case matcher_op::le:
      case matcher_op::gt:
      case matcher_op::ge:
        m.operand = yaml_to_json(operand);
        if (!m.operand.is_number())
          y_.error(operand, "expect: '" + op_name + "' needs a number");
        incompatible();
        return m;
      case matcher_op::in:
      case matcher_op::not_in:
        m.operand = yaml_to_json(operand);
        if (!m.operand.is_array())
          y_.error(operand, "expect: '" + op_name + "' needs a list");
        incompatible();
        return m;
      case matcher_op::matches:
        m.operand = yaml_to_json(operand);
        incompatible();
        if (!m.operand.is_string()) {
          y_.error(operand, "expect: 'matches' needs a regular expression as text");
          return m;
        }
        try {
          m.pattern = std::make_shared<const std::regex>(m.operand.get<std::string>(),
                                                         std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          y_.error(operand, std::string("expect: invalid regular expression: ") + e.what());
        }
        return m;
      case matcher_op::contains:
      case matcher_op::not_contains:
        m.operand = yaml_to_json(operand);
        incompatible();
        return m;
      case matcher_op::empty:
      case matcher_op::not_empty:
        incompatible();
        return m;
      case matcher_op::equals:
      case matcher_op::not_equals: {
        m.operand = yaml_to_json(operand);
        if (type && !can_judge(m.op, m.operand, *type)) {
          y_.error(operand, "expect: " + m.operand.dump() + " cannot equal a fact of type " +
                                std::string(to_string(*type)));
        }
        return m;
      }
    }
    return m;
  }

  yaml_reader y_;
  const probe_set& probes_;
  std::set<std::string> ids_;
};

}  // namespace

std::optional<policy> read_policy(const YAML::Node& doc, const std::string& name,
                                  const std::string& sha256, const probe_set& probes,
                                  diagnostics& out) {
  const auto before = out.size();
  auto p = policy_reader(name, probes, out).read(doc);
  p.sha256 = sha256;
  if (out.size() != before)
    return std::nullopt;
  return p;
}

std::optional<policy> load_policy_text(std::string_view text, const std::string& name,
                                       const probe_set& probes, diagnostics& out) {
  auto doc = load_yaml_text(text, name, out);
  if (!doc)
    return std::nullopt;
  return read_policy(*doc, name, sha256_hex(text), probes, out);
}

std::optional<policy> load_policy(const std::string& path, const probe_set& probes,
                                  diagnostics& out) {
  auto text = read_config_file(path, out);
  if (!text)
    return std::nullopt;
  return load_policy_text(*text, path, probes, out);
}

std::vector<policy> load_policies(const std::vector<std::string>& files, const probe_set& probes,
                                  diagnostics& out) {
  std::vector<policy> policies;
  if (files.empty()) {
    for (const auto& e : embedded_policies()) {
      if (auto p = load_policy_text(e.text, std::string(e.name), probes, out))
        policies.push_back(std::move(*p));
    }
  }
  for (const auto& f : files) {
    if (auto p = load_policy(f, probes, out))
      policies.push_back(std::move(*p));
  }
  check_unique_ids(policies, out);
  return policies;
}

}  // namespace cloison
