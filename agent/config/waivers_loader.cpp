#include "agent/config/waivers_loader.h"

#include "agent/config/yaml_reader.h"

namespace cloison {

std::optional<std::vector<waiver>> read_waivers(const YAML::Node& doc, const std::string& path,
                                                diagnostics& out) {
  const auto before = out.size();
  yaml_reader y(path, out);
  std::vector<waiver> waivers;
  if (y.expect_map(doc, "waivers file", {"waivers"}, {"waivers"}) && doc["waivers"] &&
      y.expect_sequence(doc["waivers"], "waivers")) {
    for (const auto& n : doc["waivers"]) {
      if (!y.expect_map(n, "waiver", {"check", "target", "justification", "owner", "expires"},
                        {"check", "justification", "owner", "expires"})) {
        continue;
      }
      waiver w{
          y.text(n, "check").value_or(""),         y.text(n, "target").value_or(""),
          y.text(n, "justification").value_or(""), y.text(n, "owner").value_or(""),
          y.text(n, "expires").value_or(""),       path + ":" + std::to_string(n.Mark().line + 1)};
      if (n["expires"] && !parse_iso_date(w.expires)) {
        y.error(n["expires"], "expires: expected a date YYYY-MM-DD, found '" + w.expires + "'");
      }
      if (n["justification"] && w.justification.size() < 10) {
        y.error(n["justification"],
                "justification: explain the accepted risk (10 characters or more)");
      }
      waivers.push_back(std::move(w));
    }
  }
  if (out.size() != before)
    return std::nullopt;
  return waivers;
}

std::optional<std::vector<waiver>> load_waivers(const std::string& path, diagnostics& out) {
  auto doc = load_yaml_file(path, out);
  if (!doc)
    return std::nullopt;
  return read_waivers(*doc, path, out);
}

}  // namespace cloison
